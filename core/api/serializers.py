"""Read serializers whose rows cost a few calls per field instead of about twenty.

DRF's ``Serializer.to_representation`` asks, for every field of every row, a generator for the
next readable field, ``Field.get_attribute`` → ``fields.get_attribute`` (a ``Mapping`` check and
a callable check per step of the source), a ``PKOnlyObject`` check, then the field's
``to_representation``. For a column of the serializer's model, reached through non-null foreign
keys, the answer is always ``getattr`` down the chain: no mapping, no callable, no missing
object. :class:`LeanReadMixin` works that out once per serializer instance (a list's child
serializes every row) and reads such fields with plain ``getattr``; every other field (a method
field, a nullable relation on the way, a property, ``source="*"``) goes DRF's own way. The
output is the same dict, field for field and in the same order: the field's own
``to_representation`` still turns the value into JSON.

A ``ModelSerializer`` also builds its fields anew for every instance (the model's field
information gathered, each field built, the declared ones deep-copied: some 600 calls a
request). Its fields depend on its class alone, so they are built once per class and each
instance gets shallow copies to bind (a nested serializer among them is still built each time).
A subclass whose fields depend on the request or context must not use this mixin.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.serializers import BaseSerializer

# (field name, field, the attribute chain for plain getattr or None for DRF's way)
_Plan = list[tuple[str, Field[Any, Any, Any, Any], tuple[str, ...] | None]]


_chains: dict[tuple[type[models.Model], tuple[str, ...]], tuple[str, ...] | None] = {}
# Per serializer class: its fields as built once, never bound (None: not cacheable, nested).
_prototypes: dict[type, dict[str, Field[Any, Any, Any, Any]] | None] = {}


def _copy(field: Field[Any, Any, Any, Any]) -> Field[Any, Any, Any, Any]:
    """A field like ``field``, unbound: the same settings, its own binding."""
    new = object.__new__(type(field))
    new.__dict__.update(field.__dict__)
    return new


def _chain(model: type[models.Model], attrs: list[str]) -> tuple[str, ...] | None:
    key = (model, tuple(attrs))
    try:
        return _chains[key]
    except KeyError:
        chain = _chains[key] = _plain_chain(model, attrs)
        return chain


def _plain_chain(model: type[models.Model], attrs: list[str]) -> tuple[str, ...] | None:
    """``attrs`` when each step but the last is a non-null forward relation of the model it
    reaches and the last a concrete column that is not a relation; else None."""
    if not attrs:
        return None
    current = model
    for position, attr in enumerate(attrs):
        try:
            field = current._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        if not getattr(field, "concrete", False) or field.name != attr:
            return None
        last = position == len(attrs) - 1
        if last:
            if field.is_relation:
                return None
        else:
            if not (field.many_to_one or field.one_to_one) or field.null:
                return None
            related = field.related_model
            if not isinstance(related, type) or not issubclass(related, models.Model):
                return None
            current = related
    return tuple(attrs)


class LeanReadMixin:
    """For ``ModelSerializer`` subclasses: the same representation, read with less overhead."""

    _lean_plan: _Plan | None = None

    def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
        cls = type(self)
        if cls not in _prototypes:
            built: dict[str, Field[Any, Any, Any, Any]] = super().get_fields()  # type: ignore[misc]
            if any(isinstance(field, BaseSerializer) for field in built.values()):
                _prototypes[cls] = None
                return built
            _prototypes[cls] = built
        prototype = _prototypes[cls]
        if prototype is None:
            return super().get_fields()  # type: ignore[misc]
        return {name: _copy(field) for name, field in prototype.items()}

    def _plan(self) -> _Plan:
        plan = self._lean_plan
        if plan is None:
            model = self.Meta.model  # type: ignore[attr-defined]
            plan = [
                (field.field_name, field, _chain(model, field.source_attrs))
                for field in self._readable_fields  # type: ignore[attr-defined]
            ]
            self._lean_plan = plan
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        ret: dict[str, Any] = {}
        plain = isinstance(instance, self.Meta.model)  # type: ignore[attr-defined]
        for name, field, chain in self._plan():
            if plain and chain is not None:
                value = instance
                for attr in chain:
                    value = getattr(value, attr)
                ret[name] = None if value is None else field.to_representation(value)
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret
