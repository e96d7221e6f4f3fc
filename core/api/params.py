"""Query-string parameters of the API, parsed into clear 400s instead of database errors or silently
ignored values. The rules are ``core.params``'s, shared with the pages; here a refusal becomes the
API's ``{"detail", "fields"}`` body naming the parameter."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from core.params import BadParameter, bool_value, choice_value, id_value, single


def _as_api_error[T](read: Callable[[], T]) -> T:
    try:
        return read()
    except BadParameter as refused:
        raise ValidationError({refused.name: [refused.message]}) from None


def single_param(request: Request, name: str) -> str:
    """The one value of ``?name=`` ("" when absent); a 400 when it is given twice."""
    return _as_api_error(lambda: single(request.query_params, name))


def id_param(request: Request, name: str, *, message: str = "Give a numeric id.") -> int | None:
    """``?name=<id>``: None when absent; a 400 on anything that is not a database id."""
    return _as_api_error(lambda: id_value(request.query_params, name, message=message))


def choice_param(
    request: Request, name: str, choices: Iterable[str], *, default: str | None = None
) -> str | None:
    """``?name=<one of choices>``: ``default`` when absent or empty; a 400 listing the choices."""
    return _as_api_error(lambda: choice_value(request.query_params, name, choices, default=default))


def bool_param(request: Request, name: str) -> bool:
    """``?name=true|false`` (or 1|0); absent is false; anything else a 400."""
    return _as_api_error(lambda: bool_value(request.query_params, name))
