"""Check-ins through the real pipeline: beat's sweeper, the Redis broker and a real Celery worker.

Each check-in email goes out once, even when the sweeper runs twice (or concurrently), when the
broker delivers the send task again (as it does after a worker is lost with ``acks_late``), and
when the stuck-row recovery gives up on a send that hangs.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from feedback import checkins, touchpoints
from feedback.models import CheckIn, CheckInStatus, Touchpoint, TouchpointStatus
from feedback.tasks import send_touchpoint
from organizations.mail import Notification
from tests.conftest import CeleryWorker, Tenant
from tests.feedback.test_checkins_builders import CheckInWorld, check_in_world

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> CheckInWorld:
    """A pair whose first check-ins (both people) were due two days ago and are not sent yet."""
    today = timezone.localdate()
    check_in_world(org_b, start=today - timedelta(days=16), end=today + timedelta(days=60))
    world = check_in_world(org_a, start=today - timedelta(days=16), end=today + timedelta(days=60))
    with world.tenant.scope():
        checkins.plan_pair(world.pair, now=timezone.now() - timedelta(days=5))
        assert CheckIn.objects.filter(due_on=today - timedelta(days=2)).count() == 2
    return world


class Outbox:
    """Stands in for ``send_mail`` in the worker (same process): records, and can hold a send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.hold_for: str | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, notification: Notification) -> None:
        if notification.to == self.hold_for:
            self.holding.set()
            self.release.wait(30)
        with self.lock:
            self.sent.append((notification.to, notification.subject))

    def to(self, address: str) -> list[str]:
        with self.lock:
            return [subject for recipient, subject in self.sent if recipient == address]


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> Outbox:
    box = Outbox()
    monkeypatch.setattr(checkins, "send_notification", box)
    return box


def _wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def _statuses(world: CheckInWorld) -> list[str]:
    with world.tenant.scope():
        return sorted(
            Touchpoint.objects.filter(
                kind=checkins.CHECK_IN_KIND, due_at__lte=timezone.now()
            ).values_list("status", flat=True)
        )


def test_sweeping_twice_and_concurrently_sends_each_check_in_once(
    world: CheckInWorld, worker: CeleryWorker, outbox: Outbox
) -> None:
    barrier = threading.Barrier(3)
    claims: list[list[tuple[int, int]]] = []

    def sweep() -> None:
        try:
            barrier.wait(10)
            claims.append(touchpoints.sweep_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(len(claim) for claim in claims) == [0, 0, 2]
    assert touchpoints.sweep_due() == []  # and once more, after the fact
    _wait_for(lambda: _statuses(world) == [TouchpointStatus.DONE] * 2)
    time.sleep(0.5)  # room for any duplicate to show up
    assert len(outbox.to(world.mentor_user.email)) == 1
    assert len(outbox.to(world.mentee_user.email)) == 1
    with world.tenant.scope():
        statuses = set(
            CheckIn.objects.filter(sent_at__isnull=False).values_list("status", flat=True)
        )
        assert statuses == {CheckInStatus.SENT}
        # The first reminder is planned as a row, three days out (no broker countdown).
        assert Touchpoint.objects.filter(kind=checkins.REMINDER_KIND).count() == 2


def test_a_redelivered_task_and_a_recovery_sweep_during_a_hung_send_send_nothing_twice(
    world: CheckInWorld, worker: CeleryWorker, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes: list[str] = []
    real_deliver_many = touchpoints.deliver_many

    def recording_deliver_many(**kwargs: Any) -> Counter[str]:
        counts = real_deliver_many(**kwargs)
        outcomes.extend(counts.elements())
        return counts

    monkeypatch.setattr(touchpoints, "deliver_many", recording_deliver_many)
    outbox.hold_for = world.mentor_user.email
    claimed = touchpoints.sweep_due()
    assert len(claimed) == 2
    assert outbox.holding.wait(20), "the mentor's send never started"
    with world.tenant.scope():
        held = CheckIn.objects.select_related("touchpoint").get(
            enrollment_id=world.pair.mentor_id, sent_at__isnull=False
        )
    assert held.touchpoint is not None
    # The broker hands the same message out again, as after a lost worker (acks_late).
    send_touchpoint.apply_async(
        kwargs={
            "organization_id": world.tenant.organization.pk,
            "touchpoint_id": held.touchpoint.pk,
        }
    )
    _wait_for(lambda: "skipped" in outcomes)
    # Beat keeps sweeping; much later, recovery gives up on the hung send instead of re-sending.
    assert touchpoints.sweep_due() == []
    touchpoints.sweep_due(now=timezone.now() + timedelta(hours=3))
    with world.tenant.scope():
        assert Touchpoint.objects.get(pk=held.touchpoint.pk).status == TouchpointStatus.FAILED
    outbox.release.set()  # the hung send finally completes
    _wait_for(lambda: outcomes.count("done") == 2)
    assert len(outbox.to(world.mentor_user.email)) == 1
    assert len(outbox.to(world.mentee_user.email)) == 1
    with world.tenant.scope():
        # The check-in stays open to answer in the app whatever happened to the email.
        assert CheckIn.objects.get(pk=held.pk).status == CheckInStatus.SENT
        assert Touchpoint.objects.get(pk=held.touchpoint.pk).status == TouchpointStatus.FAILED
