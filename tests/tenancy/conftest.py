"""Fixtures of the tenancy tests that run through their own PgBouncer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from tests import pgbouncer


@pytest.fixture
def pooler() -> Iterator[pgbouncer.Pooler]:
    """A PgBouncer of this test's own (transaction mode, ONE server connection)."""
    with pgbouncer.running(connections["default"].settings_dict) as running:
        yield running


@pytest.fixture
def client_connections(pooler: pgbouncer.Pooler) -> Iterator[list[BaseDatabaseWrapper]]:
    """Two Django connections through the pooler (they get the same hooks as the default one)."""
    made = []
    for _ in range(2):
        wrapper = connections.create_connection("default")
        wrapper.settings_dict = pooler.settings_for(wrapper.settings_dict)
        made.append(wrapper)
    yield made
    for wrapper in made:
        wrapper.close()
