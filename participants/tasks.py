"""Import steps as tenant tasks: they take ids, run inside the organisation's scope and claim their
job with a conditional update first (``participants.importing``), so a repeated message is a no-op."""

from __future__ import annotations

from celery import shared_task

from organizations.tasks import TenantTask
from participants import importing


@shared_task(base=TenantTask, name="participants.validate_import", ignore_result=True)
def validate_import(*, job_id: int) -> str:
    return importing.run_validation(job_id=job_id)


@shared_task(base=TenantTask, name="participants.commit_import", ignore_result=True)
def commit_import(*, job_id: int, actor_id: int | None = None) -> str:
    return importing.run_commit(job_id=job_id, actor_id=actor_id)
