"""The large tenant of issue #11: one organisation the size of a big client, plus 50 small ones.

At ``scale=1``: 5,000 people, 2,500 pairs over 3 programs (one closed, its pre and post surveys
answered; two active), 60,000 sessions, 20,000 check-ins, 20,000 survey answers, plus 50 small
tenants of a few people each. Every count is proportional to ``scale`` (``seed_large_tenant
--scale 0.1`` for a quick run). Rows are written with ``bulk_create`` in batches inside the
organisation's ``tenant_scope`` (row-level security applies as in the product), then ``ANALYZE``.

Shape (what the dashboards and homes read):

- programs: "Closed cohort" (closed, last year: pairs completed or ended, pre and post surveys
  answered, objectives on anchor items), "Spring cohort" (active, the largest) and "Autumn cohort"
  (active). Dates in UTC; the active ones started about five months ago.
- enrolments in every status: accepted people in pairs, plus for each active program invited,
  applied, waitlisted, withdrawn and declined people and a few accepted without a pair; some mentors
  of the closed program enrolled again later (mentor retention).
- charter versions and acceptances, one required training resource per program and completions.
- pairs active, paused, pending and ended (active programs), completed and ended (closed program);
  engagement snapshots once a week for the last four weeks, a tenth of the active pairs at risk.
- sessions spread over each pair's months (confirmed, some awaiting, a few drafts), check-ins every
  four weeks alternating mentor and mentee (answered or not, some asking to be contacted), goals,
  actions (some implemented and shared), review decisions on part of the pairs.
- surveys: pre and post of the closed program and pre of the active ones, four questions each (three
  Likert anchor items and NPS), invitations for every accepted enrolment, responses by pseudonym.
- one admin, one coordinator (of both active programs) and one participant (a mentee of the largest
  program with an active pair) with accounts, for signing in.

Importable (``seed(slug=..., scale=...)``) by the management command, the dashboards bench and a
test. Never run in a timed test.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import User
from feedback.models import (
    Action,
    ActionStatus,
    CheckIn,
    CheckInStatus,
    EngagementLevel,
    EngagementSnapshot,
    Goal,
    GoalOwner,
    GoalStatus,
    ReviewDecision,
    ReviewDecisionKind,
    SessionFormat,
    SessionLog,
    SessionStatus,
)
from matching.models import Pair, PairStatus
from organizations.models import Membership, Organization, Role
from organizations.scope import tenant_scope
from participants.models import (
    CharterAcceptance,
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
    Person,
    TrainingCompletion,
)
from programs.models import (
    CharterVersion,
    Objective,
    Program,
    ProgramCoordinator,
    ProgramStatus,
    Topic,
    TrainingResource,
)
from surveys.models import (
    InvitationStatus,
    ObjectiveAnchor,
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
    Wave,
)
from surveys.pseudonyms import program_secret, pseudonym

DEFAULT_SLUG = "large"
BATCH = 5000
SMALL_TENANTS = 50
SMALL_TENANT_PEOPLE = 4

# Full-scale totals (issue #11); each is multiplied by the scale.
PEOPLE = 5000
SESSIONS = 60_000
CHECK_INS = 20_000
# Pairs per program: closed, the largest active one, the other active one (2,500 in all).
PROGRAM_PAIRS = (800, 1000, 700)
# Extra enrolments per active program, per status (people already in another program).
EXTRA_ENROLMENTS = {
    EnrollmentStatus.INVITED: 60,
    EnrollmentStatus.APPLIED: 40,
    EnrollmentStatus.WAITLISTED: 30,
    EnrollmentStatus.WITHDRAWN: 20,
    EnrollmentStatus.DECLINED: 20,
    EnrollmentStatus.ACCEPTED: 30,  # accepted, not (yet) paired
}
ANSWER_RATES = {Wave.PRE: 0.8, Wave.POST: 0.7}
ANCHORS = ("ai-confidence", "younger-view", "exec-confidence")
LIKERT = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
DEPARTMENTS = ("Sales", "Engineering", "Finance", "Marketing", "Operations", "People", "Legal")
GENERATIONS = ("boomer", "gen-x", "millennial", "gen-z")
TOPICS = ("AI tools", "Social media", "Hybrid work", "DEI", "Customer voice", "Data literacy")

ADMIN_EMAIL = "admin@{slug}.bench.test"
COORDINATOR_EMAIL = "coordinator@{slug}.bench.test"
PARTICIPANT_EMAIL = "participant@{slug}.bench.test"


class AlreadySeededError(Exception):
    """The slug is taken: the large tenant is seeded once per database."""


@dataclass
class LargeTenant:
    organization: Organization
    admin: User
    coordinator: User
    participant: User
    programs: list[Program]  # closed, largest active, other active
    counts: dict[str, int] = field(default_factory=dict)
    small_tenants: list[Organization] = field(default_factory=list)

    @property
    def largest_program(self) -> Program:
        return max(self.programs, key=lambda p: self.counts[f"pairs:{p.pk}"])


def scaled(value: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(value * scale))


def _bulk[M: models.Model](model: type[M], rows: Iterable[M]) -> list[M]:
    return model._default_manager.bulk_create(list(rows), batch_size=BATCH)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _spread(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split over ``weights`` (largest remainders): the parts add up exactly."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class _ProgramPlan:
    program: Program
    pairs: int
    closed: bool
    start: date
    end: date


def _programs(organization: Organization, scale: float, today: date) -> list[_ProgramPlan]:
    specs = [
        ("Closed cohort", ProgramStatus.CLOSED, today - timedelta(days=540), 270),
        ("Spring cohort", ProgramStatus.ACTIVE, today - timedelta(days=150), 270),
        ("Autumn cohort", ProgramStatus.ACTIVE, today - timedelta(days=120), 270),
    ]
    plans = []
    for (name, status, start, length), pairs in zip(specs, PROGRAM_PAIRS, strict=True):
        end = start + timedelta(days=length)
        program = Program.objects.create(
            organization=organization,
            name=name,
            status=status,
            start_date=start,
            mid_review_date=start + timedelta(days=length // 2),
            end_date=end,
            created_at=_at(start - timedelta(days=60)),
        )
        plans.append(
            _ProgramPlan(program, scaled(pairs, scale), status == ProgramStatus.CLOSED, start, end)
        )
    return plans


def _people(organization: Organization, count: int, slug: str) -> list[Person]:
    return _bulk(
        Person,
        (
            Person(
                organization=organization,
                email=f"p{i}@{slug}.bench.test",
                full_name=f"Person {i:05d}",
                department=DEPARTMENTS[i % len(DEPARTMENTS)],
                level=1 + i % 9,
                demographics={"generation": GENERATIONS[i % len(GENERATIONS)]},
            )
            for i in range(count)
        ),
    )


def _enrolments(
    organization: Organization,
    plans: list[_ProgramPlan],
    people: list[Person],
    scale: float,
) -> dict[int, tuple[list[tuple[Enrollment, Enrollment]], list[Enrollment]]]:
    """Per program: its (mentor, mentee) enrolments to pair and every accepted enrolment."""
    rows: list[Enrollment] = []
    cursor = 0
    paired_slices: list[tuple[int, int]] = []
    for plan in plans:
        first = len(rows)
        for n in range(plan.pairs):
            mentor, mentee = (
                people[(cursor + 2 * n) % len(people)],
                people[(cursor + 2 * n + 1) % len(people)],
            )
            for person, role in ((mentor, EnrollmentRole.MENTOR), (mentee, EnrollmentRole.MENTEE)):
                rows.append(
                    Enrollment(
                        organization=organization,
                        program=plan.program,
                        person=person,
                        role=role,
                        status=EnrollmentStatus.ACCEPTED,
                        created_at=_at(plan.start - timedelta(days=40)),
                        status_changed_at=_at(plan.start - timedelta(days=30)),
                    )
                )
        paired_slices.append((first, len(rows)))
        cursor += 2 * plan.pairs
    # Extras in the active programs: people of the closed program (its mentors first, so some
    # mentors enrol again later) in every status.
    closed_people = [r.person for r in rows[paired_slices[0][0] : paired_slices[0][1]]]
    for index, plan in enumerate(plans):
        if plan.closed:
            continue
        # Each active program takes the next closed-program people in turn (none twice in it).
        turn = index * 101
        for status, count in EXTRA_ENROLMENTS.items():
            for n in range(scaled(count, scale)):
                person = closed_people[turn % len(closed_people)]
                turn += 1
                rows.append(
                    Enrollment(
                        organization=organization,
                        program=plan.program,
                        person=person,
                        role=EnrollmentRole.MENTOR if n % 2 == 0 else EnrollmentRole.MENTEE,
                        status=status,
                        waitlist_position=n + 1 if status == EnrollmentStatus.WAITLISTED else None,
                        created_at=_at(plan.start - timedelta(days=35)),
                    )
                )
    created = _bulk(Enrollment, rows)
    result = {}
    for plan, (first, last) in zip(plans, paired_slices, strict=True):
        paired = created[first:last]
        couples = [(paired[i], paired[i + 1]) for i in range(0, len(paired), 2)]
        accepted = [
            e
            for e in created
            if e.program_id == plan.program.pk and e.status == EnrollmentStatus.ACCEPTED
        ]
        result[plan.program.pk] = (couples, accepted)
    return result


def _charters_and_training(
    organization: Organization,
    plans: list[_ProgramPlan],
    accepted: dict[int, list[Enrollment]],
    rng: random.Random,
) -> int:
    acceptances: list[CharterAcceptance] = []
    completions: list[TrainingCompletion] = []
    for plan in plans:
        charter = CharterVersion.objects.create(
            organization=organization,
            program=plan.program,
            version=1,
            body="We keep what we say to each other between us.",
            published_at=_at(plan.start - timedelta(days=45)),
        )
        resource = TrainingResource.objects.create(
            organization=organization,
            program=plan.program,
            title="How reverse mentoring works",
            body="Read before your first session.",
            required=True,
        )
        for enrolment in accepted[plan.program.pk]:
            acceptances.append(
                CharterAcceptance(
                    organization=organization,
                    enrollment=enrolment,
                    charter_version=charter,
                    accepted_at=_at(plan.start - timedelta(days=20)),
                )
            )
            if rng.random() < 0.85:
                completions.append(
                    TrainingCompletion(
                        organization=organization,
                        enrollment=enrolment,
                        resource=resource,
                        completed_at=_at(plan.start - timedelta(days=10)),
                    )
                )
    _bulk(CharterAcceptance, acceptances)
    _bulk(TrainingCompletion, completions)
    return len(acceptances) + len(completions)


def _pair_status(plan: _ProgramPlan, n: int) -> PairStatus:
    if plan.closed:
        return PairStatus.ENDED if n % 10 == 9 else PairStatus.COMPLETED
    if n % 25 == 12:
        return PairStatus.PENDING
    return {7: PairStatus.PAUSED, 8: PairStatus.ENDED}.get(n % 20, PairStatus.ACTIVE)


def _pairs(
    organization: Organization,
    plans: list[_ProgramPlan],
    couples: dict[int, list[tuple[Enrollment, Enrollment]]],
    today: date,
) -> dict[int, list[Pair]]:
    rows: list[Pair] = []
    for plan in plans:
        for n, (mentor, mentee) in enumerate(couples[plan.program.pk]):
            status = _pair_status(plan, n)
            stopped = plan.end if plan.closed else today - timedelta(days=20 + n % 30)
            rows.append(
                Pair(
                    organization=organization,
                    program=plan.program,
                    mentor=mentor,
                    mentee=mentee,
                    status=status,
                    score=round(55 + (n * 37 % 40) + 0.5, 1),
                    created_at=_at(plan.start),
                    activated_at=None if status == PairStatus.PENDING else _at(plan.start, 11),
                    paused_until=today + timedelta(days=14)
                    if status == PairStatus.PAUSED
                    else None,
                    completed_at=_at(plan.end) if status == PairStatus.COMPLETED else None,
                    ended_at=_at(stopped) if status == PairStatus.ENDED else None,
                    ended_reason="Schedules did not fit" if status == PairStatus.ENDED else "",
                )
            )
    created = _bulk(Pair, rows)
    by_program: dict[int, list[Pair]] = {plan.program.pk: [] for plan in plans}
    for pair in created:
        by_program[pair.program_id].append(pair)
    return by_program


def _pair_window(pair: Pair, plan: _ProgramPlan, today: date) -> tuple[date, date]:
    start = plan.start
    if pair.ended_at is not None:
        last = pair.ended_at.date()
    elif pair.completed_at is not None:
        last = pair.completed_at.date()
    else:
        last = min(today, plan.end)
    return start, max(start, last)


def _sessions(
    organization: Organization,
    plans: list[_ProgramPlan],
    pairs: dict[int, list[Pair]],
    total: int,
    today: date,
    rng: random.Random,
) -> int:
    live = [
        (pair, plan)
        for plan in plans
        for pair in pairs[plan.program.pk]
        if pair.status != PairStatus.PENDING
    ]
    # Pairs that drifted (every seventh) log fewer sessions and none lately: the gap buckets fill.
    weights = [0.3 if i % 7 == 3 else 1.0 for i in range(len(live))]
    rows: list[SessionLog] = []
    written = 0
    for i, ((pair, plan), count) in enumerate(zip(live, _spread(total, weights), strict=True)):
        start, last = _pair_window(pair, plan, today)
        if i % 7 == 3:
            last = max(start, last - timedelta(days=45))
        span = max(1, (last - start).days)
        for n in range(count):
            held_on = start + timedelta(days=min(span, round((n + rng.random()) * span / count)))
            status = (
                SessionStatus.DRAFT
                if n % 40 == 39
                else SessionStatus.AWAITING
                if (last - held_on).days < 10 and n % 3 == 0
                else SessionStatus.CONFIRMED
            )
            logged_by = pair.mentor if n % 2 == 0 else pair.mentee
            rows.append(
                SessionLog(
                    organization=organization,
                    pair=pair,
                    logged_by=logged_by,
                    held_on=held_on,
                    duration_minutes=(30, 45, 60, 90)[n % 4],
                    format=(SessionFormat.VIDEO, SessionFormat.IN_PERSON, SessionFormat.PHONE)[
                        n % 3
                    ],
                    status=status,
                    confirmed_by=(pair.mentee if n % 2 == 0 else pair.mentor)
                    if status == SessionStatus.CONFIRMED
                    else None,
                    confirmed_at=_at(held_on, 18) if status == SessionStatus.CONFIRMED else None,
                    created_at=_at(held_on, 17),
                    updated_at=_at(held_on, 18),
                )
            )
        if len(rows) >= BATCH:
            written += len(_bulk(SessionLog, rows))
            rows = []
    written += len(_bulk(SessionLog, rows))
    return written


def _check_ins(
    organization: Organization,
    plans: list[_ProgramPlan],
    pairs: dict[int, list[Pair]],
    total: int,
    today: date,
    rng: random.Random,
) -> int:
    live = [
        (pair, plan)
        for plan in plans
        for pair in pairs[plan.program.pk]
        if pair.status != PairStatus.PENDING
    ]
    rows: list[CheckIn] = []
    for (pair, plan), count in zip(live, _spread(total, [1.0] * len(live)), strict=True):
        start, _last = _pair_window(pair, plan, today)
        for n in range(count):
            due_on = start + timedelta(days=28 * (n // 2 + 1) + n % 2)
            who = pair.mentor if n % 2 == 0 else pair.mentee
            if due_on > today:
                rows.append(
                    CheckIn(
                        organization=organization,
                        pair=pair,
                        enrollment=who,
                        due_on=due_on,
                        status=CheckInStatus.PLANNED,
                    )
                )
                continue
            answered = rng.random() < 0.65
            rows.append(
                CheckIn(
                    organization=organization,
                    pair=pair,
                    enrollment=who,
                    due_on=due_on,
                    status=CheckInStatus.ANSWERED if answered else CheckInStatus.SENT,
                    sent_at=_at(due_on, 8),
                    answered_at=_at(due_on + timedelta(days=n % 3), 12) if answered else None,
                    rating=rng.choice((2, 3, 4, 4, 5, 5)) if answered else None,
                    wants_contact=answered and rng.random() < 0.04,
                    blockers="Hard to find a slot" if answered and n % 9 == 0 else "",
                    reminders_sent=0 if answered else 1,
                )
            )
    return len(_bulk(CheckIn, rows))


def _engagement(
    organization: Organization,
    plans: list[_ProgramPlan],
    pairs: dict[int, list[Pair]],
    today: date,
) -> int:
    rows: list[EngagementSnapshot] = []
    for plan in plans:
        if plan.closed:
            continue
        for n, pair in enumerate(pairs[plan.program.pk]):
            if pair.status not in (PairStatus.ACTIVE, PairStatus.PAUSED):
                continue
            for week in range(4):
                at_risk = n % 10 == 3 and week < 2
                watch = n % 10 in (5, 6)
                score = 25 + n % 10 if at_risk else 55 + n % 10 if watch else 75 + n % 20
                level = (
                    EngagementLevel.AT_RISK
                    if at_risk
                    else EngagementLevel.WATCH
                    if watch
                    else EngagementLevel.HEALTHY
                )
                reasons = (
                    [{"code": "no_recent_session", "text": "No session for 45 days", "points": -30}]
                    if at_risk
                    else []
                )
                rows.append(
                    EngagementSnapshot(
                        organization=organization,
                        pair=pair,
                        computed_on=today - timedelta(days=7 * week),
                        score=score,
                        level=level,
                        reasons=reasons,
                    )
                )
    return len(_bulk(EngagementSnapshot, rows))


def _goals_actions_reviews(
    organization: Organization,
    plans: list[_ProgramPlan],
    pairs: dict[int, list[Pair]],
    topics: list[Topic],
    coordinator: User,
    today: date,
) -> dict[str, int]:
    goals: list[Goal] = []
    actions: list[Action] = []
    reviews: list[ReviewDecision] = []
    for plan in plans:
        for n, pair in enumerate(pairs[plan.program.pk]):
            if pair.status == PairStatus.PENDING:
                continue
            goals.append(
                Goal(
                    organization=organization,
                    pair=pair,
                    owner=GoalOwner.MENTEE,
                    description="Use one AI tool every week",
                    progress=(0, 25, 50, 75, 100)[n % 5],
                    status=GoalStatus.ACHIEVED if n % 5 == 4 else GoalStatus.OPEN,
                    target_date=plan.end,
                )
            )
            if n % 5 in (0, 2):
                status = (
                    ActionStatus.PLANNED,
                    ActionStatus.IN_PROGRESS,
                    ActionStatus.IMPLEMENTED,
                    ActionStatus.IMPLEMENTED,
                    ActionStatus.DROPPED,
                )[n % 5 + (n // 5) % 3]
                implemented = status == ActionStatus.IMPLEMENTED
                actions.append(
                    Action(
                        organization=organization,
                        pair=pair,
                        owner=pair.mentee,
                        topic=topics[n % len(topics)],
                        title=f"Try {topics[n % len(topics)].name} with my team",
                        status=status,
                        result="The team now shares one weekly digest." if implemented else "",
                        shared_at=_at(plan.start + timedelta(days=60))
                        if implemented and n % 3 == 0
                        else None,
                        due_on=plan.end,
                    )
                )
            if n % 3 == 0 and (plan.closed or today >= plan.start + timedelta(days=135)):
                reviews.append(
                    ReviewDecision(
                        organization=organization,
                        pair=pair,
                        decision=ReviewDecisionKind.CONTINUE
                        if n % 4
                        else ReviewDecisionKind.REFOCUS,
                        decided_by=coordinator,
                    )
                )
    return {
        "goals": len(_bulk(Goal, goals)),
        "actions": len(_bulk(Action, actions)),
        "review_decisions": len(_bulk(ReviewDecision, reviews)),
    }


def _questions(organization: Organization, version: SurveyVersion) -> list[Question]:
    specs: list[dict[str, Any]] = [
        *(
            {
                "kind": QuestionKind.LIKERT,
                "text": f"Anchor {key}",
                "scale_points": 5,
                "labels": LIKERT,
                "anchor_key": key,
            }
            for key in ANCHORS
        ),
        {"kind": QuestionKind.NPS, "text": "Would you recommend the program?"},
    ]
    return Question.objects.bulk_create(
        Question(organization=organization, version=version, position=i, **spec)
        for i, spec in enumerate(specs)
    )


def _surveys(
    organization: Organization,
    plans: list[_ProgramPlan],
    accepted: dict[int, list[Enrollment]],
    people: dict[int, Person],
    rng: random.Random,
) -> dict[str, int]:
    counts = {"survey_invitations": 0, "survey_responses": 0, "survey_answers": 0}
    for plan in plans:
        program = plan.program
        waves = (Wave.PRE, Wave.POST) if plan.closed else (Wave.PRE,)
        enrolments = accepted[program.pk]
        secret = program_secret(program.pk)
        names = {
            e.pk: pseudonym(program_id=program.pk, person_id=e.person_id, secret=secret)
            for e in enrolments
        }
        for step, wave in enumerate(waves):
            opens = plan.start - timedelta(days=7) if wave == Wave.PRE else plan.end
            survey = Survey.objects.create(
                organization=organization, program=program, wave=wave, title=f"{wave} survey"
            )
            version = SurveyVersion.objects.create(
                organization=organization, survey=survey, number=1
            )
            questions = _questions(organization, version)
            answering = [rng.random() < ANSWER_RATES[wave] for _ in enrolments]
            counts["survey_invitations"] += len(
                _bulk(
                    SurveyInvitation,
                    (
                        SurveyInvitation(
                            organization=organization,
                            survey=survey,
                            enrollment=e,
                            opens_on=opens,
                            closes_on=opens + timedelta(days=14),
                            status=InvitationStatus.ANSWERED if yes else InvitationStatus.CLOSED,
                            sent_at=_at(opens, 8),
                            answered_at=_at(opens + timedelta(days=3)) if yes else None,
                        )
                        for e, yes in zip(enrolments, answering, strict=True)
                    ),
                )
            )
            responses = _bulk(
                SurveyResponse,
                (
                    SurveyResponse(
                        organization=organization,
                        survey=survey,
                        version=version,
                        pseudonym=names[e.pk],
                        role=e.role,
                        department=people[e.person_id].department,
                        level=people[e.person_id].level,
                        demographics=people[e.person_id].demographics,
                        respondent=e,
                        submitted_at=_at(opens + timedelta(days=3)),
                    )
                    for e, yes in zip(enrolments, answering, strict=True)
                    if yes
                ),
            )
            rows = []
            for response in responses:
                for question in questions:
                    if question.kind == QuestionKind.LIKERT:
                        value = max(1, min(5, round(rng.gauss(2.8 + 0.6 * step, 1))))
                    else:
                        value = rng.randint(5, 10)
                    rows.append(
                        SurveyAnswer(
                            organization=organization,
                            response=response,
                            question=question,
                            number=Decimal(value),
                        )
                    )
            counts["survey_responses"] += len(responses)
            counts["survey_answers"] += len(_bulk(SurveyAnswer, rows))
        if plan.closed:
            for i, key in enumerate(ANCHORS):
                objective = Objective.objects.create(
                    organization=organization,
                    program=program,
                    statement=f"Objective {i + 1}",
                    target=Decimal("4.0"),
                    baseline=Decimal("2.8"),
                    position=i,
                )
                ObjectiveAnchor.objects.create(
                    organization=organization, objective=objective, anchor_key=key
                )
    return counts


def _user(email: str) -> User:
    """An account without a usable password: the bench signs in with sessions it creates."""
    return User.objects.create_user(email=email)


def _small_tenants(slug: str, count: int, today: date) -> list[Organization]:
    organizations = Organization.objects.bulk_create(
        Organization(slug=f"{slug}-small-{i:02d}", name=f"Small tenant {i:02d}")
        for i in range(count)
    )
    for i, organization in enumerate(organizations):
        with tenant_scope(organization):
            admin = _user(f"admin@{organization.slug}.bench.test")
            Membership.objects.create(organization=organization, user=admin, role=Role.ADMIN)
            program = Program.objects.create(
                organization=organization,
                name="Pilot",
                status=ProgramStatus.ACTIVE,
                start_date=today - timedelta(days=60),
                end_date=today + timedelta(days=120),
            )
            people = _bulk(
                Person,
                (
                    Person(
                        organization=organization,
                        email=f"p{n}@{organization.slug}.bench.test",
                        full_name=f"Small {i:02d}-{n}",
                        department=DEPARTMENTS[n % len(DEPARTMENTS)],
                        level=1 + n,
                    )
                    for n in range(SMALL_TENANT_PEOPLE)
                ),
            )
            enrolments = _bulk(
                Enrollment,
                (
                    Enrollment(
                        organization=organization,
                        program=program,
                        person=person,
                        role=EnrollmentRole.MENTOR if n % 2 == 0 else EnrollmentRole.MENTEE,
                        status=EnrollmentStatus.ACCEPTED,
                    )
                    for n, person in enumerate(people)
                ),
            )
            pairs = _bulk(
                Pair,
                (
                    Pair(
                        organization=organization,
                        program=program,
                        mentor=enrolments[n],
                        mentee=enrolments[n + 1],
                        status=PairStatus.ACTIVE,
                        activated_at=_at(today - timedelta(days=60)),
                    )
                    for n in range(0, len(enrolments) - 1, 2)
                ),
            )
            _bulk(
                SessionLog,
                (
                    SessionLog(
                        organization=organization,
                        pair=pair,
                        logged_by=pair.mentor,
                        held_on=today - timedelta(days=7 * w + 1),
                        duration_minutes=45,
                        status=SessionStatus.CONFIRMED,
                    )
                    for pair in pairs
                    for w in range(3)
                ),
            )
    return organizations


def seed(
    *,
    slug: str = DEFAULT_SLUG,
    scale: float = 1.0,
    small_tenants: int = SMALL_TENANTS,
    seed_value: int = 11,
    say: Callable[[str], None] | None = None,
    analyze: bool = True,
) -> LargeTenant:
    """Write the large tenant (and the small ones) in one transaction; ``AlreadySeededError`` if the
    slug exists. Returns the organisation, the three accounts, the programs and the row counts."""
    if not 0 < scale <= 10:
        raise ValueError("scale must be above 0 and at most 10")
    report = say or (lambda message: None)
    rng = random.Random(seed_value)
    today = timezone.now().date()
    with transaction.atomic():
        if Organization.objects.filter(slug=slug).exists():
            raise AlreadySeededError(f"an organisation with the slug {slug!r} exists already")
        organization = Organization.objects.create(slug=slug, name=f"Large tenant ({slug})")
        admin = _user(ADMIN_EMAIL.format(slug=slug))
        coordinator = _user(COORDINATOR_EMAIL.format(slug=slug))
        participant = _user(PARTICIPANT_EMAIL.format(slug=slug))
        counts: dict[str, int] = {}
        with tenant_scope(organization):
            Membership.objects.bulk_create(
                [
                    Membership(organization=organization, user=admin, role=Role.ADMIN),
                    Membership(organization=organization, user=coordinator, role=Role.COORDINATOR),
                    Membership(organization=organization, user=participant, role=Role.MEMBER),
                ]
            )
            topics = _bulk(Topic, (Topic(organization=organization, name=t) for t in TOPICS))
            plans = _programs(organization, scale, today)
            for plan in plans:
                if not plan.closed:
                    ProgramCoordinator.objects.create(
                        organization=organization, program=plan.program, user=coordinator
                    )
            # Every pair has two people of its own (the closed program's come back as extras).
            head_count = max(scaled(PEOPLE, scale), 2 * sum(plan.pairs for plan in plans))
            people = _people(organization, head_count, slug)
            counts["people"] = len(people)
            report(f"{len(people):,} people")
            planned = _enrolments(organization, plans, people, scale)
            couples = {pk: value[0] for pk, value in planned.items()}
            accepted = {pk: value[1] for pk, value in planned.items()}
            counts["enrollments"] = Enrollment.objects.count()
            counts["charter_and_training"] = _charters_and_training(
                organization, plans, accepted, rng
            )
            pairs = _pairs(organization, plans, couples, today)
            for plan in plans:
                counts[f"pairs:{plan.program.pk}"] = len(pairs[plan.program.pk])
            counts["pairs"] = sum(len(p) for p in pairs.values())
            # The participant: a mentee of the largest program with an active pair.
            largest = max(plans, key=lambda p: p.pairs)
            mine = next(p for p in pairs[largest.program.pk] if p.status == PairStatus.ACTIVE)
            Person.objects.filter(pk=mine.mentee.person_id).update(
                user=participant, email=participant.email
            )
            report(f"{counts['pairs']:,} pairs")
            counts["sessions"] = _sessions(
                organization, plans, pairs, scaled(SESSIONS, scale), today, rng
            )
            report(f"{counts['sessions']:,} sessions")
            counts["check_ins"] = _check_ins(
                organization, plans, pairs, scaled(CHECK_INS, scale), today, rng
            )
            counts["engagement_snapshots"] = _engagement(organization, plans, pairs, today)
            counts.update(
                _goals_actions_reviews(organization, plans, pairs, topics, coordinator, today)
            )
            counts.update(_surveys(organization, plans, accepted, {p.pk: p for p in people}, rng))
            report(
                f"{counts['check_ins']:,} check-ins, {counts['survey_answers']:,} survey answers"
            )
        smalls = _small_tenants(slug, small_tenants, today)
        counts["small_tenants"] = len(smalls)
    if analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return LargeTenant(
        organization=organization,
        admin=admin,
        coordinator=coordinator,
        participant=participant,
        programs=[plan.program for plan in plans],
        counts=counts,
        small_tenants=smalls,
    )
