"""The program dashboard's reads: each section aggregated in SQL, a fixed number of queries whatever
the program's size (``tests/dashboards/program/test_queries.py`` pins it).

Engagement reads the stored snapshots (``feedback/engagement.py`` writes one per pair and day), never
recomputes a score. Surveys reuse ``surveys/results/outcomes.py`` and actions
``feedback/actions/selectors.py``, so the dashboard and those pages cannot disagree.

Callers check the policy first (``use_cases.program_dashboard``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dashboards import freshness
from dashboards.charts import Chart, bar_chart, funnel_chart, line_chart
from dashboards.program.filters import DashboardFilters
from feedback.actions.selectors import program_action_counts, shared_implemented_actions
from feedback.models import (
    Action,
    ActionStatus,
    CheckIn,
    CheckInStatus,
    EngagementLevel,
    SessionLog,
    SessionStatus,
)
from feedback.review import latest_snapshot
from matching.models import Pair, PairStatus
from participants.models import (
    CharterAcceptance,
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
    TrainingCompletion,
)
from programs.lifecycle import program_today
from programs.models import Audience, Program, TrainingResource
from surveys import privacy
from surveys.results.outcomes import Outcomes, program_outcomes
from surveys.selectors import program_surveys

AT_RISK_LIST_LIMIT = 50
SHARED_ACTIONS_LIMIT = 10
PAIR_STATES = ("Active", "At risk", "Paused", "Ended")
GAP_BUCKETS = ("0 to 14 days", "15 to 30 days", "31 to 60 days", "Over 60 days", "Never met")


@dataclass(frozen=True)
class AtRiskPair:
    pair_id: int
    mentor: str
    mentee: str
    score: int | None
    reasons: list[str]


@dataclass
class ProgramDashboard:
    program: Program
    filters: DashboardFilters
    k: int
    shown: bool  # False: the filtered people are too few (or could be differenced): no data
    hidden_reason: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    at_risk: list[AtRiskPair] = field(default_factory=list)
    outcomes: Outcomes | None = None
    shared_actions: list[Action] = field(default_factory=list)
    # When the figures were computed (they are cached until the data changes: dashboards.freshness).
    computed_at: datetime = field(default_factory=timezone.now)


# --- Enrolment ---------------------------------------------------------------------------------


def _training_missing(audience: str) -> Exists:
    """A required training resource of ``audience``'s (or everyone's) the enrolment has not done."""
    done = TrainingCompletion.objects.filter(
        resource=OuterRef("pk"), enrollment=OuterRef(OuterRef("pk"))
    )
    return Exists(
        TrainingResource.objects.filter(
            ~Exists(done),
            program=OuterRef("program_id"),
            required=True,
            audience__in=(Audience.BOTH, audience),
        )
    )


def _enrolment(program: Program, filters: DashboardFilters) -> dict[str, Any]:
    # Uncorrelated ``IN`` lists, not a subquery per enrolment: PostgreSQL reads each list once
    # into a hash (a correlated ``mentor = … OR mentee = …`` probed two indexes per enrolment).
    charter = Q(
        pk__in=CharterAcceptance.objects.filter(enrollment__program=program).values("enrollment_id")
    )
    trained = (Q(role=EnrollmentRole.MENTOR) & ~_training_missing(Audience.MENTORS)) | (
        Q(role=EnrollmentRole.MENTEE) & ~_training_missing(Audience.MENTEES)
    )
    not_ended = Pair.objects.filter(program=program).exclude(status=PairStatus.ENDED)
    paired = Q(pk__in=not_ended.values("mentor_id")) | Q(pk__in=not_ended.values("mentee_id"))
    registered = ~Q(status__in=(EnrollmentStatus.INVITED, EnrollmentStatus.DECLINED))
    steps = (
        Enrollment.objects.filter(filters.enrollment_q(), program=program)
        .annotate(
            has_charter=ExpressionWrapper(charter, output_field=BooleanField()),
            has_pair=ExpressionWrapper(paired, output_field=BooleanField()),
            is_trained=ExpressionWrapper(trained, output_field=BooleanField()),
        )
        .aggregate(
            invited=Count("id"),
            registered=Count("id", filter=registered),
            accepted=Count("id", filter=Q(status=EnrollmentStatus.ACCEPTED)),
            charter=Count("id", filter=registered & Q(has_charter=True)),
            # Each stage counts on its own: matching does not wait for training, so a stage
            # may hold people a previous one does not (the table shows every count as it is).
            trained=Count("id", filter=registered & Q(is_trained=True)),
            matched=Count("id", filter=registered & Q(has_pair=True)),
            any_pair=Count("id", filter=Q(has_pair=True, status=EnrollmentStatus.ACCEPTED)),
            waitlisted=Count("id", filter=Q(status=EnrollmentStatus.WAITLISTED)),
        )
    )
    return steps


# --- Engagement --------------------------------------------------------------------------------


def _latest_snapshot(field_name: str) -> Subquery:
    """A field of the outer pair's latest snapshot (``feedback.review.latest_snapshot``)."""
    return Subquery(latest_snapshot().values(field_name)[:1])


def _pairs(program: Program, filters: DashboardFilters) -> QuerySet[Pair]:
    return Pair.objects.filter(filters.pair_q(), program=program)


def _pair_states(pairs: QuerySet[Pair]) -> tuple[dict[str, int], float | None]:
    state = Case(
        When(status__in=(PairStatus.ENDED, PairStatus.COMPLETED), then=Value("Ended")),
        When(status=PairStatus.PAUSED, then=Value("Paused")),
        When(status=PairStatus.PENDING, then=Value("Pending")),
        When(level=EngagementLevel.AT_RISK, then=Value("At risk")),
        default=Value("Active"),
        output_field=CharField(),
    )
    counts: dict[str, int] = dict.fromkeys(PAIR_STATES, 0)
    total_score = 0.0
    scored = 0
    for row in (
        pairs.annotate(level=_latest_snapshot("level"))
        .values(state=state)
        .annotate(n=Count("id"), score_sum=Sum("score"), scored=Count("score"))
        .order_by()
    ):
        if row["state"] in counts:
            counts[row["state"]] += row["n"]
        if row["state"] != "Ended":
            total_score += row["score_sum"] or 0
            scored += row["scored"]
    return counts, (round(total_score / scored, 2) if scored else None)


def _month_label(month: date) -> str:
    return month.strftime("%b %Y")


def _sessions(program: Program, filters: DashboardFilters) -> list[dict[str, Any]]:
    sessions = SessionLog.objects.filter(filters.pair_q("pair__"), pair__program=program).exclude(
        status=SessionStatus.DRAFT
    )
    if filters.start:
        sessions = sessions.filter(held_on__gte=filters.start)
    if filters.end:
        sessions = sessions.filter(held_on__lte=filters.end)
    return list(
        sessions.annotate(month=TruncMonth("held_on"))
        .values("month")
        .annotate(n=Count("id"), minutes=Sum("duration_minutes"))
        .order_by("month")
    )


def _gaps(pairs: QuerySet[Pair], today: date) -> dict[str, int]:
    last = Subquery(
        SessionLog.objects.filter(pair=OuterRef("pk"))
        .exclude(status=SessionStatus.DRAFT)
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    bucket = Case(
        When(last__isnull=True, then=Value(GAP_BUCKETS[4])),
        When(last__gte=today - timedelta(days=14), then=Value(GAP_BUCKETS[0])),
        When(last__gte=today - timedelta(days=30), then=Value(GAP_BUCKETS[1])),
        When(last__gte=today - timedelta(days=60), then=Value(GAP_BUCKETS[2])),
        default=Value(GAP_BUCKETS[3]),
        output_field=CharField(),
    )
    counts = dict.fromkeys(GAP_BUCKETS, 0)
    rows = (
        pairs.filter(status=PairStatus.ACTIVE)
        .annotate(last=last)
        .values(bucket=bucket)
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["bucket"]] = row["n"]
    return counts


def _pulse(program: Program, filters: DashboardFilters) -> list[dict[str, Any]]:
    answers = CheckIn.objects.filter(
        filters.enrollment_q("enrollment__"),
        pair__program=program,
        status=CheckInStatus.ANSWERED,
        rating__isnull=False,
    )
    if filters.start:
        answers = answers.filter(answered_at__date__gte=filters.start)
    if filters.end:
        answers = answers.filter(answered_at__date__lte=filters.end)
    return list(
        answers.annotate(month=TruncMonth("answered_at", tzinfo=None))
        .values("month")
        .annotate(mean=Avg("rating"), people=Count("enrollment_id", distinct=True))
        .order_by("month")
    )


def _at_risk(pairs: QuerySet[Pair]) -> list[AtRiskPair]:
    rows = (
        pairs.filter(status=PairStatus.ACTIVE)
        .annotate(
            level=_latest_snapshot("level"),
            engagement_score=_latest_snapshot("score"),
            latest_reasons=_latest_snapshot("reasons"),
            mentor_name=F("mentor__person__full_name"),
            mentee_name=F("mentee__person__full_name"),
        )
        .filter(level=EngagementLevel.AT_RISK)
        .order_by("engagement_score", "pk")
        .values("pk", "mentor_name", "mentee_name", "engagement_score", "latest_reasons")[
            :AT_RISK_LIST_LIMIT
        ]
    )
    return [
        AtRiskPair(
            pair_id=row["pk"],
            mentor=row["mentor_name"],
            mentee=row["mentee_name"],
            score=row["engagement_score"],
            reasons=[r.get("text", "") for r in row["latest_reasons"] or [] if isinstance(r, dict)],
        )
        for row in rows
    ]


# --- Mentor retention --------------------------------------------------------------------------


def _retention(program: Program, filters: DashboardFilters) -> dict[str, int]:
    completed = Exists(Pair.objects.filter(mentor=OuterRef("pk"), status=PairStatus.COMPLETED))
    # A later program: one that starts after this one (or, undated, was created after it).
    later = (
        Q(program__start_date__gt=program.start_date)
        if program.start_date
        else Q(program__created_at__gt=program.created_at)
    )
    again = Exists(
        Enrollment.objects.filter(later, person=OuterRef("person_id"), role=EnrollmentRole.MENTOR)
        .exclude(program=program)
        .exclude(status__in=(EnrollmentStatus.DECLINED, EnrollmentStatus.WITHDRAWN))
    )
    people = DashboardFilters(department=filters.department, level=filters.level)
    return (
        Enrollment.objects.filter(
            people.enrollment_q(),
            program=program,
            role=EnrollmentRole.MENTOR,
            status=EnrollmentStatus.ACCEPTED,
        )
        .annotate(did_complete=completed, came_again=again)
        .aggregate(
            mentors=Count("id"),
            completed=Count("id", filter=Q(did_complete=True)),
            again=Count("id", filter=Q(came_again=True)),
        )
    )


# --- Survey outcomes ---------------------------------------------------------------------------


def whole_program_outcomes(program: Program, k: int) -> Outcomes:
    """The program's survey outcomes over every survey (``surveys.results.outcomes``), computed once
    per change of the organisation's data and shared by the dashboard and the overview."""
    return freshness.cached(
        "outcomes",
        program.organization_id,
        (program.pk, k),
        lambda: program_outcomes(program, k=k, surveys=program_surveys(program)),
    )


@dataclass(frozen=True)
class OutcomeHeadline:
    """One line on a program's outcomes: how many objectives have a measured pre → post change
    (over at least k pairs of answers) and how many of those reached their target."""

    objectives: int
    measured: int
    at_target: int
    best_percent: float | None

    @property
    def text(self) -> str:
        if not self.objectives:
            return "No objectives set"
        if not self.measured:
            return "No measured change yet"
        return f"{self.at_target} of {self.measured} measured objectives at target"


def outcome_headline(outcomes: Outcomes) -> OutcomeHeadline:
    measured = at_target = 0
    best: float | None = None
    for outcome in outcomes.objectives:
        percents = [p.percent for p in outcome.progress if p.change.shown and p.percent is not None]
        if not percents:
            continue
        measured += 1
        top = max(percents)
        at_target += top >= 100
        best = top if best is None else max(best, top)
    return OutcomeHeadline(len(outcomes.objectives), measured, at_target, best)


# --- The dashboard -----------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def program_dashboard(
    program: Program, *, filters: DashboardFilters, k: int, decision: privacy.Decision
) -> ProgramDashboard:
    dashboard = ProgramDashboard(program=program, filters=filters, k=k, shown=decision.shown)
    if not decision.shown:
        dashboard.hidden_reason = decision.reason
        return dashboard
    today = program_today(program)
    charts = dashboard.charts

    steps = _enrolment(program, filters)
    charts["funnel"] = funnel_chart(
        key="funnel",
        title="Enrolment funnel",
        stages=[
            ("Invited", steps["invited"]),
            ("Registered", steps["registered"]),
            ("Charter accepted", steps["charter"]),
            ("Trained", steps["trained"]),
            ("Matched", steps["matched"]),
        ],
        empty="No one is enrolled yet.",
    )
    pairs = _pairs(program, filters)
    states, mean_score = _pair_states(pairs)
    dashboard.figures.update(
        accepted=steps["accepted"],
        matched=steps["any_pair"],
        match_rate=_percent(steps["any_pair"], steps["accepted"]),
        mean_match_score=mean_score,
        waitlisted=steps["waitlisted"],
    )
    charts["pairs"] = bar_chart(
        key="pairs",
        title="Pairs by state",
        categories=PAIR_STATES,
        series={"Pairs": [states[s] for s in PAIR_STATES]},
        category_title="State",
        value_title="Pairs",
        empty="No pairs yet.",
    )
    months = _sessions(program, filters)
    dashboard.figures.update(
        sessions=sum(row["n"] for row in months),
        hours=round(sum(row["minutes"] or 0 for row in months) / 60, 1),
    )
    charts["sessions"] = line_chart(
        key="sessions",
        title="Sessions and hours per month",
        points=[
            point
            for row in months
            for point in (
                (_month_label(row["month"]), "Sessions", row["n"]),
                (_month_label(row["month"]), "Hours", round((row["minutes"] or 0) / 60, 1)),
            )
        ],
        period_title="Month",
        value_title="Sessions and hours",
        series=("Sessions", "Hours"),
        empty="No sessions logged in this period.",
    )
    gaps = _gaps(pairs, today)
    charts["gaps"] = bar_chart(
        key="gaps",
        title="Days since the last session (active pairs)",
        categories=GAP_BUCKETS,
        series={"Active pairs": [gaps[b] for b in GAP_BUCKETS]},
        category_title="Days since the last session",
        value_title="Active pairs",
        empty="No active pairs.",
    )
    pulse = _pulse(program, filters)
    charts["pulse"] = line_chart(
        key="pulse",
        title="Check-in pulse (mean rating, 1 to 5)",
        points=[
            (
                _month_label(row["month"]),
                "Mean rating",
                round(row["mean"], 2) if row["people"] >= k else None,
            )
            for row in pulse
        ],
        period_title="Month",
        value_title="Mean rating",
        empty="No check-in answered in this period.",
        missing=privacy.TOO_FEW,
    )
    if any(row["people"] < k for row in pulse):
        charts["pulse"].notes.append(
            f"A month answered by fewer than {k} people reads “{privacy.TOO_FEW}”."
        )
    dashboard.at_risk = _at_risk(pairs)

    if not filters.narrows_people:
        # Survey outcomes and actions are the whole program's (their own pages filter surveys
        # under the same floor); shown when no people filter is set so figures never mix scopes.
        dashboard.outcomes = whole_program_outcomes(program, k)
        _survey_charts(dashboard)
        counts = program_action_counts(program)
        charts["actions"] = bar_chart(
            key="actions",
            title="Actions per topic: committed and implemented",
            categories=[t.name for t in counts.by_topic],
            series={
                "Committed": [
                    t.total - t.by_status.get(ActionStatus.DROPPED, 0) for t in counts.by_topic
                ],
                "Implemented": [
                    t.by_status.get(ActionStatus.IMPLEMENTED, 0) for t in counts.by_topic
                ],
            },
            category_title="Topic",
            value_title="Actions",
            empty="No actions committed yet.",
        )
        dashboard.shared_actions = list(
            shared_implemented_actions(program).select_related("topic")[:SHARED_ACTIONS_LIMIT]
        )

    retention = _retention(program, filters)
    dashboard.figures.update(
        mentors=retention["mentors"],
        mentors_completed=retention["completed"],
        mentors_again=retention["again"],
    )
    retention_chart = bar_chart(
        key="retention",
        title="Mentor retention",
        categories=["Accepted mentors", "Completed their pairing", "Enrolled again later"],
        series={"Mentors": [retention["mentors"], retention["completed"], retention["again"]]},
        category_title="Mentors",
        value_title="Mentors",
        empty="No accepted mentors yet.",
    )
    if not retention_chart.is_empty:
        retention_chart = replace(
            retention_chart,
            summary=f"Of {retention['mentors']} accepted mentors, {retention['completed']} "
            f"completed their pairing and {retention['again']} enrolled again in a later program.",
        )
    charts["retention"] = retention_chart
    return dashboard


def _survey_charts(dashboard: ProgramDashboard) -> None:
    outcomes = dashboard.outcomes
    assert outcomes is not None
    waves = outcomes.rates.waves
    dashboard.charts["response_rates"] = bar_chart(
        key="response_rates",
        title="Survey response rate per wave (%)",
        categories=[w.wave_label for w in waves],
        series={
            rate.label: [wave.by_role[i].percent for wave in waves]
            for i, rate in enumerate(waves[0].by_role if waves else [])
        },
        category_title="Wave",
        value_title="Response rate (%)",
        empty="No survey invitations sent yet.",
        missing="not invited",
    )
    per_item: dict[str, dict[str, float | None]] = {}
    for anchor in outcomes.anchors:
        for change in anchor.changes:
            if (change.since, change.until) != ("pre", "post"):
                continue
            result = change.shown_result
            mean = result.mean_change if result is not None else None
            per_item.setdefault(anchor.item.text, {})[change.role_label] = (
                round(mean, 2) if mean is not None else None
            )
    roles = sorted({role for changes in per_item.values() for role in changes}, reverse=True)
    labels = list(per_item)
    series = {role: [per_item[label].get(role) for label in labels] for role in roles}
    dashboard.charts["outcomes"] = bar_chart(
        key="outcomes",
        title="Paired change pre → post per anchor item: mentees beside mentors",
        categories=labels,
        series=series,
        category_title="Anchor item",
        value_title="Mean change",
        empty=f"No paired change to show yet (or fewer than {dashboard.k} pairs of answers).",
        missing=privacy.TOO_FEW,
    )
