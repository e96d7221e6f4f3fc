"""Export jobs: the services that ask for an export and hand out its file, the task that writes it,
the signed download link, and the sweeper that deletes expired files.

Ask (service, audited) → queued → the task claims the job (running), counts the rows, writes them
to a temporary file, updating ``processed_rows`` every ``PROGRESS_EVERY`` rows, and stores the file
only once every row is written (done, with ``expires_at``); any error leaves no file (failed, with
a message). Like the import jobs (``participants/importing/jobs.py``), the task claims its row with
a conditional update, so a duplicate or redelivered message never runs a job twice, and asks the
export policy again for the person who queued it.

The download link is signed (job, requester, organisation) and lives ``LINK_MAX_AGE`` seconds, like
the file; after that it answers 410. Task names are part of the queue's contract.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from core.access import Forbidden
from dashboards.exports import access, datasets, writers
from dashboards.exports.filters import clean_filters, stored_filters
from dashboards.models import ExportDataset, ExportFormat, ExportJob, ExportStatus
from organizations.audit import log_action
from organizations.models import Organization
from organizations.scope import dangerously_unscoped
from organizations.selectors import membership_of
from organizations.tasks import TenantTask, enqueue_on_commit
from programs.models import Program

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500
LINK_MAX_AGE = 24 * 3600  # seconds a finished export can be downloaded
SALT = "dashboards.export_download"
SWEEP_BATCH = 500

FAILED = "The export failed; no file was kept. Try again, or ask an admin if it fails again."
REFUSED = f"{access.STAFF_ONLY} No file was made."


class ExportExpiredError(Exception):
    """The download link or the file is past its time (410)."""


# --- Asking for an export -----------------------------------------------------------------------


def _choice(name: str, value: Any, choices: Any, message: str) -> str:
    if value not in choices.values:
        raise ValidationError({name: [message]})
    return str(value)


def export_request(
    *,
    organization: Organization,
    actor: User,
    program: Program,
    dataset: Any,
    fmt: Any,
    filters: Any,
) -> ExportJob:
    """Check the request, store the job and queue it (after commit). Audited."""
    access.require_export(actor, program)
    errors: dict[str, list[str]] = {}
    try:
        dataset = _choice("dataset", dataset, ExportDataset, "Choose a dataset to export.")
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        fmt = _choice("format", fmt, ExportFormat, "Choose CSV or XLSX.")
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        cleaned = clean_filters(str(dataset), filters)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        job = ExportJob.objects.create(
            organization=organization,
            program=program,
            requested_by=actor,
            dataset=dataset,
            format=fmt,
            filters=cleaned.as_json(),
        )
        log_action(
            actor=actor,
            action="export.requested",
            target=job,
            data={
                "program": program.pk,
                "dataset": dataset,
                "format": fmt,
                "filters": job.filters,
            },
        )
        enqueue_on_commit(run_export_task, organization_id=organization.pk, job_id=job.pk)
    return job


# --- The download link ----------------------------------------------------------------------------


def make_token(job: ExportJob) -> str:
    return signing.dumps(
        {"o": job.organization_id, "j": job.pk, "u": job.requested_by_id}, salt=SALT
    )


def check_token(token: str, job: ExportJob, user: User) -> None:
    """A link for this job and this user, still in time; Http404 for any other token (forged,
    another job's, another person's), ``ExportExpiredError`` once it is too old."""
    expected = {"o": job.organization_id, "j": job.pk, "u": user.pk}
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        try:
            payload = signing.loads(token, salt=SALT)
        except signing.BadSignature:
            raise Http404("No such export.") from None
        if payload != expected:
            raise Http404("No such export.") from None
        raise ExportExpiredError from None
    except signing.BadSignature:
        raise Http404("No such export.") from None
    if payload != expected:
        raise Http404("No such export.")


def export_download(*, job: ExportJob, actor: User, token: str) -> File[Any]:
    """The finished file for its requester, through a valid link; audited."""
    if job.program is None:
        raise Http404("No such export.")
    access.require_export(actor, job.program)
    if job.requested_by_id != actor.pk:
        raise Forbidden(access.REQUESTER_ONLY)
    check_token(token, job, actor)
    if job.status != ExportStatus.DONE:
        raise Http404("This export has no file yet.")
    if job.is_expired() or not job.file:
        raise ExportExpiredError
    log_action(
        actor=actor,
        action="export.downloaded",
        target=job,
        data={"program": job.program_id, "dataset": job.dataset, "format": job.format},
    )
    return default_storage.open(str(job.file.name), "rb")


# --- The task body --------------------------------------------------------------------------------


def _claim(job_id: int, now: datetime) -> bool:
    """Take a queued job, or a running one whose run is older than the task time limit (its worker
    was lost and the redelivered message may take over)."""
    stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return bool(
        ExportJob.objects.filter(pk=job_id, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING))
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(status=ExportStatus.RUNNING, claimed_at=now, processed_rows=0)
    )


def _counted[R](rows: Iterable[R], progress: Callable[[int], None]) -> Iterator[R]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    progress(done)


def _file_name(job: ExportJob) -> str:
    program = slugify(job.program.name if job.program else "organisation")[:60] or "program"
    return f"{program}-{job.dataset.replace('_', '-')}-{job.created_at:%Y-%m-%d}.{job.format}"


def run_export(*, job_id: int) -> str:
    """Task body: write the job's file, or fail it with a message and no file."""
    now = timezone.now()
    if not _claim(job_id, now):
        return "skipped"
    job = ExportJob.objects.select_related("program", "requested_by", "organization").get(pk=job_id)
    mine = ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING, claimed_at=now)
    actor = job.requested_by
    membership = membership_of(actor) if actor is not None else None
    program = job.program
    if program is None or actor is None or membership is None:
        mine.update(status=ExportStatus.FAILED, error=REFUSED, finished_at=timezone.now())
        return "refused"
    try:
        access.require_export(actor, program)  # asked again: the right may be gone since
    except (Forbidden, Http404):
        mine.update(status=ExportStatus.FAILED, error=REFUSED, finished_at=timezone.now())
        log_action(actor=actor, action="export.refused", target=job)
        return "refused"

    stored: str | None = None
    try:
        table = datasets.table_for(job.dataset, program, stored_filters(job.filters), membership)
        mine.update(total_rows=table.count())
        written = 0

        def progress(done: int) -> None:
            nonlocal written
            written = done
            mine.update(processed_rows=done)

        with tempfile.TemporaryFile() as target:
            writers.write(
                job.format,
                target,
                table.header,
                _counted(table.rows(), progress),
                title=table.title,
            )
            target.seek(0)
            name = f"exports/{job.organization_id}/{secrets.token_hex(16)}.{job.format}"
            stored = default_storage.save(name, File(target, name=name))
        finished_at = timezone.now()
        done = mine.update(
            status=ExportStatus.DONE,
            file=stored,
            file_name=_file_name(job),
            processed_rows=written,
            total_rows=written,
            finished_at=finished_at,
            expires_at=finished_at + timedelta(seconds=LINK_MAX_AGE),
        )
        if not done:
            raise RuntimeError(f"export {job_id} was taken over while writing")
    except Exception:
        logger.exception("export %s failed", job_id)
        if stored is not None:
            default_storage.delete(stored)
        mine.update(status=ExportStatus.FAILED, file="", error=FAILED, finished_at=timezone.now())
        log_action(actor=actor, action="export.failed", target=job)
        raise
    log_action(actor=actor, action="export.finished", target=job, data={"rows": written})
    return "done"


# --- Expired files ----------------------------------------------------------------------------------


def delete_expired_files(*, now: datetime | None = None) -> int:
    """Delete the files of expired exports in every organisation (the rows stay). Returns how
    many. A sweeper: it reads across organisations through the named escape hatch."""
    now = now or timezone.now()
    with dangerously_unscoped():
        expired = list(
            ExportJob.dangerously_unscoped_objects.filter(expires_at__lte=now)
            .exclude(file="")
            .order_by("expires_at", "id")
            .values_list("id", "file")[:SWEEP_BATCH]
        )
        for job_id, name in expired:
            default_storage.delete(name)
            ExportJob.dangerously_unscoped_objects.filter(pk=job_id).update(file="")
    return len(expired)


# --- Tasks ------------------------------------------------------------------------------------------


@shared_task(base=TenantTask, name="dashboards.run_export", ignore_result=True)
def run_export_task(*, job_id: int) -> str:
    return run_export(job_id=job_id)


@shared_task(name="dashboards.delete_expired_exports", ignore_result=True)
def delete_expired_exports() -> int:
    """Beat, hourly: delete the files of exports whose link has expired."""
    return delete_expired_files()
