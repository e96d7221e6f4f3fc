"""Survey builder: templates, a program's surveys, their questions and preview, objectives linked
to anchor items (pages and API)."""

from __future__ import annotations

from typing import Any

from surveys.builder import services
from surveys.models import ObjectiveAnchor, Wave
from surveys.selectors import current_questions
from tests.conftest import Tenant
from tests.surveys.builder.builders import LIKERT, objective, staffed_program, template
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    program = staffed_program(tenant)
    source = template(tenant, LIKERT, wave=Wave.FOLLOW_UP)
    aim = objective(tenant, program)
    with tenant.scope():
        survey = services.survey_from_template(
            actor=tenant.admin.user, program=program, template=source
        )
        link = ObjectiveAnchor.objects.create(
            organization=tenant.organization, objective=aim, anchor_key="confidence_ai_tools"
        )
        template_question = current_questions(source).get()
        survey_question = current_questions(survey).get()
    return {
        "builder_program": program.pk,
        "builder_template": source.pk,
        "builder_template_question": template_question.pk,
        "builder_survey": survey.pk,
        "builder_survey_question": survey_question.pk,
        "builder_objective": aim.pk,
        "builder_anchor": link.pk,
    }


def _survey_question(ids: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ids["builder_survey"], "question_pk": ids["builder_survey_question"]}


def _program_objective(ids: dict[str, Any]) -> dict[str, Any]:
    return {"program_pk": ids["builder_program"], "objective_pk": ids["builder_objective"]}


def _program_anchor(ids: dict[str, Any]) -> dict[str, Any]:
    return {"program_pk": ids["builder_program"], "pk": ids["builder_anchor"]}


def _template_question(ids: dict[str, Any]) -> dict[str, Any]:
    return {"survey_pk": ids["builder_template"], "pk": ids["builder_template_question"]}


def _program_survey(ids: dict[str, Any]) -> dict[str, Any]:
    return {"program_pk": ids["builder_program"], "pk": ids["builder_survey"]}


def _program_survey_questions(ids: dict[str, Any]) -> dict[str, Any]:
    return {"program_pk": ids["builder_program"], "survey_pk": ids["builder_survey"]}


def _program_survey_question(ids: dict[str, Any]) -> dict[str, Any]:
    return {**_program_survey_questions(ids), "pk": ids["builder_survey_question"]}


_PROGRAM = ids_of("builder_program", "program_pk")
_SURVEY = ids_of("builder_survey")

ROUTES: dict[str, Route] = {
    # Pages
    "survey_template_list": Route(("GET",)),
    "survey_template_create": Route(("GET", "POST")),
    "survey_library_install": Route(("POST",)),
    "survey_detail": Route(("GET",), _SURVEY),
    "survey_settings": Route(("POST",), _SURVEY),
    "survey_archive": Route(("POST",), _SURVEY),
    "survey_preview": Route(("GET",), _SURVEY),
    "survey_question_add": Route(("POST",), _SURVEY),
    "survey_question_edit": Route(("GET", "POST"), _survey_question),
    "survey_question_delete": Route(("POST",), _survey_question),
    "survey_question_move": Route(("POST",), _survey_question),
    "program_surveys": Route(("GET",), _PROGRAM),
    "program_survey_copy": Route(("POST",), _PROGRAM),
    "program_survey_recommended": Route(("POST",), _PROGRAM),
    "program_survey_objectives": Route(("GET",), _PROGRAM),
    "program_objective_anchor_add": Route(("POST",), _program_objective),
    "program_objective_targets": Route(("POST",), _program_objective),
    "program_objective_anchor_remove": Route(("POST",), _program_anchor),
    # API
    "api-survey-template-list": Route(("GET", "POST")),
    "api-survey-template-detail": Route(("GET", "PUT", "PATCH"), ids_of("builder_template")),
    "api-survey-template-archive": Route(("POST",), ids_of("builder_template")),
    "api-survey-template-install-library": Route(("POST",)),
    "api-survey-template-question-list": Route(
        ("GET", "POST"), ids_of("builder_template", "survey_pk")
    ),
    "api-survey-template-question-detail": Route(
        ("GET", "PUT", "PATCH", "DELETE"), _template_question
    ),
    "api-program-survey-list": Route(("GET", "POST"), _PROGRAM),
    "api-program-survey-detail": Route(("GET", "PUT", "PATCH"), _program_survey),
    "api-program-survey-question-list": Route(("GET", "POST"), _program_survey_questions),
    "api-program-survey-question-detail": Route(
        ("GET", "PUT", "PATCH", "DELETE"), _program_survey_question
    ),
    "api-survey-template-question-move": Route(("POST",), _template_question),
    "api-program-survey-question-move": Route(("POST",), _program_survey_question),
    "api-program-survey-recommended": Route(("POST",), _PROGRAM),
    "api-objective-anchor-list": Route(("GET", "POST"), _PROGRAM),
    "api-objective-anchor-detail": Route(("GET", "DELETE"), _program_anchor),
}
