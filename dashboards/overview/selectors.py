"""The organisation overview: every program side by side and trends across cohorts.

One grouped query per figure for all programs at once (enrolments, pairs with their latest stored
engagement level, recent sessions, survey invitations, check-in pulse, actions), so the number of
queries does not grow with the number of people; each program's outcome headline comes from its
survey outcomes, the dashboard's own (a few queries per program, cached until the data changes). Figures over people's answers (the
check-in pulse) follow the privacy floor: a program whose pulse comes from fewer than k people
reads "too few answers to show".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Avg, CharField, Count, Value, When
from django.db.models.expressions import Case
from django.utils import timezone

from dashboards.charts import Chart, bar_chart, line_chart
from dashboards.program.selectors import (
    OutcomeHeadline,
    outcome_headline,
    whole_program_outcomes,
)
from feedback.models import (
    Action,
    ActionStatus,
    CheckIn,
    CheckInStatus,
    EngagementLevel,
    SessionLog,
    SessionStatus,
)
from feedback.review import latest_level
from matching.models import Pair, PairStatus
from participants.models import Enrollment, EnrollmentStatus
from programs.models import Program
from surveys.models import InvitationStatus, SurveyInvitation
from surveys.results.outcomes import INVITED

RECENT_DAYS = 30


@dataclass
class ProgramRow:
    program: Program
    accepted: int = 0
    pairs: int = 0
    active: int = 0
    at_risk: int = 0
    completed: int = 0
    ended: int = 0
    recent_sessions: int = 0
    invited: int = 0
    answered: int = 0
    pulse: float | None = None  # None: no answer, or under the floor
    pulse_hidden: bool = False
    actions: int = 0
    implemented: int = 0
    outcome: OutcomeHeadline | None = None

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited else None

    @property
    def completion_rate(self) -> float | None:
        finished = self.completed + self.ended
        return round(100 * self.completed / finished, 1) if finished else None

    @property
    def implemented_rate(self) -> float | None:
        return round(100 * self.implemented / self.actions, 1) if self.actions else None


@dataclass
class Overview:
    k: int
    rows: list[ProgramRow]
    charts: dict[str, Chart] = field(default_factory=dict)


def organization_overview(*, k: int) -> Overview:
    """Every program of the organisation in scope (callers check the policy: admins only)."""
    programs = list(Program.objects.filter(archived_at__isnull=True).order_by("start_date", "pk"))
    rows = {program.pk: ProgramRow(program) for program in programs}

    for program_id, n in (
        Enrollment.objects.filter(status=EnrollmentStatus.ACCEPTED)
        .values_list("program_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if program_id in rows:
            rows[program_id].accepted = n

    state = Case(
        When(status=PairStatus.COMPLETED, then=Value("completed")),
        When(status=PairStatus.ENDED, then=Value("ended")),
        When(status=PairStatus.ACTIVE, level=EngagementLevel.AT_RISK, then=Value("at_risk")),
        When(status=PairStatus.ACTIVE, then=Value("active")),
        default=Value("other"),
        output_field=CharField(),
    )
    for row in (
        Pair.objects.annotate(level=latest_level())
        .values("program_id", state=state)
        .annotate(n=Count("id"))
        .order_by()
    ):
        target = rows.get(row["program_id"])
        if target is None:
            continue
        target.pairs += row["n"]
        if row["state"] == "at_risk":
            target.at_risk += row["n"]
            target.active += row["n"]
        elif row["state"] in ("active", "completed", "ended"):
            setattr(target, row["state"], getattr(target, row["state"]) + row["n"])

    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    for program_id, n in (
        SessionLog.objects.filter(held_on__gte=since)
        .exclude(status=SessionStatus.DRAFT)
        .values_list("pair__program_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if program_id in rows:
            rows[program_id].recent_sessions = n

    invitations: dict[int, dict[str, int]] = defaultdict(dict)
    for program_id, status, n in (
        SurveyInvitation.objects.filter(status__in=INVITED)
        .values_list("survey__program_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        invitations[program_id][status] = n
    for program_id, counts in invitations.items():
        if program_id in rows:
            rows[program_id].invited = sum(counts.values())
            rows[program_id].answered = counts.get(InvitationStatus.ANSWERED, 0)

    for program_id, mean, people in (
        CheckIn.objects.filter(status=CheckInStatus.ANSWERED, rating__isnull=False)
        .values_list("pair__program_id")
        .annotate(mean=Avg("rating"), people=Count("enrollment_id", distinct=True))
        .order_by()
    ):
        if program_id in rows:
            if people >= k:
                rows[program_id].pulse = round(mean, 2)
            else:
                rows[program_id].pulse_hidden = True

    for program_id, status, n in (
        Action.objects.values_list("pair__program_id", "status").annotate(n=Count("id")).order_by()
    ):
        if program_id in rows and status != ActionStatus.DROPPED:
            rows[program_id].actions += n
            if status == ActionStatus.IMPLEMENTED:
                rows[program_id].implemented += n

    for program in programs:
        # Each program's survey outcomes are the ones its dashboard shows (computed once per
        # change of the data, so a few queries per program only when something changed).
        rows[program.pk].outcome = outcome_headline(whole_program_outcomes(program, k))

    overview = Overview(k=k, rows=list(rows.values()))
    _charts(overview)
    return overview


def _charts(overview: Overview) -> None:
    names = [row.program.name for row in overview.rows]
    overview.charts["pairs"] = bar_chart(
        key="program-pairs",
        title="Pairs per program",
        categories=names,
        series={
            "Active": [row.active - row.at_risk for row in overview.rows],
            "At risk": [row.at_risk for row in overview.rows],
            "Completed": [row.completed for row in overview.rows],
            "Ended early": [row.ended for row in overview.rows],
        },
        category_title="Program",
        value_title="Pairs",
        stacked=True,
        empty="No program has pairs yet.",
    )
    # Cohorts in the order they started: did later cohorts complete and answer more?
    points: list[tuple[str, str, float | int | None]] = []
    for row in overview.rows:
        points += [
            (row.program.name, "Pairs completed (%)", row.completion_rate),
            (row.program.name, "Survey response rate (%)", row.response_rate),
            (row.program.name, "Actions implemented (%)", row.implemented_rate),
        ]
    overview.charts["trends"] = line_chart(
        key="cohort-trends",
        title="Across cohorts, in the order they started",
        points=points,
        period_title="Program",
        value_title="Percent",
        series=("Pairs completed (%)", "Survey response rate (%)", "Actions implemented (%)"),
        empty="No program has finished pairs, survey invitations or actions yet.",
    )
