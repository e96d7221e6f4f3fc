from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.fields import OneLineCharField
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
    # The lease token of the worker process holding the row (core/leases.py): when that process
    # dies, the sweep takes the row back.
    claimed_by = models.CharField(max_length=120, blank=True, default="")
    # Taken back from a worker that died while sending it: the handler sends it again even though
    # its own record says it went out (the email may not have).
    interrupted = models.BooleanField(default=False)
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
            ),
            # The minute sweep's recovery looks at claimed rows only (few, whatever the history).
            models.Index(
                fields=("claimed_at",),
                condition=models.Q(status__in=("queued", "sending")),
                name="touchpoint_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key} due {self.due_at:%Y-%m-%d %H:%M}"


# --- Relationships: what a pair does together (DESIGN.md §5, visibility in feedback/visibility.py) --


class SessionFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone"
    OTHER = "other", "Other"


class SessionStatus(models.TextChoices):
    # "We met" from a check-in email: the date is known, the details are still to be filled in.
    DRAFT = "draft", "Draft"
    AWAITING = "awaiting", "Awaiting confirmation"
    CONFIRMED = "confirmed", "Confirmed"


class SessionSource(models.TextChoices):
    LOGGED = "logged", "Logged"
    CHECK_IN = "check_in", "From a check-in"


MAX_SESSION_MINUTES = 600


class SessionLog(TenantModel):
    """One meeting of a pair, logged by one member and confirmed (or corrected) by the other.

    Who sees what is ``feedback.visibility``: staff see the facts (date, duration, format, topics,
    status), never ``learned`` or ``action_items``, which are the pair's shared notes.
    """

    pair = models.ForeignKey("matching.Pair", on_delete=models.CASCADE, related_name="sessions")
    logged_by = models.ForeignKey(
        "participants.Enrollment", on_delete=models.CASCADE, related_name="+"
    )
    held_on = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSION_MINUTES)]
    )
    format = models.CharField(
        max_length=10, choices=SessionFormat.choices, default=SessionFormat.VIDEO
    )
    topics = models.ManyToManyField(
        "programs.Topic", through="SessionTopic", blank=True, related_name="+"
    )
    learned = models.TextField(blank=True)
    action_items = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.AWAITING
    )
    source = models.CharField(
        max_length=10, choices=SessionSource.choices, default=SessionSource.LOGGED
    )
    confirmed_by = models.ForeignKey(
        "participants.Enrollment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The partner changed the facts when confirming; the audit log keeps before and after.
    corrected = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-held_on", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1)
                & models.Q(duration_minutes__lte=MAX_SESSION_MINUTES),
                name="session_duration_range",
            )
        ]
        indexes = [models.Index(fields=("pair", "held_on"), name="session_pair_held_on")]

    def __str__(self) -> str:
        return f"session of pair {self.pair_id} on {self.held_on}"


class PlannedSessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    CANCELLED = "cancelled", "Cancelled"


class PlannedSession(TenantModel):
    """A meeting a pair has planned (the calendar invitation both members get by email).

    Its calendar identity (``feedback.ics.session_uid``) stays the same for its whole life;
    ``sequence`` counts the invitations sent after the first (each move, the cancellation), so a
    calendar replaces the earlier copy. ``starts_at`` is null for a date-only plan (an all-day
    event on ``starts_on``)."""

    pair = models.ForeignKey(
        "matching.Pair", on_delete=models.CASCADE, related_name="planned_sessions"
    )
    planned_by = models.ForeignKey(
        "participants.Enrollment", on_delete=models.CASCADE, related_name="+"
    )
    starts_on = models.DateField()
    starts_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(default=60)
    location = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    sequence = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=PlannedSessionStatus.choices, default=PlannedSessionStatus.PLANNED
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("starts_on", "starts_at", "id")
        indexes = [models.Index(fields=("pair", "starts_on"), name="planned_session_pair_day")]

    def __str__(self) -> str:
        return f"planned session of pair {self.pair_id} on {self.starts_on}"


class SessionTopic(TenantModel):
    """Through table of SessionLog.topics (a tenant row like every other)."""

    session = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey("programs.Topic", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("session", "topic"), name="session_topic_unique")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.topic_id}"


class NoteVisibility(models.TextChoices):
    SHARED = "shared", "Shared with my partner"
    PRIVATE = "private", "Only me"


class Note(TenantModel):
    """A pair member's note: shared with the partner, or private to its author. Never staff's."""

    pair = models.ForeignKey("matching.Pair", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "participants.Enrollment", on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        SessionLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    visibility = models.CharField(max_length=10, choices=NoteVisibility.choices)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.visibility} note {self.pk} of pair {self.pair_id}"


class GoalOwner(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"


class GoalStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class Goal(TenantModel):
    """What one side of a pair wants to achieve, with progress 0-100 % moved by updates."""

    pair = models.ForeignKey("matching.Pair", on_delete=models.CASCADE, related_name="goals")
    owner = models.CharField(max_length=10, choices=GoalOwner.choices)
    description = models.CharField(max_length=300)
    target_date = models.DateField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    created_by = models.ForeignKey(
        "participants.Enrollment", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("pair", "status", "target_date", "id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="goal_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return self.description


class GoalUpdate(TenantModel):
    """One step of a goal's progress, with the pair's comment (the pair's text, not staff's)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        "participants.Enrollment", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    progress = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("goal", "-created_at", "-id")

    def __str__(self) -> str:
        return f"goal {self.goal_id} → {self.progress} %"


class CheckInStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    SENT = "sent", "Sent"
    ANSWERED = "answered", "Answered"
    CANCELLED = "cancelled", "Cancelled"


class CheckIn(TenantModel):
    """One pulse asked of one pair member on one date (the touchpoint sends it).

    ``wants_contact`` and the answers go to staff; the partner never sees another's check-in.
    """

    pair = models.ForeignKey("matching.Pair", on_delete=models.CASCADE, related_name="check_ins")
    enrollment = models.ForeignKey(
        "participants.Enrollment", on_delete=models.CASCADE, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=CheckInStatus.choices, default=CheckInStatus.PLANNED
    )
    touchpoint = models.OneToOneField(
        Touchpoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    blockers = models.TextField(blank=True)
    wants_contact = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-due_on", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("pair", "enrollment", "due_on"), name="check_in_unique_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True)
                | (models.Q(rating__gte=1) & models.Q(rating__lte=5)),
                name="check_in_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"check-in of {self.enrollment_id} due {self.due_on}"


class EngagementLevel(models.TextChoices):
    HEALTHY = "healthy", "Healthy"
    WATCH = "watch", "Watch"
    AT_RISK = "at_risk", "At risk"


class EngagementSnapshot(TenantModel):
    """The nightly engagement score of a pair (0-100) with the reasons behind it."""

    pair = models.ForeignKey("matching.Pair", on_delete=models.CASCADE, related_name="engagement")
    computed_on = models.DateField()
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    level = models.CharField(max_length=10, choices=EngagementLevel.choices)
    # [{"code": "no_recent_session", "text": "No session for 31 days (cadence 14)", "points": -30}]
    reasons = models.JSONField(default=list)
    nudges_sent = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-computed_on", "pair")
        constraints = [
            models.UniqueConstraint(
                fields=("pair", "computed_on"), name="engagement_unique_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"pair {self.pair_id} on {self.computed_on}: {self.score} ({self.level})"


class ReviewDecisionKind(models.TextChoices):
    CONTINUE = "continue", "Continue"
    REFOCUS = "refocus", "Refocus goals"
    REPAIR = "re_pair", "Re-pair"
    EXTEND = "extend", "Extend"
    CLOSE = "close", "Close"


class ReviewDecision(TenantModel):
    """A coordinator's mid-program decision on one pair, with a note (staff-only)."""

    pair = models.ForeignKey(
        "matching.Pair", on_delete=models.CASCADE, related_name="review_decisions"
    )
    decision = models.CharField(max_length=10, choices=ReviewDecisionKind.choices)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.decision} for pair {self.pair_id}"


# --- Insights into actions: what changed (DESIGN.md §5; policy in feedback/actions/access.py) ----


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    DROPPED = "dropped", "Dropped"


OPEN_ACTION_STATUSES: tuple[str, ...] = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
ACTION_RESULT_MAX_LENGTH = 1000


class Action(TenantModel):
    """A change an executive commits to, turned from an insight of the pair's conversations.

    The owner (the pair's mentee) writes it; the pair's mentor sees it. Staff see counts per status
    and topic of every action, and the text only when the owner shared it with the organisation
    (``shared_at``: consent per item, revocable by setting it back to null).
    """

    pair = models.ForeignKey("matching.Pair", on_delete=models.CASCADE, related_name="actions")
    owner = models.ForeignKey("participants.Enrollment", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        SessionLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    topic = models.ForeignKey(
        "programs.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = OneLineCharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    result = models.TextField(blank=True, max_length=ACTION_RESULT_MAX_LENGTH)
    shared_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("pair", "status", "due_on", "id")
        indexes = [models.Index(fields=("pair", "status"), name="action_pair_status")]

    def __str__(self) -> str:
        return self.title


SUCCESS_STORY_MAX_LENGTH = 2000


class SuccessStory(TenantModel):
    """A short story of what a pair's mentoring changed, published only when both members agree.

    Either member may write it; each agrees separately (``*_agreed_at``); it is published to the
    organisation's impact report while both agreements stand, and either may withdraw.
    """

    pair = models.ForeignKey(
        "matching.Pair", on_delete=models.CASCADE, related_name="success_stories"
    )
    text = models.TextField(max_length=SUCCESS_STORY_MAX_LENGTH)
    written_by = models.ForeignKey(
        "participants.Enrollment", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    mentor_agreed_at = models.DateTimeField(null=True, blank=True)
    mentee_agreed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"story of pair {self.pair_id}"

    @property
    def is_published(self) -> bool:
        return self.mentor_agreed_at is not None and self.mentee_agreed_at is not None


class EmailPreferences(TenantModel):
    """Which non-essential emails a person gets in one organisation (``feedback/notices``). No row
    means every kind is on; essential mail (invitations, check-ins, a pair's start or end) is not
    listed here and always goes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partner_activity = models.BooleanField(default=True)
    check_in_reminders = models.BooleanField(default=True)
    survey_reminders = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "user"), name="email_preferences_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"email preferences of user {self.user_id}"


class CalendarFeed(TenantModel):
    """A person's private calendar feed URL in one organisation (``dashboards/calendar``).

    Only a hash of the token is kept: the URL is shown once, when made; resetting makes a new token
    (the old URL stops at once) and turning it off deletes the row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("organization", "user"), name="calendar_feed_one_each")
        ]

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id}"
