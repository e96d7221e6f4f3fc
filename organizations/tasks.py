"""Celery task base for tenant work: the task takes ``organization_id`` and runs inside that scope.

Tasks receive ids, never model instances, and re-enter the organisation scope themselves, so a task
body uses the ordinary scoped managers and RLS exactly like a request does.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.db import transaction

from organizations.idempotency import purge_expired
from organizations.models import Organization
from organizations.scope import ScopeError, tenant_scope


class TenantTask(Task):
    """Base for tasks on one organisation's data. Call with ``organization_id=`` as a keyword."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    # Celery's own argument check does not know about organization_id; apply_async checks instead.
    typing = False

    def apply_async(  # type: ignore[override]
        self, args: Any = None, kwargs: Any = None, **options: Any
    ) -> Any:
        kwargs = dict(kwargs or {})
        if not isinstance(kwargs.get("organization_id"), int):
            raise ScopeError(f"{self.name} needs organization_id=<int> to know its organisation.")
        header = getattr(self, "__header__", None)
        if header is not None:
            rest = {key: value for key, value in kwargs.items() if key != "organization_id"}
            header(*(args or ()), **rest)  # raises TypeError on a wrong signature, as Celery would
        return super().apply_async(args, kwargs, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        organization_id = kwargs.pop("organization_id", None)
        if not isinstance(organization_id, int):
            raise ScopeError(f"{self.name} needs organization_id=<int>; got {organization_id!r}.")
        organization = Organization.objects.filter(pk=organization_id, is_active=True).first()
        if organization is None:
            # The organisation was removed or deactivated after the task was queued: nothing to do.
            return None
        with tenant_scope(organization):
            return super().__call__(*args, **kwargs)


def enqueue_on_commit(task: Task, *, organization_id: int, **kwargs: Any) -> None:
    """Queue a tenant task once the current transaction commits (never for rolled-back work)."""
    transaction.on_commit(
        lambda: task.apply_async(kwargs={"organization_id": organization_id, **kwargs})
    )


@shared_task(name="organizations.purge_idempotency_records", ignore_result=True)
def purge_idempotency_records() -> int:
    """Beat, hourly: forget Idempotency-Keys older than a day (every organisation)."""
    return purge_expired()
