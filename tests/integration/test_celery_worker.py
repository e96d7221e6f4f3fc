"""A real Celery worker (embedded in the test process, consuming from the real Redis broker)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from feedback import touchpoints
from feedback.models import Touchpoint, TouchpointStatus
from mentoring.celery import app as celery_app
from organizations.audit import log_action
from organizations.models import AuditEntry
from organizations.scope import current_organization_id
from organizations.tasks import TenantTask, enqueue_on_commit
from tests.conftest import CeleryWorker, Tenant

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@celery_app.task(base=TenantTask, name="tests.record_scope")
def record_scope(*, note: str) -> int | None:
    """Writes through the scoped manager: only works if the worker entered the scope."""
    log_action(
        actor=None,
        action="tests.scoped_task",
        data={"note": note, "scope": current_organization_id()},
    )
    return current_organization_id()


def _wait_for(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_worker_runs_a_task_inside_its_organisation_scope(
    tenants: tuple[Tenant, Tenant], worker: CeleryWorker
) -> None:
    org_a, org_b = tenants
    enqueue_on_commit(record_scope, organization_id=org_b.organization.pk, note="hello")

    def recorded() -> bool:
        with org_b.scope():
            return AuditEntry.objects.filter(action="tests.scoped_task").exists()

    _wait_for(recorded)
    with org_b.scope():
        entry = AuditEntry.objects.get(action="tests.scoped_task")
    assert entry.data == {"note": "hello", "scope": org_b.organization.pk}
    with org_a.scope():
        assert not AuditEntry.objects.filter(action="tests.scoped_task").exists()


def test_sweeper_and_worker_deliver_a_due_touchpoint_once(
    tenants: tuple[Tenant, Tenant], worker: CeleryWorker
) -> None:
    org_a, org_b = tenants
    now = timezone.now()
    with org_a.scope():
        due = Touchpoint.objects.create(
            kind="email",
            idempotency_key="welcome:1",
            due_at=now - timedelta(minutes=1),
            payload={"to": "exec@acme.test", "subject": "Your first session", "body": "Hello"},
        )
    with org_b.scope():
        later = Touchpoint.objects.create(
            kind="email",
            idempotency_key="welcome:1",
            due_at=now + timedelta(days=1),
            payload={"to": "exec@bolt.test", "subject": "Later", "body": "Later"},
        )
    assert [row[0] for row in touchpoints.sweep_due()] == [due.pk]
    assert touchpoints.sweep_due() == []  # already claimed: a second sweep finds nothing

    def delivered() -> bool:
        with org_a.scope():
            return Touchpoint.objects.get(pk=due.pk).status == TouchpointStatus.DONE

    _wait_for(delivered)
    assert [m.subject for m in mail.outbox] == ["Your first session"]
    with org_b.scope():
        assert Touchpoint.objects.get(pk=later.pk).status == TouchpointStatus.PENDING


def test_tenant_task_refuses_to_be_queued_without_an_organisation(db: None) -> None:
    from organizations.scope import ScopeError

    with pytest.raises(ScopeError, match="needs organization_id"):
        record_scope.apply_async(kwargs={"note": "x"})
    with pytest.raises(TypeError):
        record_scope.apply_async(kwargs={"organization_id": 1, "wrong": "x"})


def test_a_wave_is_sent_in_chunks_of_one_organisation_each_row_once(
    tenants: tuple[Tenant, Tenant], worker: CeleryWorker
) -> None:
    """60 due rows of org A and 3 of org B: one send task per chunk of one organisation
    (25 + 25 + 10 and 3), every row performed once, in its own organisation."""
    now = timezone.now()
    for tenant, count in zip(tenants, (60, 3), strict=True):
        with tenant.scope():
            Touchpoint.objects.bulk_create(
                Touchpoint(
                    organization=tenant.organization,
                    kind="email",
                    idempotency_key=f"wave:{i}",
                    due_at=now - timedelta(minutes=1),
                    payload={"to": f"p{i}@{tenant.slug}.test", "subject": "Wave", "body": "Hi"},
                )
                for i in range(count)
            )
    claimed = touchpoints.sweep_due(enqueue=False)
    chunks = touchpoints._chunks(claimed)
    assert sorted(len(ids) for _org, ids in chunks) == [3, 10, 25, 25]
    assert all(
        {org for tid, org in claimed if tid in ids} == {organization_id}
        for organization_id, ids in chunks
    )
    # Put them back and let the real sweeper and worker send them.
    for tenant in tenants:
        with tenant.scope():
            Touchpoint.objects.update(status=TouchpointStatus.PENDING, claimed_at=None)
    assert len(touchpoints.sweep_due()) == 63

    def all_done() -> bool:
        return len(mail.outbox) >= 63

    _wait_for(all_done)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [f"p{i}@acme.test" for i in range(60)] + [f"p{i}@bolt.test" for i in range(3)]
    )
    for tenant in tenants:
        with tenant.scope():
            assert set(Touchpoint.objects.values_list("status", flat=True)) == {"done"}
