"""Row-level security per transaction and client-side cursors go together.

The RLS settings travel in front of a transaction's first statement (organizations/scope.py). A
server-side cursor would declare itself over that prefix, not the query, and yield the settings'
row instead of the model's: the load journey found exactly this (every pair page a 500) when the
bench's settings replaced DATABASES without ``DISABLE_SERVER_SIDE_CURSORS``. The system check makes
that mistake loud at start-up.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from organizations.checks import check_server_side_cursors_disabled, server_side_cursor_errors
from organizations.models import Membership
from tests.conftest import Tenant


def test_the_product_settings_pass_the_check() -> None:
    assert check_server_side_cursors_disabled() == []


def test_a_settings_module_that_forgets_the_flag_fails_the_check() -> None:
    errors = server_side_cursor_errors({"ENGINE": "django.db.backends.postgresql"})
    assert [error.id for error in errors] == ["organizations.E004"]
    assert "DISABLE_SERVER_SIDE_CURSORS" in (errors[0].hint or "")
    flagged = {"ENGINE": "django.db.backends.postgresql", "DISABLE_SERVER_SIDE_CURSORS": True}
    assert server_side_cursor_errors(flagged) == []


@pytest.fixture
def server_side_cursors() -> Iterator[None]:
    settings_dict = connection.settings_dict
    before = settings_dict["DISABLE_SERVER_SIDE_CURSORS"]
    settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = False
    try:
        yield
    finally:
        settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = before


@pytest.mark.django_db(transaction=True)
def test_iterator_in_autocommit_reads_the_models_rows(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, _ = tenants
    with org_a.scope():
        roles = sorted(member.role for member in Membership.objects.iterator(chunk_size=2))
    assert roles == ["admin", "coordinator", "member"]


@pytest.mark.django_db(transaction=True)
def test_control_a_server_side_cursor_reads_the_settings_instead(
    tenants: tuple[Tenant, Tenant], server_side_cursors: None
) -> None:
    """Why the check exists: with server-side cursors allowed, the same read breaks."""
    org_a, _ = tenants
    with org_a.scope(), pytest.raises(RuntimeError, match="StopIteration"):
        list(Membership.objects.iterator(chunk_size=2))
