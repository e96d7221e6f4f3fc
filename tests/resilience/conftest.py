"""Fixtures of the resilience tests: real worker processes, a check-in world, short leases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from feedback import checkins
from feedback.models import CheckIn
from mentoring.celery import app as celery_app
from tests.conftest import Tenant
from tests.feedback.test_checkins_builders import CheckInWorld, check_in_world
from tests.resilience.processes import Worker


@pytest.fixture
def short_leases() -> Iterator[None]:
    """The leases the worker processes write expire after 2 s (``processes.process_env``): the
    sweeps run here judge them by the same figure."""
    with override_settings(FLIPSIDE_WORKER_LEASE_SECONDS=2):
        yield


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


@pytest.fixture
def world(org_a: Tenant) -> CheckInWorld:
    """A pair whose first check-ins (mentor and mentee) were due two days ago, not sent yet."""
    today = timezone.localdate()
    world = check_in_world(org_a, start=today - timedelta(days=16), end=today + timedelta(days=60))
    with world.tenant.scope():
        checkins.plan_pair(world.pair, now=timezone.now() - timedelta(days=5))
        assert CheckIn.objects.filter(due_on=today - timedelta(days=2)).count() == 2
    celery_app.control.purge()  # what publishing the pair queued is not this test's business
    return world
