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

Receivers must be cheap (the first send runs inside the writer's transaction) and must not write
tenant rows.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.dispatch import Signal

# Sent with: model (the class written), organization_id (int | None), committed (bool).
tenant_data_changed = Signal()

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
        self.pending: set[tuple[type[Any], int | None]] = set()

    def __call__(self) -> None:
        for model, organization_id in sorted(
            self.pending, key=lambda item: (item[0].__name__, item[1] or 0)
        ):
            _send(model, organization_id, committed=True)


def _send(model: type[Any], organization_id: int | None, *, committed: bool) -> None:
    tenant_data_changed.send(
        sender=model, model=model, organization_id=organization_id, committed=committed
    )


def note_write(model: type[Any], organization_ids: set[int | None], *, using: str | None) -> None:
    """Announce a write of ``model`` rows of ``organization_ids`` now and after commit."""
    if not organization_ids:
        return
    connection = connections[using or router.db_for_write(model)]
    for organization_id in organization_ids:
        _send(model, organization_id, committed=False)
    if not connection.in_atomic_block:
        # Autocommit: the write is already committed.
        for organization_id in organization_ids:
            _send(model, organization_id, committed=True)
        return
    after: Announcement | None = getattr(connection, _STATE, None)
    if after is None or after.callbacks is not connection.run_on_commit:
        after = Announcement(connection.run_on_commit)
        connection.on_commit(after)
        after.callbacks = connection.run_on_commit
        setattr(connection, _STATE, after)
    after.pending.update((model, organization_id) for organization_id in organization_ids)
