"""Who may reach the pair pages, and how a program id from the URL is resolved.

Admins and the coordinators of a program (``programs.access``); another program id is a 404, a
plain member a 403 (``require_role``). The round pages ask ``matching.rounds.access``.
"""

from __future__ import annotations

from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES
from programs import access
from programs.models import Program

STAFF = STAFF_ROLES


def managed_program(request: OrgRequest, program_pk: int) -> Program:
    return access.managed_program(request.membership, program_pk)
