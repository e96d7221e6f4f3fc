"""What every program page needs: the roles, the in-scope program lookup, htmx detection."""

from __future__ import annotations

from django.http import HttpRequest

from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES
from programs.access import managed_program
from programs.models import Program

STAFF = STAFF_ROLES


def get_program(request: OrgRequest, pk: int) -> Program:
    """The program with this id among those the requester may manage; 404 otherwise (another
    organisation's id and a program a coordinator is not assigned to look the same)."""
    return managed_program(request.membership, pk)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
