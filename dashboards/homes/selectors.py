"""The homes: what the first page after sign-in shows to whom, read in a fixed number of queries.

- **Staff** (admins: every program; coordinators: the programs they run, ``programs.access``): one
  row per live program (not archived, not closed) with its counts, and what needs their attention,
  each item with the page that resolves it.
- **Participants** (a member enrolled as mentor or mentee): per open enrolment, the pair and
  partner, the single next step (``participants.next_step.STEP_ORDER``), when the next session is
  due and the pair's goals.

A person who is both sees both. Each rule comes from the app that owns it: enrolment statuses and
next steps (participants), open pairs (matching), engagement levels, the review queue and contact
requests (feedback), response rates (surveys.results.outcomes). Staff: 4 queries; participant: two
plain statements (``statements``) whose rows those rules read; neither grows with the number of
programs, enrolments or pairs (``tests/dashboards/homes``). The participant part is kept in the
cache as plain values with its addresses built (no model instances, no URL built per render).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from core import rows
from dashboards import freshness
from dashboards.homes import statements
from dashboards.homes.scopes import home_scopes
from feedback import checkins as checkin_rules
from feedback.engagement import next_session_due, pair_started_on
from feedback.models import (
    CheckIn,
    CheckInStatus,
    EngagementLevel,
    GoalOwner,
    GoalStatus,
    ReviewDecision,
    SessionLog,
    SessionStatus,
)
from feedback.review import latest_level, review_window
from matching.models import OPEN_PAIR_STATUSES, MatchingRound, Pair, PairStatus, RoundStatus
from organizations.models import Membership
from participants.enrollment import OPEN_STATUSES
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus
from participants.next_step import Step, enrollment_steps
from programs.access import managed_programs
from programs.lifecycle import program_today
from programs.models import Program, ProgramStatus
from surveys.models import InvitationStatus, SurveyInvitation
from surveys.respond.use_cases import answer_problem as survey_problem
from surveys.results.outcomes import INVITED, Rate
from surveys.waves.planning import local_today

# --- Staff ----------------------------------------------------------------------------------------


def _href(slug: str, url_name: str, args: tuple[int, ...], query: str = "") -> str:
    return reverse(url_name, args=(slug, *args)) + query


@dataclass(frozen=True)
class ProgramRow:
    program: Program
    enrolled: int
    accepted: int
    matched: int
    active_pairs: int
    sessions_this_month: int
    at_risk: int
    contact_requests: int
    awaiting_approval: int
    # Open pairs without a review decision; None before the program's review opens.
    review_waiting: int | None
    response_rate: Rate
    rounds_to_review: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class AttentionItem:
    kind: str
    program: Program
    count: int
    text: str
    href: str  # the page that resolves it


@dataclass(frozen=True)
class StaffHome:
    programs: list[ProgramRow]
    attention: list[AttentionItem]


def _count(queryset: QuerySet[Any], outer: str) -> Coalesce:
    """How many rows of ``queryset`` belong to the outer program (a correlated subquery, so the
    counts do not multiply each other as joins would)."""
    return Coalesce(
        Subquery(
            queryset.filter(**{outer: OuterRef("pk")})
            .order_by()
            .values(outer)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def live_programs(membership: Membership) -> QuerySet[Program]:
    """The programs on the staff home: the ones they manage that are not archived or closed."""
    return (
        managed_programs(membership)
        .filter(archived_at__isnull=True)
        .exclude(status=ProgramStatus.CLOSED)
    )


def _program_rows(program_ids: list[int]) -> list[Program]:
    open_pairs = Pair.objects.filter(status__in=OPEN_PAIR_STATUSES)
    # Uncorrelated ``IN`` lists, read once into a hash, rather than a ``mentor = … OR mentee = …``
    # subquery probed for every accepted enrolment.
    in_open_pair = Q(pk__in=open_pairs.values("mentor_id")) | Q(
        pk__in=open_pairs.values("mentee_id")
    )
    enrollments = Enrollment.objects.all()
    accepted = enrollments.filter(status=EnrollmentStatus.ACCEPTED)
    return list(
        Program.objects.filter(pk__in=program_ids)
        .annotate(
            n_enrolled=_count(enrollments.filter(status__in=OPEN_STATUSES), "program"),
            n_accepted=_count(accepted, "program"),
            n_matched=_count(accepted.filter(in_open_pair), "program"),
            n_applied=_count(enrollments.filter(status=EnrollmentStatus.APPLIED), "program"),
            n_active_pairs=_count(Pair.objects.filter(status=PairStatus.ACTIVE), "program"),
            n_at_risk=_count(
                open_pairs.alias(level=latest_level()).filter(level=EngagementLevel.AT_RISK),
                "program",
            ),
            n_undecided=_count(
                open_pairs.exclude(Exists(ReviewDecision.objects.filter(pair=OuterRef("pk")))),
                "program",
            ),
            n_contact=_count(checkin_rules.open_contact_requests(), "pair__program"),
        )
        .order_by("start_date", "name", "id")
    )


def _sessions_this_month(programs: list[Program]) -> dict[int, int]:
    """Sessions held since the first of the month where each program runs (one query)."""
    by_month: dict[date, list[int]] = defaultdict(list)
    for program in programs:
        by_month[program_today(program).replace(day=1)].append(program.pk)
    held = Q()
    for first, ids in by_month.items():
        held |= Q(pair__program_id__in=ids, held_on__gte=first)
    return dict(
        SessionLog.objects.exclude(status=SessionStatus.DRAFT)
        .filter(held)
        .values("pair__program_id")
        .annotate(n=Count("id"))
        .values_list("pair__program_id", "n")
        .order_by()
    )


def _response_rates(programs: list[Program]) -> dict[int, Rate]:
    """Answered / invited over all the program's surveys, as ``surveys.results.outcomes`` counts."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for program_id, status, n in (
        SurveyInvitation.objects.filter(survey__program_id__in=[p.pk for p in programs])
        .values_list("survey__program_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[program_id][status] = n
    return {
        p.pk: Rate(
            "The whole program",
            sum(counts[p.pk].get(s, 0) for s in INVITED),
            counts[p.pk].get(InvitationStatus.ANSWERED, 0),
        )
        for p in programs
    }


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _attention(row: ProgramRow, slug: str) -> list[AttentionItem]:
    program, pk = row.program, row.program.pk
    items = []
    if row.awaiting_approval:
        text = _plural(row.awaiting_approval, "application waits", "applications wait")
        items.append(
            AttentionItem(
                "approvals",
                program,
                row.awaiting_approval,
                f"{text} for your approval",
                _href(slug, "enrollment_manage", (pk,), "?status=applied"),
            )
        )
    for round_id in row.rounds_to_review:
        items.append(
            AttentionItem(
                "round_review",
                program,
                1,
                "A matching round's proposal waits for your review",
                _href(slug, "matching_round", (pk, round_id)),
            )
        )
    if row.at_risk:
        items.append(
            AttentionItem(
                "at_risk",
                program,
                row.at_risk,
                f"{_plural(row.at_risk, 'pair is', 'pairs are')} at risk",
                _href(slug, "program_review", (pk,), "?level=at_risk"),
            )
        )
    if row.contact_requests:
        text = _plural(row.contact_requests, "person asked", "people asked")
        items.append(
            AttentionItem(
                "contact",
                program,
                row.contact_requests,
                f"{text} you to get in touch",
                _href(slug, "program_check_in_list", (pk,), "?contact=1"),
            )
        )
    if row.review_waiting:
        text = _plural(row.review_waiting, "pair waits", "pairs wait")
        items.append(
            AttentionItem(
                "review_queue",
                program,
                row.review_waiting,
                f"Mid-program review: {text} for a decision",
                _href(slug, "program_review", (pk,)),
            )
        )
    return items


def staff_home(membership: Membership, slug: str) -> StaffHome | None:
    """The staff part of the home (None for a member who runs nothing by role). Which programs is
    the policy's, read live; their figures are the same for every viewer of the same programs, so
    they are computed once per change of the organisation's data (``dashboards.freshness``) and
    per day of each program (this month's sessions, the review window)."""
    if not membership.is_staff_role:
        return None
    days = [(p.pk, program_today(p)) for p in live_programs(membership).order_by("pk")]
    return freshness.cached(
        "staff-home",
        membership.organization_id,
        (slug, tuple(days)),
        lambda: _staff_home([pk for pk, _ in days], slug),
    )


def _staff_home(program_ids: list[int], slug: str) -> StaffHome:
    programs = _program_rows(program_ids) if program_ids else []
    sessions = _sessions_this_month(programs) if programs else {}
    rates = _response_rates(programs) if programs else {}
    rounds: dict[int, list[int]] = defaultdict(list)
    if programs:
        for round_id, program_id in (
            MatchingRound.objects.filter(
                program_id__in=[p.pk for p in programs], status=RoundStatus.PROPOSED
            )
            .order_by("created_at", "id")
            .values_list("pk", "program_id")
        ):
            rounds[program_id].append(round_id)
    rows = []
    for program in programs:
        counts: Any = program  # the annotations above
        rows.append(
            ProgramRow(
                program=program,
                enrolled=counts.n_enrolled,
                accepted=counts.n_accepted,
                matched=counts.n_matched,
                active_pairs=counts.n_active_pairs,
                sessions_this_month=sessions.get(program.pk, 0),
                at_risk=counts.n_at_risk,
                contact_requests=counts.n_contact,
                awaiting_approval=counts.n_applied,
                review_waiting=counts.n_undecided if review_window(program).is_open else None,
                response_rate=rates[program.pk],
                rounds_to_review=rounds[program.pk],
            )
        )
    attention = [item for row in rows for item in _attention(row, slug)]
    return StaffHome(programs=rows, attention=attention)


# --- Participants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalLine:
    description: str
    owner: str
    status: str
    status_label: str
    progress: int
    target_date: date | None


@dataclass(frozen=True)
class NoteLine:
    pk: int
    created_at: datetime


# The home points at the partner's shared notes of the last two weeks (the email says it at once).
NEW_NOTE_DAYS = 14


@dataclass
class PairCard:
    """An open pair as the home shows it: plain values (the card is kept in the cache), the pair
    page's address built once."""

    pk: int
    status: str
    status_label: str
    href: str  # the pair page
    partner_name: str
    partner_role: str
    last_session_on: date | None
    started_on: date
    next_session_due: date | None
    goals: list[GoalLine] = field(default_factory=list)
    # Shared notes the partner added lately (``NEW_NOTE_DAYS``), newest first.
    new_notes: list[NoteLine] = field(default_factory=list)


@dataclass(frozen=True)
class StepLink:
    """A next step with the page that does it (``href`` None: a state to wait in). The address is
    made when it is read: a card keeps every step in order, the page and the API show the first,
    and a pair whose partner logged many sessions has a step for each."""

    code: str
    text: str
    button: str
    url_name: str | None = None
    url_args: tuple[int, ...] = ()
    anchor: str = ""
    slug: str = ""

    @classmethod
    def of(cls, step: Step, slug: str) -> StepLink:
        return cls(
            code=step.code,
            text=step.text,
            button=step.button,
            url_name=step.url_name,
            url_args=step.url_args,
            anchor=step.anchor,
            slug=slug,
        )

    @cached_property
    def href(self) -> str | None:
        if not self.url_name:
            return None
        href = _href(self.slug, self.url_name, self.url_args)
        return f"{href}#{self.anchor}" if self.anchor else href


@dataclass
class EnrollmentCard:
    """An open enrolment as the home shows it: plain values, the program page's address built
    once."""

    pk: int
    status: str
    status_label: str
    program_pk: int
    program_name: str
    program_href: str  # the participant's program page
    role: str
    pairs: list[PairCard]
    steps: list[StepLink]

    @property
    def next_step(self) -> StepLink | None:
        return self.steps[0] if self.steps else None


@dataclass(frozen=True)
class ParticipantHome:
    enrollments: list[EnrollmentCard]


def _role_term(program: Program, role: str) -> str:
    if role == EnrollmentRole.MENTOR:
        return program.term("mentor", "mentor")
    return program.term("mentee", "mentee")


def _label(choices: Any, value: str) -> str:
    """The label of ``value`` among ``choices``, as ``get_FOO_display`` gives it."""
    return str(dict(choices.choices).get(value, value))


def _confirm_session(pair_id: int, held_on: date) -> Step:
    return Step(
        "confirm_session",
        f"Your partner logged a session on {held_on:%-d %B %Y}: confirm or correct it.",
        "Confirm the session",
        "pair_detail",
        (pair_id,),
        anchor="todo",  # the pair page's first section, with the button
    )


def _open_items(row: statements.EnrollmentRow) -> list[Step]:
    """The enrolment's check-ins and surveys still open to answer (the owners' rules), newest
    first."""
    enrollment = row.enrollment
    steps = []
    if row.check_ins:
        today = program_today(enrollment.program)
        for sent in row.check_ins:
            check_in = rows.partial(
                CheckIn,
                id=sent.pk,
                enrollment_id=enrollment.pk,
                status=CheckInStatus.SENT.value,
                due_on=sent.due_on,
            )
            if checkin_rules.answer_problem(check_in, today=today) is None:
                steps.append(
                    Step(
                        "answer_check_in",
                        f"A check-in is waiting for your answer (closes "
                        f"{checkin_rules.closes_on(check_in):%-d %B %Y}).",
                        "Answer the check-in",
                        "my_check_in_answer",
                        (sent.pk,),
                    )
                )
    if row.invitations:
        today = local_today(enrollment)
        for sent_invitation in row.invitations:
            invitation = rows.partial(
                SurveyInvitation,
                id=sent_invitation.pk,
                enrollment_id=enrollment.pk,
                status=sent_invitation.status,
                opens_on=sent_invitation.opens_on,
                closes_on=sent_invitation.closes_on,
            )
            if survey_problem(invitation, today=today) is None:
                steps.append(
                    Step(
                        "answer_survey",
                        f"“{sent_invitation.survey_title}” is open until "
                        f"{invitation.closes_on:%-d %B %Y}.",
                        "Answer the survey",
                        "my_survey_answer",
                        (sent_invitation.pk,),
                    )
                )
    return steps


def participant_home(user_id: int, slug: str) -> ParticipantHome:
    """Per open enrolment: its pairs, its steps in ``STEP_ORDER`` and the goals, in two statements
    (``dashboards.homes.statements``) whatever the number of enrolments, pairs and rows."""
    rows = statements.open_enrollments(user_id)
    if not rows:
        return ParticipantHome(enrollments=[])
    mine = {row.enrollment.pk: row.enrollment for row in rows}
    programs = {e.program_id: e.program for e in mine.values()}
    pairs = statements.open_pairs(
        list(mine), programs, notes_since=timezone.now() - timedelta(days=NEW_NOTE_DAYS)
    )
    cards: dict[int, list[PairCard]] = defaultdict(list)
    awaiting: dict[int, list[tuple[date, int, int]]] = defaultdict(list)
    for found in pairs:
        pair = found.pair
        own = pair.mentor_id if pair.mentor_id in mine else pair.mentee_id
        program = pair.program
        cards[own].append(
            PairCard(
                pk=pair.pk,
                status=pair.status,
                status_label=_label(PairStatus, pair.status),
                href=_href(slug, "pair_detail", (pair.pk,)),
                partner_name=found.partner_name,
                partner_role=_role_term(program, found.partner_role),
                last_session_on=found.last_session_on,
                started_on=pair_started_on(pair, program),
                next_session_due=next_session_due(pair, found.last_session_on),
                new_notes=[NoteLine(pk=pk, created_at=at) for pk, at in found.new_notes],
                goals=[
                    GoalLine(
                        description=goal.description,
                        owner=_label(GoalOwner, goal.owner),
                        status=goal.status,
                        status_label=_label(GoalStatus, goal.status),
                        progress=100 if goal.status == GoalStatus.ACHIEVED else goal.progress,
                        target_date=goal.target_date,
                    )
                    for goal in found.goals
                ],
            )
        )
        awaiting[own] += [(held_on, pk, pair.pk) for held_on, pk in found.awaiting]
    result = []
    for row in rows:
        enrollment = row.enrollment
        # The sessions waiting for them, oldest first across their pairs.
        confirm = [
            _confirm_session(pair_id, day) for day, _, pair_id in sorted(awaiting[enrollment.pk])
        ]
        steps = enrollment_steps(enrollment, row.facts, paired=bool(cards[enrollment.pk]))
        steps = sorted([*steps, *confirm, *_open_items(row)], key=lambda step: step.rank)
        program = enrollment.program
        result.append(
            EnrollmentCard(
                pk=enrollment.pk,
                status=enrollment.status,
                status_label=_label(EnrollmentStatus, enrollment.status),
                program_pk=program.pk,
                program_name=program.name,
                program_href=_href(slug, "my_program_detail", (program.pk,)),
                role=_role_term(program, enrollment.role),
                pairs=cards[enrollment.pk],
                steps=[StepLink.of(step, slug) for step in steps],
            )
        )
    return ParticipantHome(enrollments=result)


# --- The home -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Home:
    membership: Membership
    staff: StaffHome | None
    participant: ParticipantHome


def home_for(*, membership: Membership, org_slug: str) -> Home:
    """What the home shows ``membership``'s person: the page and the API call this (links are
    under ``org_slug``, the organisation in scope)."""
    return Home(
        membership=membership,
        staff=staff_home(membership, org_slug),
        participant=cached_participant_home(membership, org_slug),
    )


PARTICIPANT_BUCKET_MINUTES = 15
# Part of the cached value's key: a release that changes the value's shape (its dataclasses) bumps
# it, so an older release's entries, still in Redis for up to ``freshness.TTL``, are never read.
PARTICIPANT_HOME_SHAPE = 2


def cached_participant_home(membership: Membership, slug: str) -> ParticipantHome:
    """The person's own part of the home, computed once per change of what it reads (its
    enrolments, programs and pairs: ``dashboards.homes.scopes``) and at least every quarter of an
    hour: what is open to answer turns
    on dates in the program's and the person's own time zones, and a quarter-hour boundary falls on
    every zone's midnight (offsets of :30 and :45 included)."""
    now = timezone.now()
    bucket = now.replace(
        minute=now.minute - now.minute % PARTICIPANT_BUCKET_MINUTES, second=0, microsecond=0
    )
    return freshness.cached_in_scopes(
        f"participant-home-{PARTICIPANT_HOME_SHAPE}",
        membership.organization_id,
        (membership.user_id, slug, bucket.isoformat()),
        lambda: home_scopes(membership.user_id, membership.organization_id),
        lambda: participant_home(membership.user_id, slug),
    )
