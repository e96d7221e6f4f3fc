"""An endpoint with one failed delivery, for the matrices and the tests."""

from __future__ import annotations

from django.utils import timezone

from webhooks import signing
from webhooks.models import (
    DeliveryStatus,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


def endpoint_with_failed_delivery(
    organization_id: int, url: str = "https://hooks.example.test/in"
) -> tuple[WebhookEndpoint, WebhookDelivery]:
    endpoint = WebhookEndpoint.objects.create(
        organization_id=organization_id,
        url=url,
        events=[EventType.SESSION_LOGGED],
        secret=signing.new_secret(),
    )
    delivery = WebhookDelivery.objects.create(
        organization_id=organization_id,
        endpoint=endpoint,
        event_type=EventType.SESSION_LOGGED,
        payload={"type": EventType.SESSION_LOGGED, "data": {}},
        status=DeliveryStatus.FAILED,
        attempts_made=1,
        finished_at=timezone.now(),
    )
    WebhookAttempt.objects.create(
        organization_id=organization_id, delivery=delivery, number=1, status_code=500
    )
    return endpoint, delivery
