"""Programs: what a reverse mentoring cohort is for, when it runs, and the rules it runs by."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.fields import OneLineCharField
from organizations.tenancy import TenantModel


class Topic(TenantModel):
    """The organisation's vocabulary: program focus topics and the skills people teach or learn
    (e.g. "AI tools", "Social media", "DEI"). One list, so matching can compare them directly."""

    name = OneLineCharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="topic_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ENROLLING = "enrolling", "Enrolling"
    MATCHING = "matching", "Matching"
    ACTIVE = "active", "Active"
    CLOSING = "closing", "Closing"
    CLOSED = "closed", "Closed"


class Program(TenantModel):
    """One cohort of reverse mentoring: junior mentors paired with executive mentees."""

    name = OneLineCharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    focus_topics = models.ManyToManyField(
        Topic, through="ProgramTopic", blank=True, related_name="+"
    )
    start_date = models.DateField(null=True, blank=True)
    mid_review_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    session_cadence_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    checkin_cadence_days = models.PositiveSmallIntegerField(
        default=28, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    max_mentees_per_mentor = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    self_registration = models.BooleanField(
        default=False, help_text="People may apply themselves; an admin approves each application."
    )
    # Wording overrides, e.g. {"program": "upward mentoring", "mentor": "reverse mentor"}.
    terminology = models.JSONField(default=dict, blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProgramCoordinator", blank=True, related_name="+"
    )
    duplicated_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(start_date__lt=models.F("end_date")),
                name="program_start_before_end",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def term(self, key: str, default: str) -> str:
        value = self.terminology.get(key) if isinstance(self.terminology, dict) else None
        return str(value) if value else default


# A program's settings: what people set on the program page and in the API, in that order. The
# status moves through the lifecycle and the focus topics are a relation set beside them. The
# services, the page form, the API serializer and duplication all take the list from here.
PROGRAM_SETTINGS: tuple[str, ...] = (
    "name",
    "description",
    "start_date",
    "mid_review_date",
    "end_date",
    "time_zone",
    "session_cadence_days",
    "checkin_cadence_days",
    "max_mentees_per_mentor",
    "self_registration",
    "terminology",
)
PROGRAM_DATES: tuple[str, ...] = ("start_date", "mid_review_date", "end_date")


class ProgramTopic(TenantModel):
    """Through table of Program.focus_topics: carries its organisation like every tenant row
    (set it with ``through_defaults={"organization_id": ...}``)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("program", "topic"), name="program_topic_unique")
        ]

    def __str__(self) -> str:
        return f"{self.program_id}:{self.topic_id}"


class ProgramCoordinator(TenantModel):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("program", "user"), name="program_coordinator_unique")
        ]

    def __str__(self) -> str:
        return f"coordinator {self.user_id} of {self.program_id}"


class Audience(models.TextChoices):
    MENTORS = "mentors", "Mentors"
    MENTEES = "mentees", "Mentees"
    BOTH = "both", "Both"


class Objective(TenantModel):
    """A measurable aim of the program: baseline and target on the scale of the anchor survey items
    that measure it (``surveys.ObjectiveAnchor``); ``measure`` is an optional note for a figure
    that no survey item carries."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="objectives")
    statement = models.CharField(max_length=300)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.BOTH)
    measure = models.CharField(
        max_length=200,
        blank=True,
        help_text="What measures it, when no survey anchor item does (link anchor items instead).",
    )
    baseline = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=8, decimal_places=2)
    unit = models.CharField(max_length=30, blank=True, help_text="e.g. '%' or 'points (1-5)'")
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.statement


class CharterVersion(TenantModel):
    """The ground rules and confidentiality charter. Versions are immutable once published;
    participants accept the current version, and a new version asks everyone again."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="charter_versions")
    version = models.PositiveIntegerField()
    body = models.TextField(help_text="Markdown-free plain text; paragraphs are kept.")
    change_note = models.CharField(max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("program", "-version")
        constraints = [
            models.UniqueConstraint(fields=("program", "version"), name="charter_unique_version")
        ]

    def __str__(self) -> str:
        return f"Charter v{self.version}"


class TrainingResource(TenantModel):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="training")
    title = OneLineCharField(max_length=200)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.BOTH)
    url = models.URLField(blank=True)
    body = models.TextField(blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="", body=""), name="training_has_link_or_text"
            )
        ]

    def __str__(self) -> str:
        return self.title
