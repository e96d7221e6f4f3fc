"""The import runs on a real Celery worker (embedded, consuming from the real Redis broker)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from participants.importing import jobs
from participants.models import ImportJob, ImportStatus, Person
from tests.conftest import CeleryWorker, Tenant
from tests.participants.importing.test_import import GOOD_ROWS, csv_bytes

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def _status(tenant: Tenant, job_id: int) -> str:
    with tenant.scope():
        return ImportJob.objects.values_list("status", flat=True).get(pk=job_id)


def test_worker_checks_then_commits_an_import_in_its_organisation(
    tenants: tuple[Tenant, Tenant], worker: CeleryWorker
) -> None:
    org_a, org_b = tenants
    rows = [
        [
            f"E{n}",
            f"Person {n}",
            f"p{n}@acme.test",
            "",
            "Ops",
            "E1" if n > 1 else "",
            "3",
            "UTC",
            "",
            "",
        ]
        for n in range(1, 1201)
    ]
    with org_a.scope():
        job = jobs.import_upload(
            organization=org_a.organization,
            actor=org_a.admin.user,
            file_name="people.csv",
            content=csv_bytes([*GOOD_ROWS[1:2], *rows[1:]]),
        )
        jobs.import_request_validation(
            organization=org_a.organization, actor=org_a.admin.user, job=job
        )
    _wait_for(lambda: _status(org_a, job.pk) == ImportStatus.VALIDATED)
    with org_a.scope():
        job.refresh_from_db()
        assert job.problems == []
        assert job.processed_rows == job.total_rows == 1200
        jobs.import_request_commit(organization=org_a.organization, actor=org_a.admin.user, job=job)
    _wait_for(lambda: _status(org_a, job.pk) == ImportStatus.COMMITTED)
    with org_a.scope():
        assert Person.objects.count() == 1200
        assert Person.objects.filter(manager__employee_id="E1").count() == 1199
    with org_b.scope():
        assert not Person.objects.exists()


def test_a_repeated_message_does_not_run_a_step_twice(org_a: Tenant, worker: CeleryWorker) -> None:
    from participants.importing.jobs import commit_import

    with org_a.scope():
        job = jobs.import_upload(
            organization=org_a.organization,
            actor=None,
            file_name="people.csv",
            content=csv_bytes(GOOD_ROWS),
        )
        jobs.import_request_validation(organization=org_a.organization, actor=None, job=job)
    _wait_for(lambda: _status(org_a, job.pk) == ImportStatus.VALIDATED)
    with org_a.scope():
        jobs.import_request_commit(organization=org_a.organization, actor=None, job=job)
    # A duplicate delivery of the same commit message.
    commit_import.apply_async(kwargs={"organization_id": org_a.organization.pk, "job_id": job.pk})
    _wait_for(lambda: _status(org_a, job.pk) == ImportStatus.COMMITTED)
    time.sleep(1.0)
    with org_a.scope():
        assert Person.objects.count() == 3
