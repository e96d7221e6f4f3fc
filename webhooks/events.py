"""``emit``: the one door through which an event becomes deliveries. The receivers of the domain
apps' signals (``webhooks/receivers.py``) call ``emit_on_commit`` inside the transaction that made
the change: once it commits, the deliveries are written (in the organisation's scope) and their
tasks queued, so rolled-back work tells nobody and the domain's transaction gains no query."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from organizations.scope import require_organization_id, tenant_scope
from organizations.tasks import enqueue_on_commit
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint


def envelope(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event_type, "timestamp": timezone.now().isoformat(), "data": data}


def emit(*, event_type: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery per active endpoint of the scoped organisation subscribed to ``event_type``."""
    assert event_type in EventType.values, event_type
    organization_id = require_organization_id()
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True).order_by("id")
        if event_type in endpoint.events
    ]
    deliveries = [
        _deliver(endpoint, event_type, envelope(event_type, data), organization_id)
        for endpoint in endpoints
    ]
    return deliveries


def _deliver(
    endpoint: WebhookEndpoint, event_type: str, payload: dict[str, Any], organization_id: int
) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        organization_id=organization_id, endpoint=endpoint, event_type=event_type, payload=payload
    )
    queue(delivery)
    return delivery


def queue(delivery: WebhookDelivery) -> None:
    from webhooks.tasks import deliver

    enqueue_on_commit(deliver, organization_id=delivery.organization_id, delivery_id=delivery.pk)


def emit_on_commit(make: Callable[[], list[tuple[str, dict[str, Any]]]]) -> None:
    """After commit, in the current organisation's scope: ``make()`` gives the events (type, data)
    to emit. A failure is logged, never raised: the domain change is committed already."""
    organization_id = require_organization_id()

    def run() -> None:
        with tenant_scope(organization_id):
            # Most organisations have no endpoint: one read, and no transaction to open for it.
            if not WebhookEndpoint.objects.filter(is_active=True).exists():
                return
            with transaction.atomic():
                for event_type, data in make():
                    emit(event_type=event_type, data=data)

    transaction.on_commit(run, robust=True)
