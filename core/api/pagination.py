"""Cursor pagination whose cursor is checked before it reaches the database.

A cursor is ``base64("o=<offset>&r=<0|1>&p=<position>")``; the position is compared with the first
ordering key. A crafted one (a word for an integer or date key, a NUL byte, garbage base64) used to
reach PostgreSQL and fail as a 500. Here it is decoded, and its position parsed with the key's own
model field, before any query: anything that does not fit is a 400 naming ``cursor``.

``?ordering=<field>`` / ``-<field>`` sorts a list by one of the fields its view declares in
``ordering_fields`` (public name → model field; ``id`` is always allowed), then by id in the
same direction, so the order is total and a cursor's position is the chosen field's. An unknown
field is the one rule of ``core.params`` (a 400 naming ``ordering`` and listing the choices).
The schema documents the parameter with the allowed values as an enum. A declared field must be
a non-null column of the list's model (a cursor cannot hold a missing position).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model, QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from core.params import BadParameter, choice_value, count_value
from core.text import unsafe_character

INVALID_CURSOR = "This cursor is not one the API gave out: start again from the first page."
ORDERING_PARAM = "ordering"


def ordering_fields(view: APIView | None) -> dict[str, str]:
    """The fields a list may be sorted by: ``id`` and what its view declares."""
    declared: dict[str, str] = getattr(view, "ordering_fields", None) or {}
    return {"id": "id", **declared}


def ordering_choices(view: APIView | None) -> list[str]:
    """The values ``?ordering=`` takes: each field, ascending and descending."""
    names = list(ordering_fields(view))
    return [name for field in names for name in (field, f"-{field}")]


def _ordering_field(queryset: QuerySet[Any], name: str) -> Field[Any, Any] | None:
    """The model field (or annotation's output field) behind an ordering key such as
    ``person__full_name``; None when it cannot be told."""
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        output = getattr(annotation, "output_field", None)
        return output if isinstance(output, Field) else None
    model: type[Model] = queryset.model
    field: Any = None
    for part in name.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.is_relation and field.related_model is not None:
            if part == name.split("__")[-1]:
                # Ordering by a relation compares its primary key.
                field = field.target_field
                break
            model = field.related_model
    return field if isinstance(field, Field) else None


class DefaultCursorPagination(CursorPagination):
    """Stable pages over large, changing lists. Views set ``ordering`` to a unique-ending key."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-id",)

    def get_page_size(self, request: Request) -> int:
        """``?page_size=``: 1 to ``max_page_size``, else a 400 (DRF would quietly use the default,
        or clamp 10,000 to 200, and the caller would read a short page as the whole list)."""
        try:
            given = count_value(
                request.query_params, self.page_size_query_param, maximum=self.max_page_size
            )
        except BadParameter as refused:
            raise ValidationError({refused.name: [refused.message]}) from None
        return given or self.page_size

    def get_ordering(
        self, request: Request, queryset: Any, view: APIView | None
    ) -> tuple[str, ...]:
        """``?ordering=``: one declared field, then id in the same direction; without it the
        list's own order, ended by id so that equal keys keep one order."""
        try:
            chosen = choice_value(request.query_params, ORDERING_PARAM, ordering_choices(view))
        except BadParameter as refused:
            raise ValidationError({refused.name: [refused.message]}) from None
        if not chosen:
            default = tuple(self.ordering)
            if default[-1].lstrip("-") in ("id", "pk"):
                return default
            return (*default, "-id" if default[-1].startswith("-") else "id")
        descending = chosen.startswith("-")
        field = ordering_fields(view)[chosen.lstrip("-")]
        sign = "-" if descending else ""
        if field == "id":
            return (f"{sign}id",)
        return (f"{sign}{field}", f"{sign}id")

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        parameters.append(
            {
                "name": ORDERING_PARAM,
                "required": False,
                "in": "query",
                "description": "Sort by this field (a leading - for descending); equal values "
                "keep the order of their ids. Without it: the list's own order.",
                "schema": {"type": "string", "enum": ordering_choices(view)},
            }
        )
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    **parameter["schema"],
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters

    def paginate_queryset(
        self, queryset: Any, request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self._queryset = queryset if isinstance(queryset, QuerySet) else None
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        except UnicodeError:  # base64 of bytes that are not ASCII
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        if cursor is None or cursor.position is None:
            return cursor
        position = str(cursor.position)
        if unsafe_character(position):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        if self._queryset is None:
            return cursor
        field = _ordering_field(self._queryset, self.ordering[0].lstrip("-"))
        if field is not None:
            try:
                field.run_validators(field.to_python(position))
            except (DjangoValidationError, ValueError, TypeError, OverflowError):
                raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        return cursor
