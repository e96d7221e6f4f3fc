"""Webhooks: an organisation's endpoints, each event's delivery to one endpoint, and every attempt
of a delivery (``docs/webhooks.md``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.fields import OneLineCharField
from organizations.tenancy import TenantModel


class EventType(models.TextChoices):
    PAIR_PUBLISHED = "pair.published", "A pair was published"
    PAIR_ENDED = "pair.ended", "A pair ended or completed"
    SESSION_LOGGED = "session.logged", "A session was logged"
    CHECK_IN_CONTACT = "check_in.contact_requested", "A check-in asked to be contacted"
    PAIR_AT_RISK = "pair.at_risk", "A pair became at risk"
    SURVEY_WAVE_CLOSED = "survey.wave_closed", "A survey wave closed"
    TEST = "webhook.test", "A test event (sent by hand)"


SUBSCRIBABLE = [choice for choice in EventType.choices if choice[0] != EventType.TEST]


class WebhookEndpoint(TenantModel):
    """A URL of the organisation's that is told about the events it subscribed to. The secret
    signs every delivery (shown once, when created or rotated). Disabled by an admin, or by
    ``FAILURES_TO_DISABLE`` deliveries in a row that used up their retries."""

    url = models.URLField(max_length=500)
    description = OneLineCharField(max_length=200, blank=True)
    events = models.JSONField(default=list)  # EventType values, the test event left out
    secret = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (retries used up)"


class WebhookDelivery(TenantModel):
    """One event for one endpoint. ``message_id`` is the ``webhook-id`` header: the same for every
    attempt and redelivery, so a receiver can drop duplicates."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(max_length=40, default="")
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts_made = models.PositiveSmallIntegerField(default=0)
    # A task sending it holds it until then (a worker that died lets it go when the time passes).
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("endpoint", "-created_at"), name="webhook_delivery_recent")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.message_id:
            self.message_id = f"msg_{uuid.uuid4().hex}"
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"


class WebhookAttempt(TenantModel):
    """One HTTP request of a delivery: what came back (or the error), and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("started_at", "id")

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
