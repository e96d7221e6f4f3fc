from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from organizations.tenancy import TenantModel


class ExportDataset(models.TextChoices):
    ENROLMENTS = "enrolments", "Enrolments"
    PAIRS = "pairs", "Pairs"
    SESSIONS = "sessions", "Sessions (facts only)"
    CHECK_INS = "check_ins", "Check-ins"
    ENGAGEMENT = "engagement", "Engagement scores"
    SURVEY_RESULTS = "survey_results", "Survey results (aggregates)"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ExportJob(TenantModel):
    """One CSV or XLSX export asked for by one person: queued → running → done | failed.

    The task (``dashboards/exports/jobs.py``) claims the row, writes the file to a temporary file,
    counting ``processed_rows`` as it goes, and stores it only when every row is written; a failed
    job has no file and says why in ``error``. The file is the requester's to download until
    ``expires_at``; a periodic task deletes expired files (the row stays, for the list and audit).
    """

    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for an organisation-wide export.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    dataset = models.CharField(max_length=20, choices=ExportDataset.choices)
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    # The cleaned filters ({"date_from": "2026-01-01", "role": "mentor", …}).
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to="exports/", blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set by the task that runs the job; a task acts only after claiming it (idempotent tasks).
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(
                fields=("expires_at",),
                condition=~models.Q(file=""),
                name="export_file_expiry",
            )
        ]

    def __str__(self) -> str:
        return f"Export {self.dataset} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ExportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
