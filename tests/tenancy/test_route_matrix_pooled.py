"""The route matrix's pages, two tenants' requests taking turns on ONE pooled server connection.

``test_route_matrix.py`` runs inside one transaction per test, so through a pooler it proves that the
pages work there but never hands the server connection from one tenant to the next. Here the test is
transactional (every statement of a request is a transaction of its own, as in production), the
PgBouncer in front has a single server connection (transaction mode), and org A's admin and org B's
admin each go through a Django connection of their own (two pooler clients). For every GET route of
the matrix, in turns: org A's admin gets the page and never a trace of org B; org B's admin gets
org A's URL and the matrix's 404; and after each request a client outside any scope, on the same
PostgreSQL session (same ``pg_backend_pid()``), sees no tenant rows: nothing a request did outlived
its transactions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from tests import pgbouncer
from tests.conftest import Tenant, login
from tests.tenancy.test_route_matrix import BUILDERS, MATRIX

pytestmark = [
    pytest.mark.skipif(not pgbouncer.available(), reason="Debian's pgbouncer is not installed"),
    pytest.mark.django_db(transaction=True),
]

GET_ROUTES = [name for name, route in MATRIX.items() if "GET" in route.methods]
# What org B's pages show and org A's must never: its name and its people's addresses.
ORG_B_MARKS = (b"Bolt Corp", b"@bolt.test")


@contextmanager
def _through(wrapper: BaseDatabaseWrapper) -> Iterator[None]:
    """The request runs on ``wrapper`` (the test client's handler uses the default alias)."""
    default = connections["default"]
    connections["default"] = wrapper
    try:
        yield
    finally:
        connections["default"] = default


def _session_after(wrapper: BaseDatabaseWrapper) -> tuple[int, list[int]]:
    """The server session's pid and the organisations an unscoped client sees there (none)."""
    with wrapper.cursor() as cursor:
        cursor.execute(
            "SELECT pg_backend_pid(), "
            "array(SELECT DISTINCT organization_id FROM organizations_membership)"
        )
        pid, seen = cursor.fetchone()
    return int(pid), list(seen)


def _get(client: Client, wrapper: BaseDatabaseWrapper, url: str) -> Any:
    with _through(wrapper):
        return client.get(url)


def test_two_tenants_take_turns_on_one_server_connection(
    tenants: tuple[Tenant, Tenant],
    pooler: pgbouncer.Pooler,
    client_connections: list[BaseDatabaseWrapper],
) -> None:
    org_a, org_b = tenants
    ids: dict[str, Any] = {}
    for build in BUILDERS:
        ids.update(build(org_a))
    first, second = client_connections
    owner = login(Client(), org_a.admin.user)
    foreign = login(Client(), org_b.admin.user)
    pids: set[int] = set()
    failures: list[tuple[Any, ...]] = []
    for name in GET_ROUTES:
        route = MATRIX[name]
        kwargs = route.kwargs(ids)
        own_url = reverse(name, kwargs={"org_slug": org_a.slug, **kwargs})
        # The invitation link is guarded by its token, not by membership (as in the matrix).
        foreign_url = (
            own_url
            if route.member_gated
            else reverse(name, kwargs={"org_slug": org_b.slug, **kwargs})
        )

        response = _get(owner, first, own_url)
        if response.status_code != route.owner_get_status:
            failures.append((name, "owner", response.status_code))
        if any(mark in response.content for mark in ORG_B_MARKS):
            failures.append((name, "owner sees org B"))
        pid, seen = _session_after(second)
        pids.add(pid)
        if seen:
            failures.append((name, "left a tenant on the session", seen))

        response = _get(foreign, second, foreign_url)
        if response.status_code != route.foreign_status:
            failures.append((name, "foreign", response.status_code))
        pid, seen = _session_after(first)
        pids.add(pid)
        if seen:
            failures.append((name, "left a tenant on the session", seen))

    assert failures == []
    assert len(GET_ROUTES) > 100
    # One PostgreSQL session served both clients all along: the pooler opened one server connection.
    assert len(pids) == 1
    assert pooler.server_connections_opened() == 1
