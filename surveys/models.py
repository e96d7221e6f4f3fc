"""Surveys and outcomes: templates, program surveys per wave, invitations, responses (DESIGN.md §5).

A ``Survey`` is either an organisation's **template** (``program`` is null) or a **program's survey
for one wave** (pre, mid, post, follow-up), copied from a template. Its questions live in numbered
``SurveyVersion``s: a version that has answers is never edited in place, a change makes the next
version and old answers stay with theirs.

Anonymous, yet paired (``surveys/pseudonyms.py`` states and tests the rule): every response carries
a pseudonym, an HMAC of the person and the program keyed with the program's ``SurveyKey``, so that
answers to an **anchor item** (a question repeated across waves under the same ``anchor_key``) pair
per person. An anonymous response has no link to the person: ``respondent`` and ``submitted_at``
stay empty, its primary key is random, and the invitation keeps only "answered" (no time).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.fields import OneLineCharField
from organizations.tenancy import TenantModel
from programs.models import Audience


class Wave(models.TextChoices):
    PRE = "pre", "Pre-program"
    MID = "mid", "Mid-program"
    POST = "post", "Post-program"
    FOLLOW_UP = "follow_up", "Follow-up (+90 days)"


WAVE_ORDER: tuple[str, ...] = (Wave.PRE, Wave.MID, Wave.POST, Wave.FOLLOW_UP)


class QuestionKind(models.TextChoices):
    LIKERT = "likert", "Agreement scale (Likert)"
    NPS = "nps", "Recommendation 0-10 (NPS)"
    SINGLE = "single", "One choice"
    MULTIPLE = "multiple", "Several choices"
    NUMBER = "number", "Number"
    TEXT = "text", "Free text"


NUMERIC_KINDS: tuple[str, ...] = (QuestionKind.LIKERT, QuestionKind.NPS, QuestionKind.NUMBER)
LIKERT_POINTS: tuple[int, ...] = (5, 7)
TEXT_ANSWER_MAX_LENGTH = 4000


class Survey(TenantModel):
    """An organisation's survey template (``program`` null) or a program's survey for one wave."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    wave = models.CharField(max_length=10, choices=Wave.choices)
    title = OneLineCharField(max_length=200)
    intro = models.TextField(blank=True, max_length=2000)
    anonymous = models.BooleanField(
        default=False,
        help_text="Answers are stored with no link to the person; pre and post still pair.",
    )
    # Days an invitation stays open after it is sent (reminders fall inside this window).
    open_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(3), MaxValueValidator(60)]
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The product's shipped template this row was installed from ("" for the organisation's own).
    library_key = models.CharField(max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # When the wave was over (none of its invitations planned or sent any more) and
    # ``survey_wave_closed`` was sent: set once, so the signal goes out once per wave.
    wave_closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("program", "wave", "title", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("program", "wave"),
                condition=models.Q(program__isnull=False),
                name="survey_one_per_program_wave",
            ),
            models.UniqueConstraint(
                fields=("organization", "library_key"),
                condition=~models.Q(library_key="") & models.Q(program__isnull=True),
                name="survey_library_installed_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_template(self) -> bool:
        return self.program_id is None


class SurveyVersion(TenantModel):
    """One numbered set of a survey's questions. Answers point at the version they answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("survey", "-number")
        constraints = [
            models.UniqueConstraint(fields=("survey", "number"), name="survey_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} v{self.number}"


class Question(TenantModel):
    """One question of a survey version.

    ``anchor_key`` marks an **anchor item**: the same key in several waves of a program pairs the
    answers of one person (pre → post change). ``labels`` are a Likert scale's point labels, low
    to high (length ``scale_points``); ``choices`` the options of a choice question.
    """

    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="questions")
    section = OneLineCharField(max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.BOTH)
    scale_points = models.PositiveSmallIntegerField(null=True, blank=True)
    labels = models.JSONField(default=list, blank=True)
    choices = models.JSONField(default=list, blank=True)
    min_value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    anchor_key = models.SlugField(max_length=50, blank=True)

    class Meta:
        ordering = ("version", "position", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("version", "anchor_key"),
                condition=~models.Q(anchor_key=""),
                name="question_anchor_once_per_version",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="likert") | models.Q(scale_points__in=LIKERT_POINTS),
                name="question_likert_points",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


class SurveyKey(TenantModel):
    """The per-program secret of the survey pseudonyms. No page, API, export or log shows it."""

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="+")
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:  # never the secret
        return f"survey key of program {self.program_id}"


class InvitationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    SENT = "sent", "Sent"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed unanswered"
    CANCELLED = "cancelled", "Cancelled"


OPEN_INVITATION_STATUSES: tuple[str, ...] = (InvitationStatus.PLANNED, InvitationStatus.SENT)


class SurveyInvitation(TenantModel):
    """One person asked to answer one program survey (one wave), sent by its touchpoint.

    Exactly one per (survey, enrolment). For an anonymous survey it keeps only "answered":
    ``answered_at`` stays empty so that no time links it to a response.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    enrollment = models.ForeignKey(
        "participants.Enrollment", on_delete=models.CASCADE, related_name="+"
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PLANNED
    )
    touchpoint = models.OneToOneField(
        "feedback.Touchpoint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("survey", "opens_on", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("survey", "enrollment"), name="survey_invitation_once_per_person"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_on__lte=models.F("closes_on")),
                name="survey_invitation_opens_before_close",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation of {self.enrollment_id} to survey {self.survey_id}"


class SurveyResponse(TenantModel):
    """One person's answers to one program survey. Random primary key: no order to link by.

    ``respondent`` and ``submitted_at`` are set only for attributed surveys, as is ``quote_consent``
    (the person's yes to being quoted, without their name, in the impact report). ``role``,
    ``department``, ``level`` and consented ``demographics`` are copied at submission for
    breakdowns, which the privacy floor
    (``surveys/privacy.py``) suppresses under k respondents.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    pseudonym = models.CharField(max_length=64)
    role = models.CharField(max_length=10, choices=[("mentor", "Mentor"), ("mentee", "Mentee")])
    department = models.CharField(max_length=120, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    # The person's self-reported demographics, copied only when they consented to share them.
    demographics = models.JSONField(default=dict, blank=True)
    respondent = models.ForeignKey(
        "participants.Enrollment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # "You may quote my written answers": asked only on attributed surveys with a free-text
    # question; the program's impact report quotes no one else (dashboards/report/).
    quote_consent = models.BooleanField(default=False)

    class Meta:
        ordering = ("survey", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("survey", "pseudonym"), name="survey_response_once_per_person"
            )
        ]
        indexes = [models.Index(fields=("pseudonym",), name="survey_response_pseudonym")]

    def __str__(self) -> str:
        return f"response to survey {self.survey_id}"


class SurveyAnswer(TenantModel):
    """The answer to one question: a number (Likert point, NPS, number), choices, or text."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, max_length=TEXT_ANSWER_MAX_LENGTH)

    class Meta:
        ordering = ("response", "question")
        constraints = [
            models.UniqueConstraint(
                fields=("response", "question"), name="survey_answer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"answer to {self.question_id}"


class ObjectiveAnchor(TenantModel):
    """An objective measured by an anchor item: progress is computed from the paired answers
    against the objective's baseline and target (``programs.Objective``)."""

    objective = models.ForeignKey("programs.Objective", on_delete=models.CASCADE, related_name="+")
    anchor_key = models.SlugField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("objective", "anchor_key")
        constraints = [
            models.UniqueConstraint(
                fields=("objective", "anchor_key"), name="objective_anchor_unique"
            )
        ]

    def __str__(self) -> str:
        return f"objective {self.objective_id} ← {self.anchor_key}"
