"""The homes: what the first page after sign-in shows to whom, read in a fixed number of queries.

- **Staff** (admins: every program; coordinators: the programs they run, ``programs.access``): one
  row per live program (not archived, not closed) with its counts, and what needs their attention,
  each item with the page that resolves it.
- **Participants** (a member enrolled as mentor or mentee): per open enrolment, the pair and
  partner, the single next step (``participants.next_step.STEP_ORDER``), when the next session is
  due and the pair's goals.

A person who is both sees both. Each rule comes from the app that owns it: enrolment statuses and
next steps (participants), open pairs (matching), engagement levels, the review queue and contact
requests (feedback), response rates (surveys.results.outcomes). Staff: 4 queries; participant: 14;
neither grows with the number of programs, enrolments or pairs (``tests/dashboards/homes``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from dashboards import freshness
from dashboards.homes.scopes import home_scopes
from feedback import checkins as checkin_rules
from feedback.engagement import next_session_due, pair_started_on
from feedback.models import (
    CheckInStatus,
    EngagementLevel,
    Goal,
    GoalStatus,
    Note,
    NoteVisibility,
    ReviewDecision,
    SessionLog,
    SessionStatus,
)
from feedback.review import latest_level, review_window
from matching.models import OPEN_PAIR_STATUSES, MatchingRound, Pair, PairStatus, RoundStatus
from organizations.models import Membership
from participants.enrollment import OPEN_STATUSES
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus
from participants.next_step import Step, enrollment_steps, participant_facts
from programs.access import managed_programs
from programs.lifecycle import program_today
from programs.models import Program, ProgramStatus
from surveys.models import InvitationStatus, SurveyInvitation
from surveys.respond.use_cases import answer_problem as survey_problem
from surveys.respond.use_cases import my_invitations
from surveys.results.outcomes import INVITED, Rate

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


def _new_shared_notes(mine: dict[int, Enrollment], pairs: list[Pair]) -> dict[int, list[NoteLine]]:
    """Per pair: the partner's recent shared notes (one query)."""
    since = timezone.now() - timedelta(days=NEW_NOTE_DAYS)
    found: dict[int, list[NoteLine]] = defaultdict(list)
    for pk, pair_id, created_at in (
        Note.objects.filter(
            pair_id__in=[p.pk for p in pairs],
            visibility=NoteVisibility.SHARED,
            created_at__gte=since,
        )
        .exclude(author_id__in=list(mine))
        .order_by("-created_at", "-id")
        .values_list("pk", "pair_id", "created_at")
    ):
        found[pair_id].append(NoteLine(pk=pk, created_at=created_at))
    return found


@dataclass
class PairCard:
    pair: Pair
    partner: Enrollment
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
    enrollment: Enrollment
    role: str
    pairs: list[PairCard]
    steps: list[StepLink]

    @property
    def program(self) -> Program:
        return self.enrollment.program

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


def _pair_steps(
    user: User, mine: dict[int, Enrollment], pairs: list[Pair]
) -> dict[int, list[Step]]:
    """Per enrolment id: sessions waiting for their confirmation, check-ins and surveys to answer
    (three queries)."""
    steps: dict[int, list[Step]] = defaultdict(list)
    pair_ids = [p.pk for p in pairs]
    by_pair = {p.pk: p for p in pairs}
    awaiting = (
        SessionLog.objects.filter(pair_id__in=pair_ids, status=SessionStatus.AWAITING)
        .exclude(logged_by_id__in=list(mine))
        .order_by("held_on", "id")
        .values_list("pair_id", "held_on")
    )
    for pair_id, held_on in awaiting:
        pair = by_pair[pair_id]
        own = pair.mentor_id if pair.mentor_id in mine else pair.mentee_id
        steps[own].append(
            Step(
                "confirm_session",
                f"Your partner logged a session on {held_on:%-d %B %Y}: confirm or correct it.",
                "Confirm the session",
                "pair_detail",
                (pair_id,),
                anchor="todo",  # the pair page's first section, with the button
            )
        )
    for check_in in my_check_ins_open(user):
        steps[check_in.enrollment_id].append(
            Step(
                "answer_check_in",
                f"A check-in is waiting for your answer (closes "
                f"{checkin_rules.closes_on(check_in):%-d %B %Y}).",
                "Answer the check-in",
                "my_check_in_answer",
                (check_in.pk,),
            )
        )
    invitations = my_invitations(user).filter(
        status=InvitationStatus.SENT, enrollment_id__in=list(mine)
    )
    for invitation in invitations:
        if survey_problem(invitation) is None:
            steps[invitation.enrollment_id].append(
                Step(
                    "answer_survey",
                    f"“{invitation.survey.title}” is open until {invitation.closes_on:%-d %B %Y}.",
                    "Answer the survey",
                    "my_survey_answer",
                    (invitation.pk,),
                )
            )
    return steps


def my_check_ins_open(user: User) -> list[Any]:
    """The person's sent check-ins that can still be answered (``feedback.checkins`` rules)."""
    return [
        check_in
        for check_in in checkin_rules.my_check_ins(user)
        .filter(status=CheckInStatus.SENT)
        # Only the program is read (its today, for the answer window): not both people.
        .select_related(None)
        .select_related("pair__program")
        if checkin_rules.answer_problem(check_in) is None
    ]


def participant_home(user: User, slug: str) -> ParticipantHome:
    enrollments = list(
        Enrollment.objects.filter(
            person__user=user, status__in=OPEN_STATUSES, program__archived_at__isnull=True
        )
        .exclude(program__status=ProgramStatus.CLOSED)
        .select_related("person", "program")
        .order_by("program__start_date", "program__name", "id")
    )
    if not enrollments:
        return ParticipantHome(enrollments=[])
    mine = {e.pk: e for e in enrollments}
    last_session = Subquery(
        SessionLog.objects.filter(pair=OuterRef("pk"))
        .exclude(status=SessionStatus.DRAFT)
        .order_by()
        .values("pair")
        .annotate(last=Max("held_on"))
        .values("last")
    )
    pairs = list(
        Pair.objects.filter(
            Q(mentor_id__in=list(mine)) | Q(mentee_id__in=list(mine)),
            status__in=OPEN_PAIR_STATUSES,
        )
        .select_related("program", "mentor__person", "mentee__person")
        .annotate(last_session_on=last_session)
        .order_by("-created_at", "-id")
    )
    goals: dict[int, list[GoalLine]] = defaultdict(list)
    for goal in Goal.objects.filter(pair_id__in=[p.pk for p in pairs]).order_by(
        "status", "target_date", "id"
    ):
        goals[goal.pair_id].append(
            GoalLine(
                description=goal.description,
                owner=goal.get_owner_display(),
                status=goal.status,
                status_label=goal.get_status_display(),
                progress=100 if goal.status == GoalStatus.ACHIEVED else goal.progress,
                target_date=goal.target_date,
            )
        )
    new_notes = _new_shared_notes(mine, pairs)
    cards: dict[int, list[PairCard]] = defaultdict(list)
    for pair in pairs:
        own, partner = (
            (pair.mentor, pair.mentee) if pair.mentor_id in mine else (pair.mentee, pair.mentor)
        )
        last: Any = pair
        cards[own.pk].append(
            PairCard(
                pair=pair,
                partner=partner,
                partner_role=_role_term(pair.program, partner.role),
                last_session_on=last.last_session_on,
                started_on=pair_started_on(pair, pair.program),
                next_session_due=next_session_due(pair, last.last_session_on),
                new_notes=new_notes[pair.pk],
                goals=goals[pair.pk],
            )
        )
    facts = participant_facts(enrollments)
    pair_steps = _pair_steps(user, mine, pairs)
    result = []
    for enrollment in enrollments:
        steps = enrollment_steps(
            enrollment, facts[enrollment.pk], paired=bool(cards[enrollment.pk])
        )
        steps = sorted([*steps, *pair_steps[enrollment.pk]], key=lambda step: step.rank)
        result.append(
            EnrollmentCard(
                enrollment=enrollment,
                role=_role_term(enrollment.program, enrollment.role),
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
        "participant-home",
        membership.organization_id,
        (membership.user_id, slug, bucket.isoformat()),
        lambda: home_scopes(membership.user_id, membership.organization_id),
        lambda: participant_home(membership.user, slug),
    )
