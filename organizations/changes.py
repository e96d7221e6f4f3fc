"""Tenant data changed: one signal for every write to a tenant model, so read models kept above
(the dashboards' cached figures) can tell when they are out of date without knowing each write path.

Every write goes through ``TenantModel.save`` / ``delete`` or ``TenantQuerySet`` (``update``,
``delete``, ``bulk_create``, ``bulk_update``), and each calls ``note_write``. It sends
``tenant_data_changed`` at once (``committed=False``: a reader later in the same transaction, or a
test inside one, sees the change) and again after the transaction commits (``committed=True``, once
per model and organisation however many writes the transaction made). The second send is what keeps
a cache correct: a reader that computed from the pre-commit state between the two is invalidated
again. ``organization_id`` is None for a write outside a scope (platform code under
``dangerously_unscoped()``) whose organisations are not known: read it as "any organisation".

Each send also says which rows were written, when the writer knew them (``keys``): the written
rows' primary keys and foreign keys as ``(attname, value)`` pairs, e.g. ``("pair_id", 7)``, so a
read model kept per pair or per person can tell whether a write concerns it. ``keys`` is None when
the rows are not known (a queryset's ``update`` or ``delete``, a raw statement): read it as "any
row". After commit, a model's keys are the union of the transaction's writes (None if any was
unknown).

Receivers must be cheap (the first send runs inside the writer's transaction) and must not write
tenant rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connections, router
from django.dispatch import Signal

# Sent with: model (the class written), organization_id (int | None), committed (bool),
# keys (frozenset of (attname, value) of the written rows' own and foreign keys, or None).
tenant_data_changed = Signal()

RowKeys = frozenset[tuple[str, Any]]


def _key_attnames(model: type[Any]) -> tuple[str, ...]:
    names = _KEY_ATTNAMES.get(model)
    if names is None:
        names = tuple(
            field.attname
            for field in model._meta.concrete_fields
            if field.primary_key or field.is_relation
        )
        _KEY_ATTNAMES[model] = names
    return names


_KEY_ATTNAMES: dict[type[Any], tuple[str, ...]] = {}


def row_keys(model: type[Any], rows: Iterable[Any]) -> RowKeys:
    """The written rows' primary and foreign keys, as ``(attname, value)`` (read them before a
    delete: Django clears a deleted instance's primary key)."""
    names = _key_attnames(model)
    return frozenset((name, getattr(row, name)) for row in rows for name in names)


_STATE = "_flipside_tenant_writes"


class Announcement:
    """The one on-commit callback of a transaction: sends ``committed=True`` for each model and
    organisation the transaction wrote. (Tests that count a transaction's on-commit callbacks to
    see what it enqueued leave these out: ``isinstance(callback, Announcement)``.)"""

    def __init__(self, callbacks: list[Any]) -> None:
        # Django replaces ``run_on_commit`` with a new list on commit, on rollback and on a
        # savepoint rollback (which may have dropped this callback), so "this list is still the
        # connection's list" means "this callback is still queued". The reference also keeps the
        # list alive, so the identity test cannot be fooled by a reused id.
        self.callbacks = callbacks
        self.pending: dict[tuple[type[Any], int | None], RowKeys | None] = {}

    def add(self, model: type[Any], organization_id: int | None, keys: RowKeys | None) -> None:
        item = (model, organization_id)
        if item not in self.pending:
            self.pending[item] = keys
            return
        known = self.pending[item]
        self.pending[item] = None if known is None or keys is None else known | keys

    def __call__(self) -> None:
        for (model, organization_id), keys in sorted(
            self.pending.items(), key=lambda item: (item[0][0].__name__, item[0][1] or 0)
        ):
            _send(model, organization_id, committed=True, keys=keys)


def _send(
    model: type[Any], organization_id: int | None, *, committed: bool, keys: RowKeys | None
) -> None:
    tenant_data_changed.send(
        sender=model,
        model=model,
        organization_id=organization_id,
        committed=committed,
        keys=keys,
    )


def note_write(
    model: type[Any],
    organization_ids: set[int | None],
    *,
    using: str | None,
    keys: RowKeys | None = None,
) -> None:
    """Announce a write of ``model`` rows of ``organization_ids`` now and after commit; ``keys``
    are the rows' keys (``row_keys``) when the writer knows them."""
    if not organization_ids:
        return
    connection = connections[using or router.db_for_write(model)]
    for organization_id in organization_ids:
        _send(model, organization_id, committed=False, keys=keys)
    if not connection.in_atomic_block:
        # Autocommit: the write is already committed.
        for organization_id in organization_ids:
            _send(model, organization_id, committed=True, keys=keys)
        return
    after: Announcement | None = getattr(connection, _STATE, None)
    if after is None or after.callbacks is not connection.run_on_commit:
        after = Announcement(connection.run_on_commit)
        connection.on_commit(after)
        after.callbacks = connection.run_on_commit
        setattr(connection, _STATE, after)
    for organization_id in organization_ids:
        after.add(model, organization_id, keys)
