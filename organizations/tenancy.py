"""Tenant base model and managers.

Every tenant-owned row carries its own ``organization`` and is reached through ``TenantManager``,
which raises `ScopeError` outside an organisation scope and filters by the scoped organisation inside
one. ``Model.dangerously_unscoped_objects`` exists for platform admin, sweepers and migrations, and
still requires ``dangerously_unscoped()`` to be active (so it cannot leak by accident either).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar

from django.db import models

from organizations.changes import note_write, row_keys
from organizations.scope import ScopeError, current_organization_id, is_unscoped

_M = TypeVar("_M", bound="TenantModel")


class TenantQuerySet(models.QuerySet[_M]):
    """Writes through a queryset announce themselves (``organizations.changes``): inside a scope
    for the scoped organisation, outside one for "any organisation" (``bulk_update`` goes
    through ``update``)."""

    def _note(self, objs: Iterable[Any] = ()) -> None:
        """``objs`` the rows written (a bulk create); none: rows this queryset's filter chose,
        not known here."""
        objs = list(objs)
        organization_ids: set[int | None] = {obj.organization_id for obj in objs}
        if not organization_ids:
            organization_ids = {current_organization_id()}
        keys = row_keys(self.model, objs) if objs else None
        note_write(self.model, organization_ids, using=self.db, keys=keys)

    def update(self, **kwargs: Any) -> int:
        rows = super().update(**kwargs)
        if rows:
            self._note()
        return rows

    def delete(self) -> tuple[int, dict[str, int]]:
        deleted = super().delete()
        if deleted[0]:
            self._note()
        return deleted

    def bulk_create(self, objs: Iterable[_M], *args: Any, **kwargs: Any) -> list[_M]:
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            self._note(created)
        return created


class TenantManager(models.Manager[_M]):
    """Default manager of tenant models: scoped to the current organisation, raises outside a scope."""

    def get_queryset(self) -> models.QuerySet[_M]:
        organization_id = current_organization_id()
        queryset: TenantQuerySet[_M] = TenantQuerySet(self.model, using=self._db)
        if organization_id is not None:
            return queryset.filter(organization_id=organization_id)
        if is_unscoped():
            return queryset
        raise ScopeError(
            f"{self.model.__name__} was queried outside an organisation scope. Use "
            "tenant_scope(organization); platform code may use dangerously_unscoped()."
        )


class DangerouslyUnscopedManager(models.Manager[_M]):
    """All organisations' rows; only usable inside ``dangerously_unscoped()``."""

    def get_queryset(self) -> models.QuerySet[_M]:
        if not is_unscoped():
            raise ScopeError(
                f"{self.model.__name__}.dangerously_unscoped_objects needs dangerously_unscoped()."
            )
        return TenantQuerySet(self.model, using=self._db)


class TenantModel(models.Model):
    """Base of every tenant-owned model. Subclasses need a row-level security migration
    (``organizations.rls.EnableTenantRLS``); a system check fails when one is missing."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects: ClassVar[TenantManager[Any]] = TenantManager()
    dangerously_unscoped_objects: ClassVar[DangerouslyUnscopedManager[Any]] = (
        DangerouslyUnscopedManager()
    )

    class Meta:
        abstract = True
        base_manager_name = "objects"
        default_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        scoped_id = current_organization_id()
        if self.organization_id is None:
            if scoped_id is None:
                raise ScopeError(
                    f"Cannot save a {type(self).__name__} without an organisation or a scope."
                )
            self.organization_id = scoped_id
        elif scoped_id is not None and self.organization_id != scoped_id:
            raise ScopeError(
                f"Refusing to save a {type(self).__name__} of organisation {self.organization_id} "
                f"inside the scope of organisation {scoped_id}."
            )
        super().save(*args, **kwargs)
        model = type(self)
        note_write(
            model,
            {self.organization_id},
            using=kwargs.get("using"),
            keys=row_keys(model, (self,)),
        )

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        organization_id = self.organization_id
        model = type(self)
        keys = row_keys(model, (self,))  # before Django clears the primary key
        deleted = super().delete(*args, **kwargs)
        note_write(model, {organization_id}, using=kwargs.get("using"), keys=keys)
        return deleted


def tenant_models() -> list[type[TenantModel]]:
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if issubclass(model, TenantModel) and not model._meta.proxy
    ]
