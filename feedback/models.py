from __future__ import annotations

from django.db import models
from django.utils import timezone

from organizations.tenancy import TenantModel


class TouchpointStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Touchpoint(TenantModel):
    """One scheduled thing to send (a check-in, a survey wave, a reminder), as a row with a due time.

    Beat's one-minute sweeper claims due rows with ``SELECT … FOR UPDATE SKIP LOCKED`` and queues one
    send task per row; the send task claims the row again with a conditional update before acting,
    so a row is sent at most once even when sweepers or workers overlap (DESIGN.md §6).
    """

    kind = models.CharField(max_length=50)
    idempotency_key = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=TouchpointStatus.choices, default=TouchpointStatus.PENDING
    )
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("due_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "idempotency_key"), name="touchpoint_unique_key"
            )
        ]
        indexes = [
            models.Index(
                fields=("due_at",),
                condition=models.Q(status="pending"),
                name="touchpoint_due_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key} due {self.due_at:%Y-%m-%d %H:%M}"
