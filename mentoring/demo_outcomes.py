"""Demo outcomes: the closed program ran its surveys and shows what changed; the active program
ran its pre-program survey.

The closed program gets its pairs (completed), the recommended surveys of every wave (the
post-program one anonymous, so the outcomes page shows anonymous answers pairing with attributed
ones), answers from most people in each wave, its objectives measured by anchor items, actions the
executives implemented and shared, and two success stories both members agreed to publish.

The waves are long past, so invitations and answers are written as the answering use case
(``surveys.respond.use_cases.submit_answers``) writes them — same pseudonyms, same anonymity rules
— rather than answered through it, which refuses a closed wave. Numbers come from a seeded random
generator: anchor items rise between pre and post by about a point, as a program that worked would.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from feedback.actions import services as actions
from feedback.models import ActionStatus
from matching.models import Pair, PairStatus
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus
from programs.models import Objective, Program, ProgramStatus
from surveys.builder import services as builder
from surveys.models import (
    InvitationStatus,
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    Wave,
)
from surveys.pseudonyms import program_secret, pseudonym
from surveys.respond.forms import questions_for
from surveys.selectors import current_version, program_surveys

# Objective statement (start) → the anchor item that measures it, for the demo's programs.
OBJECTIVE_ANCHORS = {
    "Executives feel confident using collaboration": "confidence_digital_tools",
    "Mentors feel heard by senior leadership": "mentor_visibility",
    "Executives use an AI assistant": "confidence_ai_tools",
    "Mentors gain visibility": "mentor_visibility",
}
# Share of people who answer each wave (everyone asked answers the pre survey).
ANSWER_RATE = {Wave.PRE: 1.0, Wave.MID: 0.85, Wave.POST: 0.95, Wave.FOLLOW_UP: 0.75}
TEXTS = (
    "I now ask my team how they would approach a problem before I decide.",
    "Using an assistant for first drafts changed how I prepare for board meetings.",
    "Speaking with a director every fortnight made me far less nervous in big meetings.",
    "We moved our team updates to a short video, and people actually watch them.",
    "I understand why our junior colleagues care so much about flexible hours.",
)
CLOSED_ACTIONS = (
    (
        "Run my quarterly all-hands Q&A through an anonymous question tool",
        "Twice as many questions, and the hard ones came first.",
    ),
    (
        "Ask two junior colleagues to review every policy announcement before it goes out",
        "The travel policy FAQ they rewrote cut questions to HR by half.",
    ),
    (
        "Build my own dashboard of the team's delivery data instead of asking for slides",
        "I stopped the weekly slide pack; the team got Friday afternoons back.",
    ),
    ("Post once a month about our strategy on LinkedIn", ""),
)
STORIES = (
    "Priya showed me how our customers actually find us: through short videos, not our website. "
    "We changed the launch plan of the spring campaign after one session.",
    "Meeting a director every two weeks taught me how decisions are really made here, and my "
    "director now brings the 'junior view' to the leadership meeting every month.",
)


def load_demo_outcomes() -> None:
    """Inside the demo organisation's scope, after the pairs demo."""
    rng = random.Random(11)
    programs = {p.status: p for p in Program.objects.all()}
    closed = programs.get(ProgramStatus.CLOSED)
    if closed is not None and closed.start_date and closed.end_date:
        _closed_program(closed, rng)
    active = programs.get(ProgramStatus.ACTIVE)
    if active is not None and active.start_date:
        builder.use_recommended(actor=None, program=active)
        _link_objectives(active)
        pre = next(s for s in program_surveys(active) if s.wave == Wave.PRE)
        people = list(
            Enrollment.objects.filter(program=active, status=EnrollmentStatus.ACCEPTED)
            .select_related("person")
            .order_by("pk")
        )
        _answer_wave(pre, people, opens_on=active.start_date - timedelta(days=10), rng=rng)


def _closed_program(program: Program, rng: random.Random) -> None:
    assert program.start_date is not None
    assert program.end_date is not None
    people = list(
        Enrollment.objects.filter(program=program, status=EnrollmentStatus.ACCEPTED)
        .select_related("person")
        .order_by("pk")
    )
    mentors = [e for e in people if e.role == EnrollmentRole.MENTOR]
    mentees = [e for e in people if e.role == EnrollmentRole.MENTEE]
    started = _at(program.start_date)
    ended = _at(program.end_date)
    pairs = Pair.objects.bulk_create(
        Pair(
            organization_id=program.organization_id,
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=PairStatus.COMPLETED,
            created_at=started - timedelta(days=7),
            activated_at=started,
            ends_on=program.end_date,
            completed_at=ended,
        )
        for mentor, mentee in zip(mentors, mentees, strict=False)
    )
    paired = {e.pk for pair in pairs for e in (pair.mentor, pair.mentee)}

    surveys = {s.wave: s for s in builder.use_recommended(actor=None, program=program)}
    builder.survey_update_settings(
        actor=None, survey=surveys[Wave.POST], values={"anonymous": True}
    )
    surveys[Wave.POST].refresh_from_db()
    _link_objectives(program)
    mid = program.mid_review_date or program.start_date + timedelta(days=60)
    opening: dict[str, date] = {
        Wave.PRE: program.start_date - timedelta(days=10),
        Wave.MID: mid,
        Wave.POST: program.end_date,
        Wave.FOLLOW_UP: program.end_date + timedelta(days=90),
    }
    for wave, survey in surveys.items():
        asked = [e for e in people if wave != Wave.MID or e.pk in paired]
        _answer_wave(survey, asked, opens_on=opening[wave], rng=rng)

    for index, pair in enumerate(pairs):
        _closed_actions(pair, index)
    for pair, text in zip(pairs, STORIES, strict=False):
        story = actions.story_write(pair=pair, by=pair.mentee, actor=None, text=text)
        story = actions.story_agree(story=story, by=pair.mentee, actor=None)
        actions.story_agree(story=story, by=pair.mentor, actor=None)


def _closed_actions(pair: Pair, index: int) -> None:
    title, result = CLOSED_ACTIONS[index % len(CLOSED_ACTIONS)]
    action = actions.action_create(pair=pair, actor=None, title=title, due_on=None)
    action = actions.action_move(action=action, actor=None, status=ActionStatus.IN_PROGRESS)
    if not result:
        actions.action_move(action=action, actor=None, status=ActionStatus.DROPPED)
        return
    action = actions.action_move(
        action=action, actor=None, status=ActionStatus.IMPLEMENTED, result=result
    )
    if index % 3 != 2:  # most executives share what they changed; one keeps it to the pair
        actions.action_share(action=action, actor=None, shared=True)


def _link_objectives(program: Program) -> None:
    for objective in Objective.objects.filter(program=program):
        for start, key in OBJECTIVE_ANCHORS.items():
            if objective.statement.startswith(start):
                builder.objective_anchor_link(actor=None, objective=objective, anchor_key=key)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=timezone.get_current_timezone())


def _answer_wave(
    survey: Survey, people: list[Enrollment], *, opens_on: date, rng: random.Random
) -> None:
    """Invite ``people`` to ``survey`` as if it opened on ``opens_on``; most answered."""
    version = current_version(survey)
    assert version is not None
    assert survey.program_id is not None
    questions = list(version.questions.order_by("position", "id"))
    closes_on = opens_on + timedelta(days=survey.open_days)
    secret = program_secret(survey.program_id)
    rate = ANSWER_RATE[Wave(survey.wave)]
    for index, enrollment in enumerate(people):
        answered = index == 0 or rng.random() < rate
        invitation = SurveyInvitation.objects.create(
            organization_id=survey.organization_id,
            survey=survey,
            enrollment=enrollment,
            opens_on=opens_on,
            closes_on=closes_on,
            status=InvitationStatus.ANSWERED if answered else InvitationStatus.CLOSED,
            sent_at=_at(opens_on),
        )
        if not answered:
            continue
        submitted = _at(opens_on + timedelta(days=rng.randint(0, 5)))
        if not survey.anonymous:
            invitation.answered_at = submitted
            invitation.save(update_fields=["answered_at"])
        person = enrollment.person
        response = SurveyResponse.objects.create(
            organization_id=survey.organization_id,
            survey=survey,
            version=version,
            pseudonym=pseudonym(program_id=survey.program_id, person_id=person.pk, secret=secret),
            role=enrollment.role,
            department=person.department,
            level=person.level,
            demographics=dict(person.demographics or {})
            if person.demographics_consented_at
            else {},
            respondent=None if survey.anonymous else enrollment,
            submitted_at=None if survey.anonymous else submitted,
        )
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(
                organization_id=survey.organization_id,
                response=response,
                question=question,
                **_value(question, survey.wave, person.pk, rng),
            )
            for question in questions_for(questions, enrollment.role)
            if question.required or rng.random() < 0.7
        )


def _value(question: Question, wave: str, person_id: int, rng: random.Random) -> dict[str, object]:
    if question.kind == QuestionKind.LIKERT:
        points = question.scale_points or 5
        if question.anchor_key:
            # Each person starts somewhere between 1 and 3 (stable per person and item) and most
            # move up by one or two points after the program, keeping most of it three months on.
            start = 1 + (person_id * 7 + len(question.anchor_key)) % 3
            rise = 0 if wave in (Wave.PRE, Wave.MID) else rng.choice((0, 1, 1, 1, 2, 2))
            value = min(points, start + rise)
        else:
            value = rng.choice((3, 4, 4, 4, 5))
        return {"number": Decimal(value)}
    if question.kind == QuestionKind.NPS:
        return {"number": Decimal(rng.choice((6, 8, 9, 9, 10, 10)))}
    if question.kind == QuestionKind.NUMBER:
        low = int(question.min_value if question.min_value is not None else 0)
        high = int(question.max_value if question.max_value is not None else 10)
        return {"number": Decimal(rng.randint(low, min(high, low + 6)))}
    if question.kind == QuestionKind.SINGLE:
        return {"choices": [rng.choice(question.choices)]}
    if question.kind == QuestionKind.MULTIPLE:
        options = list(question.choices)
        return {"choices": rng.sample(options, k=min(len(options), rng.randint(1, 2)))}
    return {"text": rng.choice(TEXTS)}
