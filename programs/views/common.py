"""What every program page needs: the roles, the in-scope program lookup, htmx detection."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from organizations.http import OrgRequest
from organizations.models import Role
from programs import selectors
from programs.models import Program

STAFF = (Role.ADMIN, Role.COORDINATOR)


def get_program(request: OrgRequest, pk: int) -> Program:
    """The program with this id among those the requester may manage; 404 otherwise (another
    organisation's id and a program a coordinator is not assigned to look the same)."""
    return get_object_or_404(selectors.program_list(membership=request.membership), pk=pk)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
