"""Builders for the results tests (no tests here): a program with people, its surveys per wave,
invitations and answers, written directly with the ORM inside the tenant's scope. Pseudonyms come
from ``surveys.pseudonyms``, as the answering service makes them."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from participants.models import Enrollment, EnrollmentStatus
from programs.models import Objective, Program, ProgramStatus
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
)
from surveys.pseudonyms import program_secret, pseudonym
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import (
    assign_coordinator,
    enrol,
    make_person,
    make_program,
)

_numbers = itertools.count(1)
LIKERT_LABELS = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]


@dataclass
class Cohort:
    tenant: Tenant
    program: Program
    mentees: list[Enrollment]
    mentors: list[Enrollment]
    surveys: dict[str, Survey] = field(default_factory=dict)

    @property
    def people(self) -> list[Enrollment]:
        return self.mentees + self.mentors


def cohort(
    tenant: Tenant,
    *,
    mentees: int,
    mentors: int = 0,
    departments: Sequence[str] = ("Sales",),
    levels: Sequence[int] = (10,),
    demographics: Sequence[Mapping[str, str]] = ({},),
    coordinator: bool = True,
) -> Cohort:
    """An active program with accepted mentees and mentors; department, level and consented
    demographics are given round-robin."""
    program = make_program(tenant, status=ProgramStatus.ACTIVE)
    if coordinator:
        assign_coordinator(tenant, program)
    people: dict[str, list[Enrollment]] = {"mentee": [], "mentor": []}
    for role, count in (("mentee", mentees), ("mentor", mentors)):
        for i in range(count):
            groups = dict(demographics[i % len(demographics)])
            person = make_person(
                tenant,
                department=departments[i % len(departments)],
                level=levels[i % len(levels)],
                demographics=groups,
                demographics_consented_at=timezone.now() if groups else None,
            )
            people[role].append(
                enrol(tenant, program, person, role, status=EnrollmentStatus.ACCEPTED)
            )
    return Cohort(tenant, program, people["mentee"], people["mentor"])


def likert(text: str, anchor_key: str = "", **fields: Any) -> dict[str, Any]:
    return {
        "kind": QuestionKind.LIKERT,
        "text": text,
        "scale_points": 5,
        "labels": LIKERT_LABELS,
        "anchor_key": anchor_key,
        **fields,
    }


def question(kind: str, text: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "text": text, **fields}


def add_survey(
    group: Cohort,
    wave: str,
    questions: Sequence[Mapping[str, Any]],
    *,
    anonymous: bool = False,
    version: int = 1,
) -> Survey:
    """The program's survey of ``wave`` (made on first use) with a new version of ``questions``."""
    tenant = group.tenant
    with tenant.scope():
        survey = group.surveys.get(wave) or Survey.objects.create(
            organization=tenant.organization,
            program=group.program,
            wave=wave,
            title=f"{wave.title()} survey {next(_numbers)}",
            anonymous=anonymous,
        )
        group.surveys[wave] = survey
        made = SurveyVersion.objects.create(
            organization=tenant.organization, survey=survey, number=version
        )
        for position, spec in enumerate(questions):
            Question.objects.create(
                organization=tenant.organization, version=made, position=position, **spec
            )
    return survey


def questions_of(survey: Survey, version: int | None = None) -> list[Question]:
    versions = survey.versions.order_by("-number")
    chosen = versions.get(number=version) if version is not None else versions.first()
    assert chosen is not None
    return list(chosen.questions.order_by("position", "id"))


def answer(
    group: Cohort,
    wave: str,
    enrollment: Enrollment,
    values: Mapping[str, Any],
    *,
    version: int | None = None,
) -> SurveyResponse:
    """``enrollment``'s answers to the survey of ``wave``: ``values`` by question text (a number,
    a list of choices or a text). Anonymous surveys store no link to the person, as the service
    does; the invitation is marked answered (with no time when anonymous)."""
    tenant = group.tenant
    survey = group.surveys[wave]
    with tenant.scope():
        person = enrollment.person
        by_text = {q.text: q for q in questions_of(survey, version)}
        version_row = next(iter(by_text.values())).version
        secret = program_secret(group.program.pk)
        response = SurveyResponse.objects.create(
            organization=tenant.organization,
            survey=survey,
            version=version_row,
            pseudonym=pseudonym(program_id=group.program.pk, person_id=person.pk, secret=secret),
            role=enrollment.role,
            department=person.department,
            level=person.level,
            demographics=dict(person.demographics) if person.demographics_consented_at else {},
            respondent=None if survey.anonymous else enrollment,
            submitted_at=None if survey.anonymous else timezone.now(),
        )
        rows = []
        for text, value in values.items():
            target = by_text[text]
            row = SurveyAnswer(organization=tenant.organization, response=response, question=target)
            if isinstance(value, list):
                row.choices = value
            elif isinstance(value, str):
                row.text = value
            else:
                row.number = Decimal(str(value))
            rows.append(row)
        SurveyAnswer.objects.bulk_create(rows)
        invite(group, wave, enrollment, InvitationStatus.ANSWERED)
    return response


def invite(group: Cohort, wave: str, enrollment: Enrollment, status: str) -> SurveyInvitation:
    tenant = group.tenant
    survey = group.surveys[wave]
    today = timezone.localdate()
    with tenant.scope():
        invitation, _ = SurveyInvitation.objects.update_or_create(
            survey=survey,
            enrollment=enrollment,
            defaults={
                "organization": tenant.organization,
                "opens_on": today,
                "closes_on": today,
                "status": status,
                "answered_at": (
                    timezone.now()
                    if status == InvitationStatus.ANSWERED and not survey.anonymous
                    else None
                ),
            },
        )
    return invitation


def objective(
    group: Cohort,
    statement: str,
    *,
    target: str,
    anchors: Sequence[str],
    baseline: str | None = None,
    audience: str = "mentees",
) -> Objective:
    tenant = group.tenant
    with tenant.scope():
        made = Objective.objects.create(
            organization=tenant.organization,
            program=group.program,
            statement=statement,
            audience=audience,
            target=Decimal(target),
            baseline=Decimal(baseline) if baseline is not None else None,
        )
        for key in anchors:
            ObjectiveAnchor.objects.create(
                organization=tenant.organization, objective=made, anchor_key=key
            )
    return made
