"""``feedback.touchpoints.deliver_many``: a chunk is claimed a group at a time, a kind's rows go to
its batch handler together, rows of other kinds one by one, and each row's outcome is recorded on
its own (done, retry with a later ``due_at``, failed without a handler, skipped when not queued)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from feedback import touchpoints
from feedback.models import Touchpoint, TouchpointStatus
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

BATCH_KIND = "test_batch"
calls: list[list[int]] = []


@pytest.fixture(autouse=True)
def batch_kind() -> Iterator[None]:
    calls.clear()

    @touchpoints.touchpoint_batch_handler(BATCH_KIND)
    def handler(rows: list[Touchpoint], report: touchpoints.Report) -> None:
        calls.append([row.pk for row in rows])
        for row in rows:
            report(row, RuntimeError("refused") if row.payload.get("fail") else None)

    yield
    touchpoints._BATCH_HANDLERS.pop(BATCH_KIND)


def _queued(tenant: Tenant, kind: str, count: int, **payload: object) -> list[int]:
    with tenant.scope():
        rows = Touchpoint.objects.bulk_create(
            Touchpoint(
                organization=tenant.organization,
                kind=kind,
                idempotency_key=f"{kind}:{n}:{sorted(payload.items())}",
                due_at=timezone.now(),
                status=TouchpointStatus.QUEUED,
                payload={"to": f"p{n}@x.test", "subject": "Hi", "body": "Hello", **payload},
            )
            for n in range(count)
        )
    return [row.pk for row in rows]


def test_a_chunk_is_claimed_in_groups_and_each_kind_handled_its_own_way(org_a: Tenant) -> None:
    batch = _queued(org_a, BATCH_KIND, 7)
    plain = _queued(org_a, "email", 2)
    with org_a.scope():
        outcomes = touchpoints.deliver_many(touchpoint_ids=batch + plain)
        assert outcomes == {"done": 9}
        assert set(Touchpoint.objects.values_list("status", flat=True)) == {TouchpointStatus.DONE}
    # Groups of five in the order given: the batch kind's rows of each group together.
    assert calls == [batch[:5], batch[5:]]
    assert len(mail.outbox) == 2


def test_each_row_gets_its_own_outcome(org_a: Tenant) -> None:
    ok = _queued(org_a, BATCH_KIND, 1)
    refused = _queued(org_a, BATCH_KIND, 1, fail=True)
    unknown = _queued(org_a, "no_such_kind", 1)
    with org_a.scope():
        Touchpoint.objects.filter(pk=ok[0]).update(status=TouchpointStatus.DONE)  # not queued
        before = timezone.now()
        outcomes = touchpoints.deliver_many(touchpoint_ids=ok + refused + unknown)
        assert outcomes == {"skipped": 1, "retry": 1, "failed": 1}
        retried = Touchpoint.objects.get(pk=refused[0])
        assert retried.status == TouchpointStatus.PENDING
        assert retried.due_at >= before + timedelta(minutes=2)
        assert "refused" in retried.last_error
        failed = Touchpoint.objects.get(pk=unknown[0])
        assert failed.status == TouchpointStatus.FAILED
        assert "No handler" in failed.last_error


def test_a_row_out_of_attempts_fails_instead_of_retrying(org_a: Tenant) -> None:
    [row] = _queued(org_a, BATCH_KIND, 1, fail=True)
    with org_a.scope():
        Touchpoint.objects.filter(pk=row).update(attempts=touchpoints.MAX_ATTEMPTS - 1)
        assert touchpoints.deliver_many(touchpoint_ids=[row]) == {"failed": 1}
        assert Touchpoint.objects.get(pk=row).status == TouchpointStatus.FAILED


def test_a_second_delivery_of_the_same_chunk_skips_every_row(org_a: Tenant) -> None:
    rows = _queued(org_a, BATCH_KIND, 3)
    with org_a.scope():
        assert touchpoints.deliver_many(touchpoint_ids=rows) == {"done": 3}
        assert touchpoints.deliver_many(touchpoint_ids=rows) == {"skipped": 3}
    assert calls == [rows]
