"""Exports run on a real Celery worker (embedded, consuming from the real Redis broker): progress
reaches the total, a failure leaves no file, a requester who lost the program gets no file."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client

from dashboards.exports import datasets, jobs
from dashboards.models import ExportJob, ExportStatus
from feedback.models import SessionLog
from organizations.models import AuditEntry
from programs.models import ProgramCoordinator
from tests.conftest import CeleryWorker, Tenant, login
from tests.dashboards.exports.builders import World, csv_rows, world

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def _job(tenant: Tenant, job_id: int) -> ExportJob:
    with tenant.scope():
        return ExportJob.objects.get(pk=job_id)


def _finished(tenant: Tenant, job_id: int) -> bool:
    return _job(tenant, job_id).status in (ExportStatus.DONE, ExportStatus.FAILED)


def _sessions(built: World, count: int) -> None:
    start = date.today() - timedelta(days=count)
    with built.tenant.scope():
        SessionLog.objects.bulk_create(
            SessionLog(
                organization=built.tenant.organization,
                pair=built.live.pair,
                logged_by=built.live.mentor,
                held_on=start + timedelta(days=n % 25),
                duration_minutes=30 + n % 60,
            )
            for n in range(count)
        )


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_the_worker_writes_an_export_with_progress_up_to_its_total(
    tenants: tuple[Tenant, Tenant], worker: CeleryWorker, media_root: Path
) -> None:
    org_a, org_b = tenants
    built = world(org_a)
    world(org_b)  # look-alike data in the other organisation
    _sessions(built, 1_199)
    client = login(Client(), org_a.coordinator.user)
    response = client.post(
        f"/api/v1/o/{org_a.slug}/programs/{built.program.pk}/exports/",
        {"dataset": "sessions", "format": "csv"},
        content_type="application/json",
    )
    assert response.status_code == 202
    job_id = response.json()["id"]
    _wait_for(lambda: _finished(org_a, job_id))
    job = _job(org_a, job_id)
    assert job.status == ExportStatus.DONE, job.error
    assert job.processed_rows == job.total_rows == 1_200
    assert job.progress_percent == 100
    body = client.get(
        f"/api/v1/o/{org_a.slug}/programs/{built.program.pk}/exports/{job_id}/"
    ).json()
    download = client.get(body["download_url"])
    rows = csv_rows(b"".join(download.streaming_content))  # type: ignore[attr-defined]
    assert len(rows) == 1 + 1_200
    assert {row[1] for row in rows[1:]} == {str(built.live.pair.pk)}
    assert len(_files(media_root)) == 1


def test_a_failure_midway_leaves_a_failed_job_and_no_file(
    org_a: Tenant, worker: CeleryWorker, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = world(org_a)
    real = datasets.BUILDERS["sessions"]

    def breaking(*args: object) -> datasets.Table:
        table = real(*args)  # type: ignore[arg-type]

        def rows() -> Iterator[datasets.Row]:
            for _ in range(jobs.PROGRESS_EVERY + 1):
                yield ["ok"]
            raise RuntimeError("the database went away")

        return datasets.Table(table.title, table.header, lambda: 10_000, rows)

    monkeypatch.setitem(datasets.BUILDERS, "sessions", breaking)  # the worker runs in this process
    with org_a.scope():
        job = jobs.export_request(
            organization=org_a.organization,
            actor=org_a.coordinator.user,
            program=built.program,
            dataset="sessions",
            fmt="xlsx",
            filters={},
        )
    _wait_for(lambda: _finished(org_a, job.pk))
    failed = _job(org_a, job.pk)
    assert failed.status == ExportStatus.FAILED
    assert failed.error == jobs.FAILED
    assert failed.file.name == ""
    assert failed.processed_rows == jobs.PROGRESS_EVERY  # progress was visible while it ran
    assert _files(media_root) == []
    client = login(Client(), org_a.coordinator.user)
    page = client.get(
        f"/o/{org_a.slug}/programs/{built.program.pk}/exports/{job.pk}/"
    ).content.decode()
    assert jobs.FAILED in page
    assert "Download" not in page
    with org_a.scope():
        assert AuditEntry.objects.filter(action="export.failed", object_id=str(job.pk)).exists()


def test_a_requester_who_lost_the_program_gets_no_file(
    org_a: Tenant, celery_worker: CeleryWorker, media_root: Path
) -> None:
    built = world(org_a)
    with org_a.scope():
        job = jobs.export_request(
            organization=org_a.organization,
            actor=org_a.coordinator.user,
            program=built.program,
            dataset="enrolments",
            fmt="csv",
            filters={},
        )
        ProgramCoordinator.objects.filter(program=built.program).delete()
    celery_worker.start()
    _wait_for(lambda: _finished(org_a, job.pk))
    refused = _job(org_a, job.pk)
    assert (refused.status, refused.error, refused.file.name) == (
        ExportStatus.FAILED,
        jobs.REFUSED,
        "",
    )
    assert _files(media_root) == []


def test_a_repeated_message_does_not_run_a_job_twice(org_a: Tenant, worker: CeleryWorker) -> None:
    built = world(org_a)
    with org_a.scope():
        job = jobs.export_request(
            organization=org_a.organization,
            actor=org_a.coordinator.user,
            program=built.program,
            dataset="pairs",
            fmt="csv",
            filters={},
        )
    _wait_for(lambda: _finished(org_a, job.pk))
    first = _job(org_a, job.pk)
    with org_a.scope():  # what a redelivered message runs
        assert jobs.run_export(job_id=job.pk) == "skipped"
    again = _job(org_a, job.pk)
    assert (again.status, again.file.name, again.finished_at) == (
        ExportStatus.DONE,
        first.file.name,
        first.finished_at,
    )
