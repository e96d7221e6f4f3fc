"""The sweeper hands each due row to exactly one of several concurrent sweeps."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from feedback import touchpoints
from feedback.models import Touchpoint, TouchpointStatus
from organizations.scope import dangerously_unscoped
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db(transaction=True)


def _due_rows(tenant: Tenant, count: int) -> list[int]:
    now = timezone.now()
    with tenant.scope():
        return [
            Touchpoint.objects.create(
                kind="email", idempotency_key=f"k{i}", due_at=now - timedelta(seconds=i), payload={}
            ).pk
            for i in range(count)
        ]


def test_a_sweep_skips_rows_another_sweep_holds(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, _ = tenants
    ids = _due_rows(org_a, 3)
    holding = threading.Event()
    release = threading.Event()
    first: list[tuple[int, int]] = []

    def slow_sweep() -> None:
        try:
            with transaction.atomic():
                first.extend(touchpoints.sweep_due(enqueue=False))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_sweep)
    thread.start()
    assert holding.wait(10)
    second = touchpoints.sweep_due(enqueue=False)  # must not block, must not claim
    release.set()
    thread.join(10)
    assert second == []
    assert sorted(row[0] for row in first) == sorted(ids)


def test_concurrent_sweeps_claim_every_row_exactly_once(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    ids = _due_rows(org_a, 150) + _due_rows(org_b, 150)
    barrier = threading.Barrier(4)
    results: list[list[tuple[int, int]]] = []
    lock = threading.Lock()

    def sweep() -> None:
        try:
            barrier.wait(10)
            claimed = touchpoints.sweep_due(enqueue=False)
            with lock:
                results.append(claimed)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    claimed_ids = [row[0] for result in results for row in result]
    assert len(claimed_ids) == len(set(claimed_ids)), "a row was claimed twice"
    assert sorted(claimed_ids) == sorted(ids)
    with dangerously_unscoped():
        assert set(Touchpoint.dangerously_unscoped_objects.values_list("status", flat=True)) == {
            TouchpointStatus.QUEUED
        }


def test_delivery_claims_a_row_once(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, _ = tenants
    [pk] = _due_rows(org_a, 1)
    with org_a.scope():
        Touchpoint.objects.filter(pk=pk).update(
            payload={"to": "a@acme.test", "subject": "s", "body": "b"}
        )
    touchpoints.sweep_due(enqueue=False)
    with org_a.scope():
        assert touchpoints.deliver(touchpoint_id=pk) == "done"
        assert touchpoints.deliver(touchpoint_id=pk) == "skipped"


def test_failed_delivery_is_retried_later_not_immediately(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, _ = tenants
    [pk] = _due_rows(org_a, 1)  # payload {} makes the email handler fail
    touchpoints.sweep_due(enqueue=False)
    now = timezone.now()
    with org_a.scope():
        assert touchpoints.deliver(touchpoint_id=pk, now=now) == "retry"
        row = Touchpoint.objects.get(pk=pk)
    assert row.status == TouchpointStatus.PENDING
    assert row.due_at == now + timedelta(minutes=2)
    assert "KeyError" in row.last_error
    assert touchpoints.sweep_due(enqueue=False, now=now) == []


def test_rows_lost_mid_send_fail_instead_of_sending_twice(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, _ = tenants
    [pk] = _due_rows(org_a, 1)
    long_ago = timezone.now() - timedelta(days=1)
    with org_a.scope():
        Touchpoint.objects.filter(pk=pk).update(
            status=TouchpointStatus.SENDING, claimed_at=long_ago
        )
    touchpoints.sweep_due(enqueue=False)
    with org_a.scope():
        assert Touchpoint.objects.get(pk=pk).status == TouchpointStatus.FAILED
