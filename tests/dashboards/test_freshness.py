"""The dashboards' figures are computed once per change of the organisation's data
(``dashboards.freshness``): reused while nothing changes, computed again after any write to the
organisation's programs, people, pairs, sessions, check-ins or surveys, never after another
organisation's write, and computed per request (writes going on) when the cache is unreachable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from dashboards import freshness
from feedback.models import SessionLog, SessionStatus, Touchpoint
from matching.models import Pair, PairStatus
from organizations.audit import log_action
from organizations.scope import dangerously_unscoped
from programs.models import Program
from tests.conftest import Tenant
from tests.dashboards.program.builders import live_program
from tests.participants.test_enrollment_builders import make_program

pytestmark = pytest.mark.django_db


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def _read(tenant: Tenant, counter: Counter, parts: tuple[Any, ...] = ("x",)) -> int:
    return freshness.cached("test", tenant.organization.pk, parts, counter)


def test_reused_while_nothing_changes_and_computed_again_after_a_write(org_a: Tenant) -> None:
    counter = Counter()
    assert _read(org_a, counter) == 1
    assert _read(org_a, counter) == 1
    assert _read(org_a, counter, ("other parts",)) == 2  # what it is computed for is in the key
    make_program(org_a)
    assert _read(org_a, counter) == 3
    assert _read(org_a, counter) == 3


def test_another_organisations_write_leaves_the_figures_alone(
    tenants: tuple[Tenant, Tenant],
) -> None:
    org_a, org_b = tenants
    counter = Counter()
    assert _read(org_a, counter) == 1
    make_program(org_b)
    assert _read(org_a, counter) == 1


def test_bookkeeping_writes_do_not_count_but_bulk_and_unscoped_writes_do(org_a: Tenant) -> None:
    world = live_program(org_a, pairs=2)
    counter = Counter()
    assert _read(org_a, counter) == 1
    with org_a.scope():
        log_action(actor=None, action="test.event", target=world.program)  # the audit log
        touchpoint = Touchpoint.objects.create(
            organization=org_a.organization, kind="test", idempotency_key="k", due_at=timezone.now()
        )
        assert Touchpoint.objects.filter(pk=touchpoint.pk).update(attempts=1) == 1
    assert _read(org_a, counter) == 1
    with org_a.scope():
        Pair.objects.filter(pk=world.pairs[0].pk).update(status=PairStatus.PAUSED)
    assert _read(org_a, counter) == 2
    with dangerously_unscoped():
        Program.dangerously_unscoped_objects.filter(pk=world.program.pk).update(description="x")
    assert _read(org_a, counter) == 3


def test_a_logged_session_shows_on_the_next_dashboard_read(org_a: Tenant, client_for: Any) -> None:
    world = live_program(org_a, pairs=3)
    client = client_for(org_a.coordinator.user)
    url = f"/api/v1/o/{org_a.slug}/programs/{world.program.pk}/dashboard/"
    before = client.get(url).json()["figures"]["sessions"]
    assert client.get(url).json()["figures"]["sessions"] == before  # served from the cache
    with org_a.scope():
        SessionLog.objects.create(
            organization=org_a.organization,
            pair=world.pairs[2],
            logged_by=world.pairs[2].mentor,
            held_on=timezone.localdate() - timedelta(days=1),
            duration_minutes=45,
            status=SessionStatus.CONFIRMED,
        )
    assert client.get(url).json()["figures"]["sessions"] == before + 1
    html = client.get(f"/o/{org_a.slug}/programs/{world.program.pk}/dashboard/").content.decode()
    assert "Figures as of " in html


UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
}


def test_without_the_cache_figures_are_computed_per_read_and_writes_go_on(org_a: Tenant) -> None:
    make_program(org_a)
    with override_settings(CACHES=UNREACHABLE):
        counter = Counter()
        assert _read(org_a, counter) == 1
        assert _read(org_a, counter) == 2
        make_program(org_a)  # the invalidation fails (and is logged); the write is not lost
        with org_a.scope():
            assert Program.objects.count() == 2
