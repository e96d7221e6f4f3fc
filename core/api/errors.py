"""One error body for the whole API: ``{"detail": str, "fields": {field: [messages]}}``.

Django ``ValidationError`` raised by services becomes a 400 with the same body as a serializer error,
so a service's field messages reach the client unchanged.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(_as_list(item))
        return out
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _as_list(v)]
    return [str(value)]


def _flatten_fields(data: Any, prefix: str = "") -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                fields.update(_flatten_fields(value, name))
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                for index, item in enumerate(value):
                    fields.update(_flatten_fields(item, f"{name}.{index}"))
            else:
                fields[name] = _as_list(value)
    return fields


def validation_body(data: Any) -> dict[str, Any]:
    if isinstance(data, dict):
        fields = _flatten_fields({k: v for k, v in data.items() if k != "non_field_errors"})
        general = _as_list(data.get("non_field_errors", []))
    else:
        fields, general = {}, _as_list(data)
    if general:
        detail = " ".join(general)
    elif fields:
        detail = "Some fields are invalid."
    else:
        detail = "Invalid input."
    if general and fields:
        fields["non_field_errors"] = general
    return {"detail": detail, "fields": fields}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data: Any = {
                ("non_field_errors" if k == "__all__" else k): v
                for k, v in exc.message_dict.items()
            }
        else:
            data = {"non_field_errors": exc.messages}
        return Response(validation_body(data), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        # The service's reason, as the page shows it (a bare PermissionDenied keeps DRF's text).
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_body(exc.detail)
    else:
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        )
        response.data = {"detail": str(detail), "fields": {}}
    return response
