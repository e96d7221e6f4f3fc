"""The delivery task: one attempt per run, retried with exponential backoff (minutes at most)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from organizations.tasks import TenantTask
from webhooks import delivery
from webhooks.models import WebhookDelivery


@shared_task(base=TenantTask, bind=True, name="webhooks.deliver", ignore_result=True)
def deliver(self: Any, *, delivery_id: int) -> str:
    outcome = delivery.attempt(delivery_id)
    if outcome == delivery.Outcome.RETRY:
        made = (
            WebhookDelivery.objects.filter(pk=delivery_id)
            .values_list("attempts_made", flat=True)
            .first()
        ) or 1
        raise self.retry(countdown=delivery.backoff_seconds(made), max_retries=None)
    return str(outcome)
