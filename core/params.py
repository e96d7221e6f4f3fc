"""Query-string parameters with a set of values, one rule for pages and the API: an unknown value
is a 400 naming the parameter and what it takes, never silently ignored (a filter that quietly
shows everything looks like an answer).

The functions read a ``QueryDict`` (``request.GET`` on a page, ``request.query_params`` in the
API) and raise :class:`BadParameter`, a ``BadRequest`` whose message is safe to show: the page's
400 handler (``mentoring.views.bad_request``) shows it, and ``core.api.params`` turns it into the
API's ``{"detail", "fields"}`` body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import BadRequest
from django.http import QueryDict

from core.converters import IdConverter

_ID = re.compile(rf"^{IdConverter.regex}$")
_TRUE, _FALSE = ("1", "true"), ("0", "false")


class BadParameter(BadRequest):
    """A 400 whose message is safe to show (it names the parameter and the problem)."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.message = message
        super().__init__(f"{name}: {message}")


def single(query: QueryDict, name: str) -> str:
    """The one value of ``?name=``, "" when absent; the parameter given twice is refused (which of
    the two was meant cannot be told, and taking the last one silently ignores the other)."""
    values = query.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, "Give one value.")
    return values[0] if values else ""


def id_value(query: QueryDict, name: str, *, message: str = "Give a numeric id.") -> int | None:
    """``?name=<id>``: None when absent; anything that is not a database id (letters, Unicode
    digits such as "²", a number too large for a bigint) is refused."""
    value = single(query, name)
    if value == "":
        return None
    if not _ID.fullmatch(value):
        raise BadParameter(name, message)
    return int(value)


def choice_value(
    query: QueryDict, name: str, choices: Iterable[str], *, default: str | None = None
) -> str | None:
    """``?name=<one of choices>``: ``default`` when absent or empty; anything else is refused
    with the list of choices."""
    value = single(query, name)
    if value == "":
        return default
    allowed = list(choices)
    if value not in allowed:
        raise BadParameter(name, f"Choose one of: {', '.join(allowed)}.")
    return value


def count_value(query: QueryDict, name: str, *, maximum: int) -> int | None:
    """``?name=<a whole number from 1 to maximum>``: None when absent or empty; anything else is
    refused (a page size the server quietly replaced would look like the end of the list)."""
    value = single(query, name)
    if value == "":
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= maximum:
        raise BadParameter(name, f"Give a whole number from 1 to {maximum}.")
    return int(value)


def bool_value(query: QueryDict, name: str) -> bool:
    """``?name=true|false`` (or 1|0); absent or empty is false; anything else is refused."""
    value = single(query, name).lower()
    if value in ("", *_FALSE):
        return False
    if value in _TRUE:
        return True
    raise BadParameter(name, "Use true or false.")
