"""Reads of webhooks (in the scoped organisation)."""

from __future__ import annotations

from django.db.models import QuerySet

from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.order_by("id")


def delivery_list(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")


def attempts_of(deliveries: list[WebhookDelivery]) -> dict[int, list[WebhookAttempt]]:
    found: dict[int, list[WebhookAttempt]] = {d.pk: [] for d in deliveries}
    for attempt in WebhookAttempt.objects.filter(delivery__in=deliveries).order_by("number", "id"):
        found[attempt.delivery_id].append(attempt)
    return found
