from __future__ import annotations

from celery import shared_task

from feedback import touchpoints
from organizations.tasks import TenantTask


@shared_task(name="feedback.sweep_due_touchpoints", ignore_result=True)
def sweep_due_touchpoints() -> int:
    """Beat, every minute: claim due touchpoints in every organisation and queue their sends."""
    return len(touchpoints.sweep_due())


@shared_task(base=TenantTask, name="feedback.send_touchpoint", ignore_result=True)
def send_touchpoint(*, touchpoint_id: int) -> str:
    return touchpoints.deliver(touchpoint_id=touchpoint_id)
