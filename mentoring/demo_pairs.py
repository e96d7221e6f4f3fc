"""Demo pairs: the active program is matched, published and a few weeks into its life; the
matching program has a round waiting for review.

Everything goes through the services (rounds, publishing, sessions, goals, notes, check-in
answers, the engagement run), so the audit log, check-in calendar and engagement page look like
real use. The demo member (a junior data analyst) mentors one executive in the active program.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from accounts.models import User
from feedback import engagement, goals, notes
from feedback.actions import services as actions
from feedback.checkins import Answer, check_in_answer, plan_pair
from feedback.models import (
    ActionStatus,
    CheckIn,
    CheckInStatus,
    NoteVisibility,
    SessionFormat,
    SessionLog,
)
from feedback.sessions import services as sessions
from matching.models import MatchingRound, Pair
from matching.rounds import config, editing, publish, run
from participants.models import (
    CharterAcceptance,
    Enrollment,
    EnrollmentRole,
    EnrollmentSkill,
    EnrollmentStatus,
    Person,
    SkillDirection,
)
from programs.models import Program, ProgramStatus, ProgramTopic
from programs.selectors import current_charter

WEIGHTS = {"complementarity": 5, "interests": 2, "time_zone": 2, "language": 2, "diversity": 1}
LEARNED = (
    "Walked through how our teams use generative AI for first drafts, and where it goes wrong.",
    "Compared how Gen Z and executives read internal announcements; tried a short-video format.",
    "Reviewed the executive's LinkedIn presence and planned three posts about the strategy.",
)


def _skills(program: Program, enrollments: list[Enrollment], rng: random.Random) -> None:
    topics = list(ProgramTopic.objects.filter(program=program).values_list("topic_id", flat=True))
    rows = []
    for enrollment in enrollments:
        direction = (
            SkillDirection.TEACH
            if enrollment.role == EnrollmentRole.MENTOR
            else SkillDirection.LEARN
        )
        for topic_id in rng.sample(topics, k=min(2, len(topics))):
            rows.append(
                EnrollmentSkill(
                    organization_id=program.organization_id,
                    enrollment=enrollment,
                    topic_id=topic_id,
                    direction=direction,
                    level=rng.randint(2, 5),
                )
            )
    EnrollmentSkill.objects.bulk_create(rows, ignore_conflicts=True)


def _run(program: Program, admin: User) -> MatchingRound:
    """Create and compute a round in this process (the demo loads before any worker runs)."""
    matching_round = config.round_create(program=program, actor=admin, weights=WEIGHTS)
    run.mark_queued(matching_round.pk)
    run.run_round(round_id=matching_round.pk)
    matching_round.refresh_from_db()
    return matching_round


def load_demo_pairs(*, admin: User, member: User, member_person: Person) -> None:
    """Inside the demo organisation's scope."""
    rng = random.Random(7)
    programs = {p.status: p for p in Program.objects.all()}
    active, matching_phase = (
        programs.get(ProgramStatus.ACTIVE),
        programs.get(ProgramStatus.MATCHING),
    )
    if matching_phase is not None:
        people = list(Enrollment.objects.filter(program=matching_phase))
        _skills(matching_phase, people, rng)
        _run(matching_phase, admin)  # proposals waiting for review
    if active is None or active.start_date is None:
        return
    mine = Enrollment.objects.create(
        organization_id=active.organization_id,
        program=active,
        person=member_person,
        role=EnrollmentRole.MENTOR,
        status=EnrollmentStatus.ACCEPTED,
        invited_by=admin,
        status_changed_at=timezone.now(),
    )
    people = list(Enrollment.objects.filter(program=active, status=EnrollmentStatus.ACCEPTED))
    _skills(active, people, rng)
    charter = current_charter(program=active)
    if charter is not None:
        CharterAcceptance.objects.bulk_create(
            CharterAcceptance(
                organization_id=active.organization_id, enrollment=person, charter_version=charter
            )
            for person in people
        )
    mentee = next(e for e in people if e.role == EnrollmentRole.MENTEE)
    editing.pin_create(program=active, actor=admin, mentor=mine, mentee=mentee)
    matching_round = _run(active, admin)
    publish.round_publish(matching_round=matching_round, actor=admin)
    started = active.start_date
    # The pairs were published when the program started, a few weeks ago.
    Pair.objects.filter(program=active).update(
        created_at=timezone.now() - timedelta(days=(timezone.localdate() - started).days)
    )
    pairs = list(
        Pair.objects.filter(program=active).select_related(
            "program", "mentor__person", "mentee__person"
        )
    )
    for index, pair in enumerate(pairs):
        _pair_life(pair, index, mine, rng)
        plan_pair(pair)
    _answer_check_ins(pairs)
    engagement.compute_program(active)


def _pair_life(pair: Pair, index: int, mine: Enrollment, rng: random.Random) -> None:
    today = timezone.localdate()
    days_running = max(1, (today - pair.created_at.date()).days)
    if index % 4 == 3:
        return  # a quiet pair: the engagement page flags it
    meetings = 1 + index % 3
    for k in range(meetings):
        held_on = pair.created_at.date() + timedelta(days=min(days_running - 1, 3 + 12 * k))
        if held_on > today:
            break
        logger = pair.mentor if k % 2 == 0 else pair.mentee
        partner = pair.mentee if logger.pk == pair.mentor_id else pair.mentor
        session = sessions.session_log(
            pair=pair,
            by=logger,
            actor=None,
            held_on=held_on,
            duration_minutes=rng.choice((30, 45, 60)),
            format=rng.choice(SessionFormat.values),
            learned=LEARNED[(index + k) % len(LEARNED)],
            action_items="Try one new tool before the next session.",
        )
        # The demo member's newest session waits for the executive's confirmation.
        if not (pair.mentor_id == mine.pk and k == meetings - 1):
            sessions.session_confirm(session=session, by=partner, actor=None)
    _actions(pair, index, session, today)
    goal = goals.goal_create(
        pair=pair,
        by=pair.mentee,
        actor=None,
        owner="mentee",
        description="Use an AI assistant for my weekly board summary",
        target_date=today + timedelta(days=45),
    )
    goals.goal_progress(goal=goal, by=pair.mentee, actor=None, progress=20 + 15 * (index % 4))
    notes.note_create(
        pair=pair,
        author=pair.mentor,
        actor=None,
        text="Agenda for next time: prompts for summarising long documents.",
        visibility=NoteVisibility.SHARED,
    )
    notes.note_create(
        pair=pair,
        author=pair.mentee,
        actor=None,
        text="Personal: ask my own team how they use these tools before the next session.",
        visibility=NoteVisibility.PRIVATE,
    )


def _answer_check_ins(pairs: list[Pair]) -> None:
    """A check-in went out three days ago; most people answered, one asked to be contacted."""
    due_on = timezone.localdate() - timedelta(days=3)
    for index, pair in enumerate(pairs):
        if pair.created_at.date() > due_on:
            continue
        for enrollment in (pair.mentor, pair.mentee):
            check_in = CheckIn.objects.create(
                organization_id=pair.organization_id,
                pair=pair,
                enrollment=enrollment,
                due_on=due_on,
                status=CheckInStatus.SENT,
                sent_at=timezone.now() - timedelta(days=3),
            )
            if index % 4 == 3:
                continue  # the quiet pair did not answer either
            low = index % 4 == 2 and enrollment.pk == pair.mentee_id
            check_in_answer(
                check_in=check_in,
                answer=Answer(
                    rating=2 if low else 4,
                    blockers="Our calendars never line up." if low else "",
                    wants_contact=low,
                ),
                actor=None,
            )


ACTIONS = (
    ("Draft my weekly board summary with an AI assistant", "Saves me an hour every Friday."),
    (
        "Ask two junior colleagues before announcing the hybrid-work policy",
        "The FAQ they drafted answered most questions before they were asked.",
    ),
    ("Post once a month about our strategy on LinkedIn", ""),
)


def _actions(pair: Pair, index: int, session: SessionLog, today: date) -> None:
    """The executive turned the last session into an action: some implemented and shared (the
    program's "what changed"), some still open (listed with their check-ins)."""
    title, result = ACTIONS[index % len(ACTIONS)]
    action = actions.action_create(
        pair=pair,
        actor=None,
        title=title,
        due_on=today + timedelta(days=14 + 7 * (index % 3)),
        session_id=session.pk,
    )
    if index % 3 == 2:
        return  # still planned
    action = actions.action_move(action=action, actor=None, status=ActionStatus.IN_PROGRESS)
    if result:
        action = actions.action_move(
            action=action, actor=None, status=ActionStatus.IMPLEMENTED, result=result
        )
        if index % 2 == 0:
            actions.action_share(action=action, actor=None, shared=True)
