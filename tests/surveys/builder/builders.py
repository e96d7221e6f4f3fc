"""Builders for the survey builder's tests (no tests here)."""

from __future__ import annotations

import itertools
import uuid
from decimal import Decimal
from typing import Any

from programs.models import Objective, Program
from surveys.builder import services
from surveys.models import QuestionKind, Survey, SurveyResponse, Wave
from surveys.selectors import current_version
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import assign_coordinator, make_program

_counter = itertools.count(1)

LIKERT: dict[str, Any] = {
    "kind": QuestionKind.LIKERT,
    "text": "I am confident using AI tools in my work.",
    "scale_points": 5,
    "labels": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
    "anchor_key": "confidence_ai_tools",
}
CHOICE: dict[str, Any] = {
    "kind": QuestionKind.SINGLE,
    "text": "How often do you meet?",
    "choices": ["Weekly", "Monthly"],
}


def staffed_program(tenant: Tenant, **fields: Any) -> Program:
    """A program of ``tenant`` run by its coordinator."""
    program = make_program(tenant, **fields)
    assign_coordinator(tenant, program)
    return program


def template(
    tenant: Tenant, *questions: dict[str, Any], wave: str = Wave.PRE, **fields: Any
) -> Survey:
    fields.setdefault("title", f"Template {next(_counter)}")
    with tenant.scope():
        survey = services.template_create(
            organization=tenant.organization, actor=tenant.admin.user, wave=wave, **fields
        )
        for question in questions:
            services.question_add(actor=tenant.admin.user, survey=survey, values=question)
    return survey


def program_survey(
    tenant: Tenant, program: Program, *questions: dict[str, Any], wave: str = Wave.PRE
) -> Survey:
    source = template(tenant, *questions, wave=wave)
    with tenant.scope():
        return services.survey_from_template(
            actor=tenant.admin.user, program=program, template=source
        )


def answer(tenant: Tenant, survey: Survey, role: str = "mentee") -> SurveyResponse:
    """A response to the survey's current version, stored directly (the answering service is
    another feature's): enough to lock the version."""
    with tenant.scope():
        version = current_version(survey)
        assert version is not None
        return SurveyResponse.objects.create(
            organization=tenant.organization,
            survey=survey,
            version=version,
            pseudonym=uuid.uuid4().hex,
            role=role,
        )


def objective(
    tenant: Tenant, program: Program, statement: str = "Leaders use AI tools"
) -> Objective:
    with tenant.scope():
        return Objective.objects.create(
            organization=tenant.organization,
            program=program,
            statement=statement,
            target=Decimal("4.0"),
        )
