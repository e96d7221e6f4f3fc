"""People's data rights: a person's export, the organisation's retention rules, and what erasure
leaves of a pair for rotation (``docs/privacy.md`` holds the rules)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from organizations.tenancy import TenantModel


class PersonExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PersonExport(TenantModel):
    """A zip (JSON + CSV) of everything stored about one person, asked for by the person or an
    admin: queued → running → done | failed. The file is its requester's alone, until
    ``expires_at``; the hourly sweep deletes expired files (the row stays, for the audit)."""

    person = models.ForeignKey("participants.Person", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The person asked for their own data: their anonymous survey answers are included (never in
    # an export that someone else asked for, which would tell that person who answered what).
    by_self = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=PersonExportStatus.choices, default=PersonExportStatus.QUEUED
    )
    total_parts = models.PositiveIntegerField(default=0)
    processed_parts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to="person-exports/", blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Export of person {self.person_id} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_parts:
            return 100 if self.status == PersonExportStatus.DONE else 0
        return min(100, round(100 * self.processed_parts / self.total_parts))

    @property
    def is_running(self) -> bool:
        return self.status in (PersonExportStatus.QUEUED, PersonExportStatus.RUNNING)

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


def _months(help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=help_text,
    )


class RetentionPolicy(TenantModel):
    """How long the organisation keeps each kind of data; empty keeps it. One row per organisation
    (none: everything is kept). The nightly sweep (``privacy/retention/``) enforces it."""

    pair_notes_months = _months("Delete a pair's notes this many months after its program closed.")
    survey_text_months = _months(
        "Delete survey free-text answers this many months after the survey closed."
    )
    check_in_text_months = _months(
        "Delete check-in blockers this many months after the check-in was answered."
    )
    audit_months = _months("Delete audit entries older than this many months.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "retention policies"
        constraints = [
            models.UniqueConstraint(fields=("organization",), name="retention_policy_one_per_org")
        ]

    def __str__(self) -> str:
        return f"retention policy of organisation {self.organization_id}"


class ErasedPairing(TenantModel):
    """A pair one of whose people was erased, kept only as a keyed hash so that rotation ("do not
    pair these two again") still holds if the person comes back under the same email address.

    ``pair_key`` is ``HMAC(secret, org:email a) XOR HMAC(secret, org:email b)`` in hex
    (``privacy/rotation.py``): symmetric, and without ``FLIPSIDE_ROTATION_SECRET`` it tells nothing.
    """

    pair_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "pair_key"), name="erased_pairing_unique_key"
            )
        ]

    def __str__(self) -> str:  # never the key
        return f"erased pairing {self.pk}"
