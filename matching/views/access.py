"""Who may reach the matching pages, and how ids from the URL are resolved.

Admins and the coordinators of a program (``programs.access``); another program, round
or proposal id is a 404, a plain member a 403 (``require_role``).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect

from core.converters import IdConverter
from matching import selectors
from matching.models import MatchingRound, ProposedPair
from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES
from programs import access
from programs.models import Program

STAFF = STAFF_ROLES
_ID = re.compile(rf"^{IdConverter.regex}$")


def managed_program(request: OrgRequest, program_pk: int) -> Program:
    return access.managed_program(request.membership, program_pk)


def program_round(program: Program, pk: int) -> MatchingRound:
    return get_object_or_404(
        MatchingRound.objects.filter(program=program).select_related(
            "program", "rematch_for__person"
        ),
        pk=pk,
    )


def round_proposal(matching_round: MatchingRound, pk: int) -> ProposedPair:
    return get_object_or_404(
        selectors.proposal_list(matching_round=matching_round).select_related("round__program"),
        pk=pk,
    )


def query_id(request: OrgRequest, name: str, message: str) -> int | None:
    """``?name=<id>``: None when absent; a ValidationError for anything but a database id (so
    letters, "²" or a number too large for a bigint are a clear message, never a 500)."""
    value = request.GET.get(name, "")
    if value == "":
        return None
    if not _ID.fullmatch(value):
        raise ValidationError({name: message})
    return int(value)


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def to_round(matching_round: MatchingRound, org_slug: str) -> HttpResponse:
    return redirect(
        "matching_round",
        org_slug=org_slug,
        program_pk=matching_round.program_id,
        pk=matching_round.pk,
    )


def to_home(program: Program, org_slug: str) -> HttpResponse:
    return redirect("matching_home", org_slug=org_slug, program_pk=program.pk)
