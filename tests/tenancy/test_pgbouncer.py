"""Row-level security behind a real PgBouncer in transaction mode (one shared server connection).

Two clients, each a Django connection of its own going through the pooler, take turns on the same
PostgreSQL session. The organisation is set per transaction (``organizations/scope.py``), so neither
ever sees the other's rows, in autocommit or inside transactions, and a client outside any scope sees
no tenant rows at all. The control case shows the set-up can fail: a session-level setting made by
one client is visible to the other.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from organizations.models import Membership
from organizations.scope import tenant_scope
from tests import pgbouncer
from tests.conftest import Tenant

pytestmark = [
    pytest.mark.skipif(not pgbouncer.available(), reason="Debian's pgbouncer is not installed"),
    pytest.mark.django_db(transaction=True),
]


def _organisations_seen(wrapper: BaseDatabaseWrapper) -> set[int]:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT DISTINCT organization_id FROM organizations_membership")
        return {row[0] for row in cursor.fetchall()}


def _backend_pid(wrapper: BaseDatabaseWrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _in_turns(*steps: Callable[[], Any]) -> list[Any]:
    """Run the steps one after the other: each client's statement takes the one server connection
    in turn (the scope is per context, not per connection)."""
    return [step() for step in steps]


def test_both_clients_share_one_server_connection(
    tenants: tuple[Tenant, Tenant], client_connections: list[BaseDatabaseWrapper]
) -> None:
    first, second = client_connections
    assert _backend_pid(first) == _backend_pid(second)


def test_interleaved_tenants_never_see_each_other(
    tenants: tuple[Tenant, Tenant], client_connections: list[BaseDatabaseWrapper]
) -> None:
    org_a, org_b = (tenant.organization for tenant in tenants)
    first, second = client_connections

    def seen_by(wrapper: BaseDatabaseWrapper, organization: Any) -> Callable[[], set[int]]:
        def step() -> set[int]:
            with tenant_scope(organization):
                return _organisations_seen(wrapper)

        return step

    def unscoped(wrapper: BaseDatabaseWrapper) -> Callable[[], set[int]]:
        return lambda: _organisations_seen(wrapper)

    results = _in_turns(
        seen_by(first, org_a),
        seen_by(second, org_b),
        unscoped(first),
        seen_by(second, org_b),
        seen_by(first, org_a),
        unscoped(second),
        seen_by(first, org_b),
    )
    assert results == [{org_a.pk}, {org_b.pk}, set(), {org_b.pk}, {org_a.pk}, set(), {org_b.pk}]


def test_transactions_and_savepoints_keep_their_tenant(
    tenants: tuple[Tenant, Tenant], client_connections: list[BaseDatabaseWrapper]
) -> None:
    org_a, org_b = (tenant.organization for tenant in tenants)
    first, second = client_connections

    def in_a_transaction() -> list[set[int]]:
        seen = []
        with transaction.atomic(using=first.alias), tenant_scope(org_a):
            seen.append(_organisations_seen(first))
            with tenant_scope(org_b):
                seen.append(_organisations_seen(first))
            seen.append(_organisations_seen(first))
            try:
                with transaction.atomic(using=first.alias), tenant_scope(org_b):
                    seen.append(_organisations_seen(first))
                    raise RuntimeError("roll the savepoint back")
            except RuntimeError:
                pass
            with tenant_scope(org_b):
                seen.append(_organisations_seen(first))
            seen.append(_organisations_seen(first))
        return seen

    # transaction.atomic() finds its connection by alias: lend it the pooled one.
    default = connections["default"]
    connections["default"] = first
    try:
        (seen,) = _in_turns(in_a_transaction)
    finally:
        connections["default"] = default
    assert seen == [{org_a.pk}, {org_b.pk}, {org_a.pk}, {org_b.pk}, {org_b.pk}, {org_a.pk}]
    # After the transaction the shared server connection carries nothing to the next client.
    (after,) = _in_turns(lambda: _organisations_seen(second))
    assert after == set()


def test_the_orm_through_the_pooler(
    tenants: tuple[Tenant, Tenant], pooler: pgbouncer.Pooler
) -> None:
    """The whole stack (managers, RLS, the default alias) works through the pooler."""
    org_a, org_b = tenants
    default = connections["default"]
    direct = default.settings_dict
    default.close()
    default.settings_dict = pooler.settings_for(direct)
    try:
        with org_a.scope():
            assert set(Membership.objects.values_list("organization_id", flat=True)) == {
                org_a.organization.pk
            }
        with org_b.scope():
            assert Membership.objects.count() == 3
        assert _organisations_seen(default) == set()
    finally:
        default.close()
        default.settings_dict = direct


def test_control_a_session_setting_would_leak_through_the_pooler(
    tenants: tuple[Tenant, Tenant], client_connections: list[BaseDatabaseWrapper]
) -> None:
    """What per-transaction settings prevent: a session-level setting outlives its client."""
    org_a, _ = tenants
    first, second = client_connections

    def set_for_the_session() -> None:
        with first.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('flipside.organization_id', %s, false)",
                [str(org_a.organization.pk)],
            )

    try:
        _, leaked = _in_turns(set_for_the_session, lambda: _organisations_seen(second))
        assert leaked == {org_a.organization.pk}
    finally:
        with second.cursor() as cursor:
            cursor.execute("RESET flipside.organization_id")


@pytest.mark.skipif(
    os.environ.get("FLIPSIDE_TEST_VIA_PGBOUNCER") != "1", reason="only when the suite runs so"
)
def test_the_suite_really_runs_through_the_pooler(db: None) -> None:
    """FLIPSIDE_TEST_VIA_PGBOUNCER=1 (CI's tenancy step): the default alias points at a pooler."""
    direct_port = str(connections["default"].settings_dict["PORT"])
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT inet_server_port()")
        server_port = str(cursor.fetchone()[0])
    assert direct_port != server_port
