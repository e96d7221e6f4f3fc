"""What the round pages share: a query-string id parsed into a clear message, error text, and the
redirects after an action."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from core.converters import IdConverter
from matching.models import MatchingRound
from organizations.http import OrgRequest

_ID = re.compile(rf"^{IdConverter.regex}$")


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


def to_home(program_id: int, org_slug: str) -> HttpResponse:
    return redirect("matching_home", org_slug=org_slug, program_pk=program_id)
