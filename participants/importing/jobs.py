"""Import jobs: the ``ImportJob`` row of each upload, the services that move it through its steps,
and the Celery tasks that run the long steps.

Upload → map columns → dry run (task) → commit (task), all rows or none. Each task claims its job
with a conditional update, so a duplicate or redelivered message never runs a step twice; the job
row holds the progress that the pages poll. Every service that changes a job takes the acting user
and asks the import policy (``participants.importing.access``) itself; the commit task asks again
for the person who queued it, as they may have lost the right since.

Task names are part of the queue's contract (``participants.validate_import``,
``participants.commit_import``): messages already queued must still find their task.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from organizations.audit import log_action
from organizations.models import Organization
from organizations.tasks import TenantTask, enqueue_on_commit
from participants import directory
from participants.importing import access
from participants.importing.apply import apply_plans
from participants.importing.parsing import (
    as_csv,
    clean_mapping,
    file_format,
    import_targets,
    parse_file,
    parse_stored,
    suggest_mapping,
)
from participants.importing.rows import check_rows
from participants.models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

# Statuses from which a (new) dry run may start.
REVALIDATABLE = (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.FAILED)
RUNNING = (ImportStatus.VALIDATING, ImportStatus.COMMITTING)


def import_upload(
    *, organization: Organization, actor: User | None, file_name: str, content: bytes
) -> ImportJob:
    """Store an uploaded file after reading its header row; suggest a column mapping."""
    access.require_import_permission(actor, access.UPLOAD)
    file_name = (file_name or "upload.csv").rsplit("/", 1)[-1][:255]
    parsed = parse_file(file_name, content)
    targets = import_targets(organization)
    fmt = file_format(file_name, content)
    summary: dict[str, Any] = {"encoding": parsed.encoding} if parsed.encoding else {}
    if fmt == "xlsx":
        content, summary = as_csv(parsed), {"stored_as": "csv"}
    with transaction.atomic():
        job = ImportJob.objects.create(
            organization=organization,
            file_name=file_name,
            file_format=fmt,
            content=content,
            headers=parsed.headers,
            mapping=suggest_mapping(parsed.headers, targets),
            total_rows=len(parsed.rows),
            summary=summary,
            created_by=actor,
        )
        log_action(
            actor=actor,
            action="import.uploaded",
            target=job,
            data={"file_name": file_name, "rows": job.total_rows},
        )
    return job


def import_set_mapping(
    *, organization: Organization, actor: User | None, job: ImportJob, mapping: dict[str, Any]
) -> ImportJob:
    """Change the column mapping; the next dry run uses it (an earlier result no longer holds)."""
    access.require_import_permission(actor, access.MAP)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in REVALIDATABLE:
            raise ValidationError(
                f"This import is {job.get_status_display().lower()}: its columns cannot change."
            )
        job.mapping = clean_mapping(organization, job.headers, mapping)
        job.status = ImportStatus.UPLOADED
        job.processed_rows = 0
        job.problems = []
        job.summary = {k: v for k, v in job.summary.items() if k in ("encoding", "stored_as")}
        job.save(update_fields=["mapping", "status", "processed_rows", "problems", "summary"])
    return job


def import_request_validation(
    *,
    organization: Organization,
    actor: User | None,
    job: ImportJob,
    mapping: dict[str, Any] | None = None,
) -> ImportJob:
    """Save the column mapping (when given) and queue a dry run of every row."""
    access.require_import_permission(actor, access.CHECK)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in REVALIDATABLE:
            raise ValidationError(
                f"This import is {job.get_status_display().lower()}: it cannot be checked again."
            )
        if mapping is not None:
            job.mapping = clean_mapping(organization, job.headers, mapping)
        else:
            clean_mapping(organization, job.headers, job.mapping)
        job.status = ImportStatus.VALIDATING
        job.claimed_at = None
        job.processed_rows = 0
        job.problems = []
        job.summary = {k: v for k, v in job.summary.items() if k in ("encoding", "stored_as")}
        job.save(
            update_fields=[
                "mapping",
                "status",
                "claimed_at",
                "processed_rows",
                "problems",
                "summary",
            ]
        )
        enqueue_on_commit(validate_import, organization_id=organization.pk, job_id=job.pk)
    return job


def import_request_commit(
    *, organization: Organization, actor: User | None, job: ImportJob
) -> ImportJob:
    """Queue the commit of a checked import without problems."""
    access.require_import_permission(actor, access.COMMIT)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.VALIDATED:
            raise ValidationError("Check the file (dry run) before importing it.")
        if job.problems:
            raise ValidationError(
                "The file has problems: fix them and upload it again. Nothing was imported."
            )
        job.status = ImportStatus.COMMITTING
        job.claimed_at = None
        job.save(update_fields=["status", "claimed_at"])
        enqueue_on_commit(
            commit_import,
            organization_id=organization.pk,
            job_id=job.pk,
            actor_id=actor.pk if actor is not None else None,
        )
    return job


def _claim(job_id: int, status: str, now: datetime) -> bool:
    """Take the job for this step, unless another run holds it (a run older than the task time limit
    is dead: its worker was lost, and the redelivered message may take over)."""
    stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return bool(
        ImportJob.objects.filter(pk=job_id, status=status)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now)
    )


def run_validation(*, job_id: int) -> str:
    """Task body: the dry run. Progress is written every few hundred rows (visible as it goes)."""
    now = timezone.now()
    if not _claim(job_id, ImportStatus.VALIDATING, now):
        return "skipped"
    job = ImportJob.objects.select_related("organization").get(pk=job_id)
    mine = ImportJob.objects.filter(pk=job_id, status=ImportStatus.VALIDATING, claimed_at=now)

    def progress(done: int) -> None:
        mine.update(processed_rows=done)

    try:
        parsed = parse_stored(job)
        result = check_rows(job.organization, parsed, job.mapping, progress=progress)
    except Exception:
        logger.exception("import %s: the dry run failed", job_id)
        mine.update(
            status=ImportStatus.FAILED,
            problems=[_general_problem("The file could not be checked. Upload it again.")],
            finished_at=timezone.now(),
        )
        raise
    mine.update(
        status=ImportStatus.VALIDATED,
        processed_rows=job.total_rows,
        problems=result.problems,
        summary={**job.summary, **result.counts()},
        finished_at=timezone.now(),
    )
    return "validated"


def run_commit(*, job_id: int, actor_id: int | None) -> str:
    """Task body: check again against the directory as it is now, then write every row or none."""
    now = timezone.now()
    if not _claim(job_id, ImportStatus.COMMITTING, now):
        return "skipped"
    job = ImportJob.objects.select_related("organization").get(pk=job_id)
    organization = job.organization
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    if actor_id is not None and (actor is None or not access.user_may(actor, access.COMMIT)):
        # Asked again at run time: whoever queued the commit may have lost the right meanwhile.
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.COMMITTING, claimed_at=now).update(
            status=ImportStatus.FAILED,
            problems=[_general_problem(f"{access.REFUSAL} Nothing was imported.")],
            finished_at=timezone.now(),
        )
        return "refused"
    try:
        parsed = parse_stored(job)
        with transaction.atomic():
            directory.lock_reporting_lines(organization)
            result = check_rows(organization, parsed, job.mapping)
            if result.problems:
                outcome = "failed"
            else:
                outcome = "committed"
                applied = apply_plans(organization, result.plans, now=now)
                counts = result.counts()
                finished = ImportJob.objects.filter(
                    pk=job_id, status=ImportStatus.COMMITTING, claimed_at=now
                ).update(
                    status=ImportStatus.COMMITTED,
                    processed_rows=job.total_rows,
                    summary={**job.summary, **counts},
                    created_people=applied.created,
                    updated_people=applied.updated,
                    content=b"",  # the file may hold personal data: keep only what was imported
                    finished_at=timezone.now(),
                )
                if not finished:
                    raise RuntimeError(f"import {job_id} was taken over while committing")
                log_action(
                    actor=actor,
                    action="import.committed",
                    target=job,
                    data={
                        "file_name": job.file_name,
                        **counts,
                        "created_people": applied.created,
                        "updated_people": applied.updated,
                    },
                )
    except Exception:
        logger.exception("import %s: the commit failed", job_id)
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.COMMITTING, claimed_at=now).update(
            status=ImportStatus.FAILED,
            problems=[_general_problem("The import failed; nothing was imported. Try again.")],
            finished_at=timezone.now(),
        )
        raise
    if outcome == "failed":
        # The directory changed since the dry run: nothing written, every problem shown.
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.COMMITTING, claimed_at=now).update(
            status=ImportStatus.FAILED,
            problems=result.problems,
            summary={**job.summary, **result.counts()},
            finished_at=timezone.now(),
        )
    return outcome


def _general_problem(message: str) -> dict[str, Any]:
    return {"row": None, "field": "", "column": "", "message": message}


def problem_rows(problems: Iterable[dict[str, Any]]) -> int:
    return len({problem["row"] for problem in problems if problem.get("row")})


# --- Tasks -------------------------------------------------------------------------------------------
# Tenant tasks: they take ids, run inside the organisation's scope and claim their job first.


@shared_task(base=TenantTask, name="participants.validate_import", ignore_result=True)
def validate_import(*, job_id: int) -> str:
    return run_validation(job_id=job_id)


@shared_task(base=TenantTask, name="participants.commit_import", ignore_result=True)
def commit_import(*, job_id: int, actor_id: int | None = None) -> str:
    return run_commit(job_id=job_id, actor_id=actor_id)
