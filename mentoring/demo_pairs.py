"""Demo pairs: the active program is matched, published and a few weeks into its life; the
matching program has a round waiting for review.

Everything goes through the services (rounds, publishing, sessions, goals, notes, check-in
answers, the engagement run), so the audit log, check-in calendar and engagement page look like
real use. The demo member (a junior data analyst) mentors one executive in the active program.

The dates agree with each other, as the engagement page reads them: everyone accepted the charter
before the program started; the round was published on the program's first morning (both the
pairs' creation and activation say so); sessions fall between that day and today; check-ins went
out on the pair's calendar (one cadence after its start, fortnightly) and were answered after
they went out; every date is the program's (``program_today``), not the server's. The scores are
computed at the end of the load, not left to the nightly run.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from feedback import engagement, goals, notes
from feedback.actions import services as actions
from feedback.checkins import (
    Answer,
    check_in_answer,
    closes_on,
    plan_pair,
    schedule_dates,
    send_time,
)
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
from programs import services as program_services
from programs.lifecycle import program_today, program_zone
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


# Each pair's story, by its place in the list (the demo member's pair comes first). Sessions are
# days after the pair's start; the engagement page shows one of each.
STEADY, SLIPPING, STRUGGLING, QUIET = range(4)
SESSION_DAYS = {
    STEADY: (3, 15, 27, 39),  # every twelve days, the last within the cadence: healthy
    SLIPPING: (3, 12),  # met twice early on, then stopped: no session for a month
    STRUGGLING: (4, 18, 32),  # meets, but the executive rates it low and asks for a call
    QUIET: (),  # never met, never answered: at risk
}


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
    start = active.start_date
    # Fortnightly check-ins, so that a few weeks in the pairs have answered some already.
    active = program_services.program_update(
        actor=admin, program=active, values={"checkin_cadence_days": 14}
    )
    # The round was published on the program's first morning, where the program runs.
    published = datetime.combine(start, time(9, 0), tzinfo=program_zone(active))
    mine = Enrollment.objects.create(
        organization_id=active.organization_id,
        program=active,
        person=member_person,
        role=EnrollmentRole.MENTOR,
        status=EnrollmentStatus.ACCEPTED,
        invited_by=admin,
        status_changed_at=published - timedelta(days=14),
    )
    people = list(Enrollment.objects.filter(program=active, status=EnrollmentStatus.ACCEPTED))
    Enrollment.objects.filter(program=active, status=EnrollmentStatus.ACCEPTED).update(
        status_changed_at=published - timedelta(days=14)
    )
    _skills(active, people, rng)
    charter = current_charter(program=active)
    if charter is not None:
        CharterAcceptance.objects.bulk_create(
            CharterAcceptance(
                organization_id=active.organization_id,
                enrollment=person,
                charter_version=charter,
                accepted_at=published - timedelta(days=7),
            )
            for person in people
        )
    mentee = next(e for e in people if e.role == EnrollmentRole.MENTEE)
    editing.pin_create(program=active, actor=admin, mentor=mine, mentee=mentee)
    matching_round = _run(active, admin)
    publish.round_publish(matching_round=matching_round, actor=admin)
    MatchingRound.objects.filter(pk=matching_round.pk).update(
        created_at=published - timedelta(days=2), published_at=published
    )
    Pair.objects.filter(program=active).update(created_at=published, activated_at=published)
    pairs = sorted(
        Pair.objects.filter(program=active).select_related(
            "program", "mentor__person", "mentee__person"
        ),
        key=lambda pair: (pair.mentor_id != mine.pk, pair.pk),
    )
    today = program_today(active)
    for index, pair in enumerate(pairs):
        story = index % 4
        _pair_life(pair, story, index, mine, rng, today)
        _check_ins(pair, story, today)
        plan_pair(pair)  # the check-ins still to come
    engagement.compute_program(active)


def _pair_life(
    pair: Pair, story: int, index: int, mine: Enrollment, rng: random.Random, today: date
) -> None:
    if story == QUIET:
        return  # the engagement page flags it
    started = engagement.pair_started_on(pair, pair.program)
    days = [d for d in SESSION_DAYS[story] if started + timedelta(days=d) <= today]
    session: SessionLog | None = None
    for k, day in enumerate(days):
        logger = pair.mentor if k % 2 == 0 else pair.mentee
        partner = pair.mentee if logger.pk == pair.mentor_id else pair.mentor
        session = sessions.session_log(
            pair=pair,
            by=logger,
            actor=None,
            held_on=started + timedelta(days=day),
            duration_minutes=rng.choice((30, 45, 60)),
            format=rng.choice(SessionFormat.values),
            learned=LEARNED[(index + k) % len(LEARNED)],
            action_items="Try one new tool before the next session.",
        )
        # The demo member's newest session waits for the executive's confirmation.
        if not (pair.mentor_id == mine.pk and k == len(days) - 1):
            sessions.session_confirm(session=session, by=partner, actor=None)
    if session is not None:
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
        notify_partner=False,  # the demo's past: nobody is told of it at seeding
    )
    notes.note_create(
        pair=pair,
        author=pair.mentee,
        actor=None,
        text="Personal: ask my own team how they use these tools before the next session.",
        visibility=NoteVisibility.PRIVATE,
    )


def _check_ins(pair: Pair, story: int, today: date) -> None:
    """The check-ins of the pair's calendar that went out by now, answered a day later by most
    people: through the answering service while still open, written as it writes them once
    closed. The struggling pair's executive rates it low and, lately, asks to be contacted."""
    now = timezone.now()
    for due_on in schedule_dates(pair, today=today):
        for enrollment in (pair.mentor, pair.mentee):
            sent_at = send_time(due_on, enrollment)
            if sent_at > now:
                continue  # plan_pair plans it
            check_in = CheckIn.objects.create(
                organization_id=pair.organization_id,
                pair=pair,
                enrollment=enrollment,
                due_on=due_on,
                status=CheckInStatus.SENT,
                sent_at=sent_at,
            )
            if story == QUIET:
                continue  # the quiet pair did not answer either
            low = story == STRUGGLING and enrollment.pk == pair.mentee_id
            latest = due_on + timedelta(days=pair.program.checkin_cadence_days) > today
            answer = Answer(
                rating=2 if low else 4,
                blockers="Our calendars never line up." if low else "",
                wants_contact=low and latest,
            )
            if today <= closes_on(check_in):
                check_in_answer(check_in=check_in, answer=answer, actor=None)
                continue
            CheckIn.objects.filter(pk=check_in.pk).update(
                status=CheckInStatus.ANSWERED,
                rating=answer.rating,
                blockers=answer.blockers,
                wants_contact=answer.wants_contact,
                answered_at=sent_at + timedelta(days=1),
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
