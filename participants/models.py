"""The organisation's people and their enrolment in programs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.fields import OneLineCharField
from organizations.tenancy import TenantModel
from programs.models import CharterVersion, Program, Topic, TrainingResource


class Person(TenantModel):
    """One entry of the organisation's directory (from HR import or added by hand).

    A person may have no account yet; ``user`` links them once they sign in. ``demographics`` are
    optional, self-reported and consented, and are only ever shown as aggregates.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField()
    employee_id = OneLineCharField(max_length=64, blank=True)
    # The identity provider's own id for the person (SCIM ``externalId``), kept as it sent it.
    external_id = OneLineCharField(max_length=255, blank=True)
    full_name = OneLineCharField(max_length=200)
    job_title = OneLineCharField(max_length=200, blank=True)
    department = OneLineCharField(max_length=120, blank=True)
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    location = OneLineCharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    languages = models.JSONField(default=list, blank=True)
    start_date = models.DateField(null=True, blank=True)
    demographics = models.JSONField(default=dict, blank=True)
    demographics_consented_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # Deleted by the identity provider (SCIM DELETE): deactivated and gone from SCIM (404 there),
    # kept in the directory and its history; a later SCIM create of the same email brings it back.
    scim_deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("full_name", "id")
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint("organization", Lower("email"), name="person_unique_email"),
            models.UniqueConstraint(
                fields=("organization", "employee_id"),
                condition=~models.Q(employee_id=""),
                name="person_unique_employee_id",
            ),
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("id")), name="person_not_own_manager"
            ),
        ]
        indexes = [models.Index(fields=("organization", "manager"), name="person_org_manager")]

    def __str__(self) -> str:
        return self.full_name


class EnrollmentRole(models.TextChoices):
    MENTOR = "mentor", "Mentor (the junior who teaches)"
    MENTEE = "mentee", "Mentee (the executive who learns)"


class EnrollmentStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    APPLIED = "applied", "Applied"
    ACCEPTED = "accepted", "Accepted"
    WAITLISTED = "waitlisted", "Waitlisted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DECLINED = "declined", "Declined"


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video"
    EITHER = "either", "Either"


class Enrollment(TenantModel):
    """A person in a program as mentor or mentee, with their registration answers."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrollments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrollments")
    role = models.CharField(max_length=10, choices=EnrollmentRole.choices)
    status = models.CharField(
        max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.INVITED
    )
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    # Registration: answers to the program's questions, keyed by question id.
    answers = models.JSONField(default=dict, blank=True)
    interests = models.ManyToManyField(
        Topic, through="EnrollmentInterest", blank=True, related_name="+"
    )
    # [{"weekday": 0-6, "start": "HH:MM", "end": "HH:MM"}] in the person's time zone.
    availability = models.JSONField(default=list, blank=True)
    meeting_format = models.CharField(
        max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.EITHER
    )
    max_mentees = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="A mentor's own limit, at most the program's maximum.",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("program", "role", "id")
        constraints = [
            models.UniqueConstraint(fields=("program", "person"), name="enrollment_unique_person")
        ]
        indexes = [
            models.Index(fields=("program", "status", "role"), name="enrollment_program_status")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} as {self.role} in {self.program_id}"


class EnrollmentInterest(TenantModel):
    """Through table of Enrollment.interests (carries its organisation like every tenant row)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("enrollment", "topic"), name="enrollment_interest_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}:{self.topic_id}"


class SkillDirection(models.TextChoices):
    TEACH = "teach", "Can teach"
    LEARN = "learn", "Wants to learn"


class EnrollmentSkill(TenantModel):
    """A skill an enrolled person can teach or wants to learn, with a level (1 basic - 5 expert)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="skills")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=5, choices=SkillDirection.choices)
    level = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ("enrollment", "direction", "topic")
        constraints = [
            models.UniqueConstraint(
                fields=("enrollment", "topic", "direction"), name="enrollment_skill_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.topic_id} at {self.level}"


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    SCALE = "scale", "Scale"
    SHORT_TEXT = "short_text", "Short text"


class MatchingUse(models.TextChoices):
    NONE = "none", "Not used for matching"
    SIMILAR = "similar", "Prefer pairs who answer alike"
    DIFFERENT = "different", "Prefer pairs who answer differently"


class RegistrationQuestion(TenantModel):
    """A custom question on a program's registration form, and whether/how it feeds matching."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="registration_questions"
    )
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    choices = models.JSONField(default=list, blank=True)
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    required = models.BooleanField(default=False)
    audience = models.CharField(
        max_length=10,
        choices=[("mentors", "Mentors"), ("mentees", "Mentees"), ("both", "Both")],
        default="both",
    )
    matching_use = models.CharField(
        max_length=10, choices=MatchingUse.choices, default=MatchingUse.NONE
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("program", "position", "id")

    def __str__(self) -> str:
        return self.text


class CharterAcceptance(TenantModel):
    """A participant accepted one version of their program's charter."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="charter_acceptances"
    )
    charter_version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("enrollment", "charter_version"), name="charter_acceptance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} accepted v{self.charter_version_id}"


class TrainingCompletion(TenantModel):
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="training_completions"
    )
    resource = models.ForeignKey(TrainingResource, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("enrollment", "resource"), name="training_completion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} completed {self.resource_id}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    VALIDATING = "validating", "Checking"
    VALIDATED = "validated", "Checked"
    COMMITTING = "committing", "Importing"
    COMMITTED = "committed", "Imported"
    FAILED = "failed", "Failed"


class ImportJob(TenantModel):
    """A CSV/XLSX import of the directory: upload, map columns, dry run, commit all or nothing."""

    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10)
    content = models.BinaryField()
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # [{"row": 7, "field": "email", "message": "..."}]
    problems = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    # Which people an applied import added and which it changed (person ids, in file order): the
    # job page, the API and the audit entry say whom an import touched. Ids, not a relation: a
    # person deleted later leaves the record of the import as it was.
    created_people = models.JSONField(default=list, blank=True)
    updated_people = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set by the task that runs the current step (validate or commit); cleared when a step is
    # requested. A task acts only after claiming it with a conditional update (idempotent tasks).
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Import {self.file_name} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class InvitationBatchStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    DONE = "done", "Sent"
    FAILED = "failed", "Failed"


class InvitationBatch(TenantModel):
    """One bulk invitation to a program: who was chosen, and the progress of the task that emails
    them (``participants/onboarding/sending.py``). ``enrollment_ids`` are the invited enrolments
    (new and already invited ones) in the order they are emailed."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=EnrollmentRole.choices)
    resend = models.BooleanField(default=False)
    enrollment_ids = models.JSONField(default=list, blank=True)
    # {"chosen": n, "new": n, "already_invited": n, "already_in": n}: counted when asked.
    summary = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=InvitationBatchStatus.choices, default=InvitationBatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "invitation batches"

    def __str__(self) -> str:
        return f"Invitation of {self.total} to {self.program_id} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total:
            return 100 if self.status == InvitationBatchStatus.DONE else 0
        return min(100, round(100 * self.processed / self.total))

    @property
    def is_running(self) -> bool:
        return self.status in (InvitationBatchStatus.QUEUED, InvitationBatchStatus.SENDING)


class InvitationLetter(TenantModel):
    """The email of one program invitation and its one-use link (only the token's hash is kept).

    One per enrolment: sending again (a resend) replaces the token, so only the latest link works.
    ``used_at`` is set when the link signed the person up or in. Once the enrolment is no longer
    an open invitation (accepted, declined, withdrawn, closed by the staff) the link says so."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE, related_name="letter")
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    batch = models.ForeignKey(
        InvitationBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-sent_at", "-id")

    def __str__(self) -> str:
        return f"Invitation letter of {self.enrollment_id}"


class InvitationsKeptOpen(TenantModel):
    """The staff saw a program's open invitations and chose to keep them open (instead of closing
    them) as it moves to matching. It covers the invitations sent up to ``decided_at``: a later
    invitation asks again (``participants/onboarding/open_invitations.py``)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    open_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-decided_at", "-id")
        verbose_name_plural = "invitations kept open"

    def __str__(self) -> str:
        return f"{self.open_count} invitations of {self.program_id} kept open"


class ScimToken(TenantModel):
    """A bearer token with which the organisation's identity provider provisions its directory
    through SCIM 2.0 (``participants/scim``). Only its hash is stored; it is shown once."""

    PREFIX = "fscim_"

    name = OneLineCharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class DirectoryGroup(TenantModel):
    """A group of directory people as the identity provider keeps it (SCIM ``Group``): e.g. "2027
    reverse mentoring executives". Provisioned through SCIM; the directory filters by it."""

    display_name = OneLineCharField(max_length=255)
    external_id = OneLineCharField(max_length=255, blank=True)
    members = models.ManyToManyField(Person, through="DirectoryGroupMember", related_name="groups")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("display_name", "id")
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("display_name"), name="directory_group_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class DirectoryGroupMember(TenantModel):
    group = models.ForeignKey(DirectoryGroup, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("group", "person"), name="directory_group_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.group_id}"
