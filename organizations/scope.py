"""The organisation scope: which tenant the current code runs for.

Contract (the same as django-scopes): tenant managers *raise* `ScopeError` when no scope is active,
so a forgotten filter fails loudly instead of leaking another client's rows. Two ways in:

- ``tenant_scope(organization)``: everything inside sees that organisation only;
- ``dangerously_unscoped()``: the named, grep-able escape hatch for platform admin, sweepers and
  migrations. Nothing else may use it.

Defence in depth: entering or leaving a scope also sets the PostgreSQL settings that the row-level
security policies read (``flipside.organization_id`` / ``flipside.rls_bypass``), so raw SQL outside a
scope sees no tenant rows either. The values are set on the connection (session level) and restored
on exit; a connection opened inside a scope receives them from the ``connection_created`` hook.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

if TYPE_CHECKING:
    from organizations.models import Organization

RLS_ORGANIZATION_SETTING = "flipside.organization_id"
RLS_BYPASS_SETTING = "flipside.rls_bypass"


class ScopeError(RuntimeError):
    """A tenant model was queried with no organisation scope active."""


@dataclass(frozen=True)
class _Scope:
    organization_id: int | None
    unscoped: bool = False

    def rls_values(self) -> tuple[str, str]:
        return (
            "" if self.organization_id is None else str(self.organization_id),
            "on" if self.unscoped else "",
        )


_NO_SCOPE = _Scope(organization_id=None)
_current: contextvars.ContextVar[_Scope] = contextvars.ContextVar(
    "flipside_scope", default=_NO_SCOPE
)


def current_organization_id() -> int | None:
    """The id of the organisation in scope; None when unscoped or outside any scope."""
    return _current.get().organization_id


def is_unscoped() -> bool:
    return _current.get().unscoped


def require_organization_id() -> int:
    scope = _current.get()
    if scope.organization_id is None:
        raise ScopeError(
            "No organisation scope is active. Wrap the code in tenant_scope(organization) "
            "(requests under /o/<slug>/ and TenantTask runs do this for you)."
        )
    return scope.organization_id


def _apply_to_connection(connection: BaseDatabaseWrapper, scope: _Scope) -> None:
    """Make the connection's RLS settings match the scope; skip the round trip when they already do."""
    values = scope.rls_values()
    if getattr(connection, "_flipside_rls_values", None) == values:
        return
    if connection.connection is None:
        # Not connected yet: the connection_created hook applies the scope when it opens.
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, %s, false), set_config(%s, %s, false)",
                [RLS_ORGANIZATION_SETTING, values[0], RLS_BYPASS_SETTING, values[1]],
            )
    except DatabaseError:
        # Typically an aborted transaction: its rollback reverts any setting made inside it. Forget
        # what we believe is set so the next scope change sets it again; outside a transaction, drop
        # the connection so no stale setting can outlive the scope.
        connection._flipside_rls_values = None  # type: ignore[attr-defined]
        if not connection.in_atomic_block:
            connection.close()
        raise
    connection._flipside_rls_values = values  # type: ignore[attr-defined]


def on_connection_created(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    connection._flipside_rls_values = None  # type: ignore[attr-defined]
    values = _current.get().rls_values()
    if values != ("", ""):
        _apply_to_connection(connection, _current.get())
    else:
        connection._flipside_rls_values = values  # type: ignore[attr-defined]


def _apply_everywhere(scope: _Scope) -> None:
    for connection in connections.all(initialized_only=True):
        if connection.vendor == "postgresql":
            _apply_to_connection(connection, scope)


@contextmanager
def _enter(scope: _Scope) -> Iterator[None]:
    token = _current.set(scope)
    try:
        _apply_everywhere(scope)
        yield
    except BaseException:
        _current.reset(token)
        # The propagating exception matters more than a failed reset (usually the cause of an
        # aborted transaction, whose rollback reverts the setting anyway).
        with suppress(DatabaseError):
            _apply_everywhere(_current.get())
        raise
    _current.reset(token)
    _apply_everywhere(_current.get())


@contextmanager
def tenant_scope(organization: Organization | int) -> Iterator[None]:
    """Run the block for one organisation: tenant managers filter by it, RLS shows only its rows."""
    organization_id = organization if isinstance(organization, int) else organization.pk
    if organization_id is None:
        raise ScopeError("Cannot scope to an unsaved organisation.")
    with _enter(_Scope(organization_id=organization_id)):
        yield


@contextmanager
def dangerously_unscoped() -> Iterator[None]:
    """Escape hatch: see every organisation's rows. Only for platform admin, sweepers, migrations."""
    with _enter(_Scope(organization_id=None, unscoped=True)):
        yield


@contextmanager
def no_scope() -> Iterator[None]:
    """Leave any active scope for the block (e.g. account pages that must not see tenant data)."""
    with _enter(_NO_SCOPE):
        yield
