"""Model instances from plain SQL, for the few hot statements written once per process instead of
compiled by the ORM on every call (``organizations.api.authentication``, ``matching.access``,
``feedback.engagement``). Row-level security holds on plain SQL as on any query; the statements
still name the organisation, as a tenant manager would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def columns(alias: str, model: type[Model]) -> str:
    """The model's concrete columns, quoted, under ``alias`` (in the order :func:`instance` reads)."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(str(field.column))}" for field in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def instance[M: Model](model: type[M], values: Sequence[Any]) -> M:
    """A model instance from its concrete columns as a plain cursor returns them, each field's
    conversion from the database applied (a JSON column decoded), as the ORM would."""
    fields = model._meta.concrete_fields
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def partial[M: Model](model: type[M], **values: Any) -> M:
    """A model instance with only these fields loaded (by attname), as ``only()`` would give it:
    for a rule that reads a few fields of a row a statement read as plain values."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    if len(names) != len(values):
        raise ValueError(f"Not fields of {model.__name__}: {set(values) - set(names)}")
    return model.from_db(connection.alias, names, [values[name] for name in names])
