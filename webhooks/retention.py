"""Deliveries do not pile up forever: a nightly sweep (beat, ``webhooks.prune_deliveries``)
deletes every organisation's deliveries older than ``FLIPSIDE_WEBHOOKS_DELIVERY_RETENTION_DAYS``
(30 by default), with their attempts. A delivery still being sent (a live claim) is left alone; one
left pending that long is stuck (its task was lost) and goes too. Idempotent: a second run finds
nothing. A sweeper, so unscoped (the named escape hatch)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from organizations.scope import dangerously_unscoped
from webhooks.models import WebhookDelivery

BATCH = 2000  # rows per DELETE: short locks on a big table


def retention_days() -> int:
    days: int = settings.FLIPSIDE_WEBHOOKS_DELIVERY_RETENTION_DAYS
    return days


def prune_deliveries(*, now: datetime | None = None) -> int:
    """Delete deliveries (and their attempts) created before the retention; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    deleted = 0
    with dangerously_unscoped():
        old = WebhookDelivery.objects.filter(created_at__lt=cutoff).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        )
        while ids := list(old.order_by("pk").values_list("pk", flat=True)[:BATCH]):
            WebhookDelivery.objects.filter(pk__in=ids).delete()
            deleted += len(ids)
    return deleted
