"""Matching rounds, their proposals, pins and blocks, and the published pairs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from organizations.tenancy import TenantModel
from participants.models import Enrollment
from programs.models import Program


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    PROPOSED = "proposed", "Proposed"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class RoundMode(models.TextChoices):
    SCORE_FIRST = "score_first", "Highest total score"
    MAX_MATCHED_FIRST = "max_matched_first", "Most people matched, then score"
    FAIREST = "fairest", "Fairest: most matched, then the best lowest score, then score"


class MatchingRound(TenantModel):
    """One run of the engine over a program's accepted enrolments, with the config it used.

    The config (weights, rules, mode) is frozen at creation: a what-if is another round.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="matching_rounds")
    # 1, 2, 3… within the program (what people see: "Round 2"), given on the first save.
    number = models.PositiveIntegerField(editable=False)
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    weights = models.JSONField(default=dict)
    rules = models.JSONField(default=dict)
    mode = models.CharField(max_length=20, choices=RoundMode.choices, default=RoundMode.SCORE_FIRST)
    # {"matched", "unmatched", "total", "mean", "minimum", "timings": {stage: seconds}}
    stats = models.JSONField(default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # The lease token of the worker process computing the round (core/leases.py) and how many
    # times a worker started it: a round whose worker died is queued again, up to a limit
    # (matching/rounds/recovery.py).
    worker = models.CharField(max_length=120, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # A re-match: a small round over this one person and the other side's free places (everyone
    # else of the program keeps their open pair). Null for a round over the whole program.
    rematch_for = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            # The database refuses a second queued/running round of one program.
            models.UniqueConstraint(
                fields=("organization", "program"),
                condition=models.Q(status__in=("queued", "running")),
                name="matching_round_one_active_per_program",
            ),
            models.UniqueConstraint(
                fields=("organization", "program", "number"),
                name="matching_round_number_per_program",
            ),
        ]

    def __str__(self) -> str:
        return f"Round {self.number} of program {self.program_id} ({self.status})"

    def save(self, *args: object, **kwargs: object) -> None:
        """The first save numbers the round after the program's last one. Callers that may race
        (``config.round_create``) lock the program row first; the unique constraint backs it."""
        if self.number is None:
            last = (
                MatchingRound.objects.filter(program_id=self.program_id)
                .aggregate(last=models.Max("number"))
                .get("last")
            )
            self.number = (last or 0) + 1
        super().save(*args, **kwargs)


class ProposedPair(TenantModel):
    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="proposals")
    mentor = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    breakdown = models.JSONField(default=dict)
    rationale = models.TextField(blank=True)
    # {"mentee": [{"enrollment_id", "name", "score"}], "mentor": [...]}
    alternatives = models.JSONField(default=dict, blank=True)
    pinned = models.BooleanField(default=False)
    # An administrator swapped this pair's mentor after the round ran: a re-run keeps it only as
    # a pin (asked first), never silently.
    swapped = models.BooleanField(default=False)

    class Meta:
        ordering = ("round", "-score", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "round", "mentee"), name="proposed_pair_unique_mentee"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} → {self.mentee_id} ({self.score:.1f})"


class UnmatchedEntry(TenantModel):
    round = models.ForeignKey(MatchingRound, on_delete=models.CASCADE, related_name="unmatched")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    reason_code = models.CharField(max_length=40)
    reason = models.TextField()

    class Meta:
        ordering = ("round", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "round", "enrollment"), name="unmatched_unique_enrollment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.reason_code}"


class ProgramPairRule(TenantModel):
    """A rule an administrator sets on one mentor-mentee pair for every round of a program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ("program", "id")


class MatchingPin(ProgramPairRule):
    """An administrator forces this pair in every round of the program."""

    class Meta(ProgramPairRule.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "program", "mentee"), name="matching_pin_unique_mentee"
            )
        ]

    def __str__(self) -> str:
        return f"pin {self.mentor_id} → {self.mentee_id}"


class MatchingBlock(ProgramPairRule):
    """An administrator forbids this pair in every round of the program."""

    class Meta(ProgramPairRule.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "program", "mentor", "mentee"),
                name="matching_block_unique_pair",
            )
        ]

    def __str__(self) -> str:
        return f"block {self.mentor_id} x {self.mentee_id}"


class PairStatus(models.TextChoices):
    # Published, waiting for both people to accept the program's charter.
    PENDING = "pending", "Waiting for the charter"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    ENDED = "ended", "Ended"


OPEN_PAIR_STATUSES = (PairStatus.PENDING, PairStatus.ACTIVE, PairStatus.PAUSED)


class Pair(TenantModel):
    """A published pair. Earlier pairs of the same people are what rotation excludes."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairs")
    mentor = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.ACTIVE)
    ended_reason = models.CharField(max_length=300, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_round = models.ForeignKey(
        MatchingRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="pairs"
    )
    score = models.FloatField(null=True, blank=True)
    rationale = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateField(null=True, blank=True)
    # The pair's own end date when it was extended past the program's (null: the program's).
    ends_on = models.DateField(null=True, blank=True)
    rematch_requested_at = models.DateTimeField(null=True, blank=True)
    rematch_requested_by = models.ForeignKey(
        Enrollment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rematch_request_reason = models.CharField(max_length=300, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("program", "-created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "program", "mentee"),
                condition=models.Q(status__in=("pending", "active", "paused")),
                name="pair_one_open_per_mentee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} ↔ {self.mentee_id} ({self.status})"
