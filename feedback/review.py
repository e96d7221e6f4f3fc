"""Mid-program review: the coordinator's queue of pairs with their signals, and their decisions.

Engagement and decisions are staff-only (``feedback.visibility``): every read here starts from a
program the viewer manages (``programs.access.managed_programs``) or from the policy's
``PairAccess``. Decisions are recorded, never acted on: re-pairing, extending and closing a pair are
done on the pair's page with the pair lifecycle services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    JSONField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import BaseExpression

from accounts.models import User
from feedback.models import (
    CheckIn,
    CheckInStatus,
    EngagementLevel,
    EngagementSnapshot,
    Goal,
    GoalStatus,
    ReviewDecision,
    ReviewDecisionKind,
    SessionLog,
    SessionStatus,
)
from matching.models import OPEN_PAIR_STATUSES, Pair
from organizations.audit import log_action
from organizations.models import Membership
from programs.access import managed_programs
from programs.lifecycle import program_today
from programs.models import Program

NOTE_MAX_LENGTH = 2000
# Every decision but "continue" changes the pair's course: the note says what and why.
NOTE_REQUIRED = frozenset(ReviewDecisionKind.values) - {ReviewDecisionKind.CONTINUE}
# Shown in the survey column when no app fills it (``feedback.hooks.review_pair_surveys``).
NO_MID_SURVEY = "No mid-program survey"


# --- When the review is open ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewWindow:
    opens_on: date | None
    today: date

    @property
    def is_open(self) -> bool:
        return self.opens_on is not None and self.today >= self.opens_on


def review_window(program: Program) -> ReviewWindow:
    """The review opens on the program's mid-review date (in the program's time zone)."""
    return ReviewWindow(opens_on=program.mid_review_date, today=program_today(program))


# --- Reads ----------------------------------------------------------------------------------------


def _per_pair(queryset: QuerySet[Any], value: BaseExpression, output_field: Any) -> Subquery:
    """One aggregate of ``queryset`` for the outer pair (a correlated subquery: no row fan-out)."""
    return Subquery(
        queryset.filter(pair=OuterRef("pk"))
        .order_by()
        .values("pair")
        .annotate(value=value)
        .values("value"),
        output_field=output_field,
    )


def latest_snapshot() -> QuerySet[EngagementSnapshot]:
    """The outer pair's snapshots, newest first: a pair's engagement is its latest snapshot."""
    return EngagementSnapshot.objects.filter(pair=OuterRef("pk")).order_by("-computed_on", "-id")


def latest_level() -> Subquery:
    """The outer pair's engagement level by its latest snapshot (None before the first)."""
    return Subquery(latest_snapshot().values("level")[:1])


def pair_signals(program: Program, *, open_only: bool = True) -> QuerySet[Pair]:
    """Every open pair of the program (every pair with ``open_only=False``) with its latest
    engagement snapshot, sessions, check-ins, goals and latest decision, in one query."""
    snapshots = latest_snapshot()
    decisions = ReviewDecision.objects.filter(pair=OuterRef("pk")).order_by("-created_at", "-id")
    sessions = SessionLog.objects.exclude(status=SessionStatus.DRAFT)
    check_ins = CheckIn.objects.filter(status__in=(CheckInStatus.SENT, CheckInStatus.ANSWERED))
    answered = CheckIn.objects.filter(status=CheckInStatus.ANSWERED)
    goals = Goal.objects.exclude(status=GoalStatus.DROPPED)
    goal_progress = Case(
        When(status=GoalStatus.ACHIEVED, then=Value(100)),
        default=F("progress"),
        output_field=IntegerField(),
    )
    pairs = Pair.objects.filter(program=program)
    if open_only:
        pairs = pairs.filter(status__in=OPEN_PAIR_STATUSES)
    return pairs.select_related("mentor__person", "mentee__person").annotate(
        engagement_score=Subquery(snapshots.values("score")[:1]),
        engagement_level=latest_level(),
        engagement_reasons=Subquery(snapshots.values("reasons")[:1], output_field=JSONField()),
        engagement_on=Subquery(snapshots.values("computed_on")[:1]),
        nudges_sent=Subquery(snapshots.values("nudges_sent")[:1]),
        last_session_on=_per_pair(sessions, Max("held_on"), None),
        session_count=_per_pair(sessions, Count("id"), IntegerField()),
        minutes_met=_per_pair(sessions, Sum("duration_minutes"), IntegerField()),
        check_ins_sent=_per_pair(check_ins, Count("id"), IntegerField()),
        check_ins_answered=_per_pair(answered, Count("id"), IntegerField()),
        mean_rating=_per_pair(answered, Avg("rating"), FloatField()),
        wants_contact=Exists(answered.filter(pair=OuterRef("pk"), wants_contact=True)),
        goal_count=_per_pair(goals, Count("id"), IntegerField()),
        goal_progress=_per_pair(goals, Avg(goal_progress), FloatField()),
        decision=Subquery(decisions.values("decision")[:1]),
        decision_note=Subquery(decisions.values("note")[:1]),
        decision_at=Subquery(decisions.values("created_at")[:1]),
    )


def review_queue(program: Program, *, level: str = "") -> QuerySet[Pair]:
    """The pairs to review, most worrying first; ``level`` keeps one engagement level ("none":
    pairs not scored yet)."""
    pairs = pair_signals(program)
    if level == "none":
        pairs = pairs.filter(Q(engagement_level__isnull=True))
    elif level in EngagementLevel.values:
        pairs = pairs.filter(Q(engagement_level=level))
    return pairs.order_by(F("engagement_score").asc(nulls_last=True), "id")


def level_counts(program: Program) -> dict[str, int]:
    """How many open pairs are at each level by their latest snapshot (and how many unscored)."""
    # The level is an annotation (a Q/F keeps django-stubs from looking for a model field).
    rows = (
        pair_signals(program).values(level=F("engagement_level")).annotate(n=Count("id")).order_by()
    )
    counts = dict.fromkeys(EngagementLevel.values, 0) | {"none": 0}
    for row in rows:
        counts[row["level"] or "none"] = row["n"]
    return counts


def decision_summary(program: Program) -> list[tuple[str, str, int]]:
    """(value, label, how many pairs have it as their latest decision) for the program's report."""
    latest = ReviewDecision.objects.filter(pair=OuterRef("pair")).order_by("-created_at", "-id")
    counts = dict(
        ReviewDecision.objects.filter(pair__program=program)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .values_list("decision")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        (value, str(label), counts.get(value, 0)) for value, label in ReviewDecisionKind.choices
    ]


def decision_history(pair: Pair) -> QuerySet[ReviewDecision]:
    return ReviewDecision.objects.filter(pair=pair).select_related("decided_by")


def snapshot_history(pair: Pair) -> QuerySet[EngagementSnapshot]:
    return EngagementSnapshot.objects.filter(pair=pair).order_by("-computed_on", "-id")


def staff_snapshots(membership: Membership) -> QuerySet[EngagementSnapshot]:
    """Engagement snapshots of the programs the member manages (none for members)."""
    return EngagementSnapshot.objects.filter(
        pair__program__in=managed_programs(membership)
    ).select_related("pair")


def staff_decisions(membership: Membership) -> QuerySet[ReviewDecision]:
    """Review decisions of the programs the member manages (none for members)."""
    return ReviewDecision.objects.filter(
        pair__program__in=managed_programs(membership)
    ).select_related("pair", "decided_by")


def staff_pairs(membership: Membership) -> QuerySet[Pair]:
    """Pairs whose engagement and decisions the member may see (the programs they manage)."""
    return Pair.objects.filter(program__in=managed_programs(membership))


# --- Writes ---------------------------------------------------------------------------------------


def decision_record(*, pair: Pair, actor: User | None, decision: str, note: str) -> ReviewDecision:
    """Record a coordinator's mid-review decision on an open pair, with its note; audited.

    The decision is a record: "re-pair", "extend" and "close" are carried out on the pair's page.
    Callers check that the actor manages the pair's program (``feedback.visibility``).
    """
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if decision not in ReviewDecisionKind.values:
        choices = ", ".join(str(label).lower() for label in ReviewDecisionKind.labels)
        errors["decision"] = f"Choose one of: {choices}."
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"Keep the note to {NOTE_MAX_LENGTH} characters (it has {len(note)})."
    elif not note and decision in NOTE_REQUIRED:
        errors["note"] = "Add a note: what was decided, and why."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = (
            Pair.objects.select_for_update(of=("self",)).select_related("program").get(pk=pair.pk)
        )
        if locked.status not in OPEN_PAIR_STATUSES:
            raise ValidationError(
                {"pair": f"This pair is {locked.get_status_display().lower()}: it is not reviewed."}
            )
        window = review_window(locked.program)
        if window.opens_on is None:
            raise ValidationError(
                "This program has no mid-review date: set one on the program before reviewing."
            )
        if not window.is_open:
            raise ValidationError(f"The mid-program review opens on {window.opens_on:%-d %B %Y}.")
        recorded = ReviewDecision.objects.create(
            pair=locked,
            decision=decision,
            note=note,
            decided_by=actor if actor is not None and actor.is_authenticated else None,
        )
        log_action(
            actor=actor,
            action="feedback.review_decision",
            target=recorded,
            data={
                "pair": locked.pk,
                "program": locked.program_id,
                "decision": decision,
                "note": note,
            },
        )
    return recorded
