"""Builders for the waves and answering tests (no tests here): a dated program of one
organisation with an accepted mentor and mentee (accounts, time zones), and program surveys made
directly as rows (the builder's services are another feature's)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from accounts.models import User
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus, Person
from programs.models import Audience, Program, ProgramCoordinator, ProgramStatus
from surveys.models import Question, QuestionKind, Survey, SurveyVersion, Wave
from tests.conftest import Tenant
from tests.factories import make_member

START = date(2026, 3, 2)
MID = date(2026, 4, 13)
END = date(2026, 6, 1)
ACCEPTED_AT = datetime.fromisoformat("2026-02-10T15:00:00+00:00")

_counter = itertools.count(1)


@dataclass
class SurveyWorld:
    tenant: Tenant
    program: Program
    mentor: Enrollment
    mentee: Enrollment
    mentor_user: User
    mentee_user: User
    surveys: dict[str, Survey] = field(default_factory=dict)


def make_person_with_account(
    tenant: Tenant, *, name: str, time_zone: str, **fields: Any
) -> tuple[Person, User]:
    number = next(_counter)
    user = make_member(
        tenant.organization, email=f"p{number}@{tenant.slug}.test", full_name=name
    ).user
    with tenant.scope():
        person = Person.objects.create(
            organization=tenant.organization,
            user=user,
            email=user.email,
            full_name=name,
            time_zone=time_zone,
            **fields,
        )
    return person, user


def accept(
    tenant: Tenant, program: Program, person: Person, role: str, at: datetime = ACCEPTED_AT
) -> Enrollment:
    with tenant.scope():
        return Enrollment.objects.create(
            organization=tenant.organization,
            program=program,
            person=person,
            role=role,
            status=EnrollmentStatus.ACCEPTED,
            status_changed_at=at,
        )


def survey_world(
    tenant: Tenant,
    *,
    start: date = START,
    mid: date | None = MID,
    end: date = END,
    program_zone: str = "Europe/Paris",
) -> SurveyWorld:
    with tenant.scope():
        program = Program.objects.create(
            organization=tenant.organization,
            name=f"Reverse mentoring {next(_counter)}",
            status=ProgramStatus.ACTIVE,
            start_date=start,
            mid_review_date=mid,
            end_date=end,
            time_zone=program_zone,
        )
        ProgramCoordinator.objects.create(
            organization=tenant.organization, program=program, user=tenant.coordinator.user
        )
    mentor_person, mentor_user = make_person_with_account(
        tenant, name="Mia Mentor", time_zone="UTC", department="Data", level=2
    )
    mentee_person, mentee_user = make_person_with_account(
        tenant, name="Eli Executive", time_zone="Asia/Tokyo", department="Board", level=9
    )
    return SurveyWorld(
        tenant=tenant,
        program=program,
        mentor=accept(tenant, program, mentor_person, EnrollmentRole.MENTOR),
        mentee=accept(tenant, program, mentee_person, EnrollmentRole.MENTEE),
        mentor_user=mentor_user,
        mentee_user=mentee_user,
    )


def default_questions() -> list[dict[str, Any]]:
    return [
        {
            "kind": QuestionKind.LIKERT,
            "text": "I am confident using AI tools",
            "scale_points": 5,
            "labels": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
            "anchor_key": "ai-confidence",
        },
        {"kind": QuestionKind.NPS, "text": "Would you recommend the program?"},
        {
            "kind": QuestionKind.SINGLE,
            "text": "How often do you meet?",
            "choices": ["Weekly", "Fortnightly", "Monthly"],
            "audience": Audience.MENTEES,
        },
        {
            "kind": QuestionKind.MULTIPLE,
            "text": "Which topics did you cover?",
            "choices": ["AI", "Social media", "Hybrid work"],
            "required": False,
        },
        {
            "kind": QuestionKind.NUMBER,
            "text": "Hours spent",
            "min_value": 0,
            "max_value": 100,
            "required": False,
        },
        {"kind": QuestionKind.TEXT, "text": "What changed?", "required": False},
        {
            "kind": QuestionKind.LIKERT,
            "text": "I feel visible to senior leaders",
            "scale_points": 7,
            "audience": Audience.MENTORS,
        },
    ]


def make_survey(
    tenant: Tenant,
    program: Program | None,
    wave: str = Wave.PRE,
    *,
    anonymous: bool = False,
    open_days: int = 14,
    questions: list[dict[str, Any]] | None = None,
    title: str | None = None,
) -> Survey:
    """A program survey with one version of ``questions`` (the default set when None)."""
    with tenant.scope():
        survey = Survey.objects.create(
            organization=tenant.organization,
            program=program,
            wave=wave,
            title=title or f"{Wave(wave).label} survey",
            anonymous=anonymous,
            open_days=open_days,
        )
        add_version(survey, default_questions() if questions is None else questions)
    return survey


def add_version(survey: Survey, questions: list[dict[str, Any]]) -> SurveyVersion:
    """The survey's next version with ``questions`` (call inside the tenant's scope)."""
    number = (survey.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = SurveyVersion.objects.create(
        organization_id=survey.organization_id, survey=survey, number=number
    )
    for position, spec in enumerate(questions):
        Question.objects.create(
            organization_id=survey.organization_id, version=version, position=position, **spec
        )
    return version


def questions_by_text(survey: Survey) -> dict[str, Question]:
    """The current version's questions by their text (inside the scope)."""
    version = survey.versions.order_by("-number").first()
    assert version is not None
    return {q.text: q for q in version.questions.all()}


def good_answers(survey: Survey, role: str) -> dict[str, Any]:
    """A complete, valid body for ``role`` (form field names ``q<id>``)."""
    q = questions_by_text(survey)
    body: dict[str, Any] = {
        f"q{q['I am confident using AI tools'].pk}": "4",
        f"q{q['Would you recommend the program?'].pk}": "9",
        f"q{q['Which topics did you cover?'].pk}": ["AI", "Hybrid work"],
        f"q{q['Hours spent'].pk}": "12.5",
        f"q{q['What changed?'].pk}": "I use an assistant every week.",
    }
    if role == "mentee":
        body[f"q{q['How often do you meet?'].pk}"] = "Weekly"
    else:
        body[f"q{q['I feel visible to senior leaders'].pk}"] = "6"
    return body
