"""The delivery task: one attempt per run, retried with exponential backoff (minutes at most); the
nightly prune of old deliveries (``webhooks.retention``)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from organizations.scope import require_organization_id
from organizations.tasks import TenantTask
from webhooks import delivery, retention
from webhooks.models import WebhookDelivery


@shared_task(
    base=TenantTask,
    bind=True,
    name="webhooks.deliver",
    ignore_result=True,
    max_retries=None,  # the delivery row counts its attempts (FLIPSIDE_WEBHOOKS_ATTEMPTS)
)
def deliver(self: Any, *, delivery_id: int) -> str:
    outcome = delivery.attempt(delivery_id)
    if outcome == delivery.Outcome.RETRY:
        made = (
            WebhookDelivery.objects.filter(pk=delivery_id)
            .values_list("attempts_made", flat=True)
            .first()
        ) or 1
        # The organisation is named again: TenantTask took it out of the kwargs it was called with.
        raise self.retry(
            kwargs={"organization_id": require_organization_id(), "delivery_id": delivery_id},
            countdown=delivery.backoff_seconds(made),
        )
    return str(outcome)


@shared_task(name="webhooks.prune_deliveries", ignore_result=True)
def prune_deliveries() -> int:
    """Beat, nightly: delete every organisation's deliveries older than the retention."""
    return retention.prune_deliveries()
