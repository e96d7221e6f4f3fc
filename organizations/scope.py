"""The organisation scope: which tenant the current code runs for.

Contract (the same as django-scopes): tenant managers *raise* `ScopeError` when no scope is active,
so a forgotten filter fails loudly instead of leaking another client's rows. Two ways in:

- ``tenant_scope(organization)``: everything inside sees that organisation only;
- ``dangerously_unscoped()``: the named, grep-able escape hatch for platform admin, sweepers and
  migrations. Nothing else may use it.

Defence in depth: every statement runs with the PostgreSQL settings that the row-level security
policies read (``flipside.organization_id`` / ``flipside.rls_bypass``) set for its own transaction
only (``set_config(..., true)``, sent in the same query message when a transaction starts, again
only when the scope changes inside one), so raw SQL outside a scope sees no tenant rows either, and
a pooled server connection (PgBouncer in transaction mode) never carries a tenant from one client
to the next. The execute wrapper doing it is installed on every PostgreSQL connection by the
``connection_created`` hook. Server-side cursors are off (``DISABLE_SERVER_SIDE_CURSORS``): a
``WITH HOLD`` cursor outlives its transaction and could not see the settings.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


_NOT_IN_TRANSACTION_BLOCK = re.compile(
    r"\s*(CREATE\s+DATABASE|DROP\s+DATABASE|VACUUM|ALTER\s+SYSTEM|CREATE\s+INDEX\s+CONCURRENTLY"
    r"|DROP\s+INDEX\s+CONCURRENTLY|REINDEX|CLUSTER|CREATE\s+TABLESPACE)",
    re.IGNORECASE,
)
_TRANSACTION_CONTROL = re.compile(
    r"\s*(SAVEPOINT|RELEASE|ROLLBACK|COMMIT|BEGIN|START\s+TRANSACTION)\b", re.IGNORECASE
)
# psycopg2's transaction states (psycopg2.extensions.TRANSACTION_STATUS_*), read locally from libpq.
_IN_TRANSACTION = 2
_IN_FAILED_TRANSACTION = 3


def _rls_prefix(values: tuple[str, str]) -> str:
    """The statement that sets both RLS settings for the current transaction only (SET LOCAL)."""
    organization_id, bypass = values
    # Both values are ours (digits, "on" or empty): no quoting issue, and no "%" for the driver's
    # parameter interpolation to trip over.
    return (
        f"SELECT set_config('{RLS_ORGANIZATION_SETTING}', '{organization_id}', true), "
        f"set_config('{RLS_BYPASS_SETTING}', '{bypass}', true); "
    )


def _rls_execute_wrapper(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """Run each statement with the scope's RLS settings local to its transaction.

    A transaction that starts with this statement (autocommit, or the first statement of an atomic
    block) gets the settings in the same query message: PostgreSQL runs a multi-statement message as
    one transaction, and with autocommit the driver sends no BEGIN, so ``set_config(..., true)`` lasts
    exactly as long as the statement. Inside a transaction they are sent again only when the scope
    changed (or a savepoint rollback may have undone them). Nothing is ever set for the session, so
    a server connection shared through a transaction-mode pooler never carries a tenant between
    clients.
    """
    connection = context["connection"]
    raw = connection.connection
    status = raw.info.transaction_status if raw is not None else None
    control = _TRANSACTION_CONTROL.match(sql)
    if status == _IN_FAILED_TRANSACTION or control:
        # SAVEPOINT / RELEASE / ROLLBACK run as they are (in a failed transaction nothing else may
        # run before them). A rollback may undo settings made after its savepoint: apply them again
        # with the next statement. A transaction that starts here has nothing set yet.
        if status != _IN_TRANSACTION:
            connection._flipside_rls_values = _NO_SCOPE.rls_values()
        if status == _IN_FAILED_TRANSACTION or (control and control[1].upper() == "ROLLBACK"):
            connection._flipside_rls_values = None
        return execute(sql, params, many, context)
    wanted = _current.get().rls_values()
    # Outside a transaction nothing is set (the session level never is), which is what an empty
    # scope wants; statements that cannot run in a transaction block (CREATE DATABASE, VACUUM…)
    # are only ever run outside a scope.
    if status == _IN_TRANSACTION:
        applied = connection._flipside_rls_values
    else:
        applied = _NO_SCOPE.rls_values()
    if applied != wanted and not _NOT_IN_TRANSACTION_BLOCK.match(sql):
        sql = _rls_prefix(wanted) + sql
    try:
        result = execute(sql, params, many, context)
    except BaseException:
        connection._flipside_rls_values = None
        raise
    # With autocommit the settings ended with the statement; in a transaction they stay.
    in_transaction = raw.info.transaction_status == _IN_TRANSACTION
    connection._flipside_rls_values = wanted if in_transaction else None
    return result


def on_connection_created(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    """Install the RLS wrapper once per database alias (the list outlives reconnections)."""
    connection._flipside_rls_values = None  # type: ignore[attr-defined]
    if (
        connection.vendor == "postgresql"
        and _rls_execute_wrapper not in connection.execute_wrappers
    ):
        connection.execute_wrappers.insert(0, _rls_execute_wrapper)


@contextmanager
def _enter(scope: _Scope) -> Iterator[None]:
    token = _current.set(scope)
    try:
        yield
    finally:
        _current.reset(token)


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
