"""Query-string parameters of the API, parsed into clear 400s instead of database errors."""

from __future__ import annotations

import re

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from core.converters import IdConverter

_ID = re.compile(rf"^{IdConverter.regex}$")


def id_param(request: Request, name: str, *, message: str = "Give a numeric id.") -> int | None:
    """``?name=<id>``: None when absent; a 400 on anything that is not a database id (letters,
    Unicode digits such as "²", or a number too large for a bigint, which would otherwise reach
    PostgreSQL and fail as a 500)."""
    value = request.query_params.get(name, "")
    if value == "":
        return None
    if not _ID.fullmatch(value):
        raise ValidationError({name: [message]})
    return int(value)
