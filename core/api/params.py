"""Query-string parameters of the API, parsed into clear 400s instead of database errors."""

from __future__ import annotations

import re
from collections.abc import Iterable

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


def choice_param(
    request: Request, name: str, choices: Iterable[str], *, default: str | None = None
) -> str | None:
    """``?name=<one of choices>``: ``default`` when absent or empty; a 400 listing the choices
    on anything else (an unknown value is never silently ignored)."""
    value = request.query_params.get(name, "")
    if value == "":
        return default
    allowed = list(choices)
    if value not in allowed:
        raise ValidationError({name: [f"Choose one of: {', '.join(allowed)}."]})
    return value


_TRUE, _FALSE = ("1", "true"), ("0", "false")


def bool_param(request: Request, name: str) -> bool:
    """``?name=true|false`` (or 1|0); absent is false; anything else a 400."""
    value = request.query_params.get(name, "").lower()
    if value in ("", *_FALSE):
        return False
    if value in _TRUE:
        return True
    raise ValidationError({name: ["Use true or false."]})
