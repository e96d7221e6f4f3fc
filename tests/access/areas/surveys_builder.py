"""Role matrix rows and world objects of this area (see tests/access/areas/__init__.py).

The survey pages address P's follow-up survey (a program survey: its staff only, anyone else 404
by ``surveys.access``); the template API addresses an organisation template (staff read, admins
write, members 403).
"""

from __future__ import annotations

from typing import Any

from surveys.builder import services
from surveys.models import ObjectiveAnchor, Survey, Wave
from surveys.selectors import current_questions
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row
from tests.surveys.builder.builders import LIKERT


def build(ctx: Context) -> dict[str, Any]:
    org = ctx.org_a
    with org.scope():
        source = services.template_create(
            organization=org.organization, actor=ctx.admin, wave=Wave.FOLLOW_UP, title="Follow-up"
        )
        services.question_add(actor=ctx.admin, survey=source, values=LIKERT)
        survey = Survey.objects.filter(program=ctx.program, wave=Wave.FOLLOW_UP).first()
        if survey is None:
            survey = services.survey_from_template(
                actor=ctx.admin, program=ctx.program, template=source
            )
        link = ObjectiveAnchor.objects.create(
            organization=org.organization, objective=ctx.objective, anchor_key="builder_matrix"
        )
        template_question = current_questions(source).get()
        survey_question = current_questions(survey).first()
        assert survey_question is not None
    return {
        "builder_program": ctx.program.pk,
        "builder_template": source.pk,
        "builder_template_question": template_question.pk,
        "builder_survey": survey.pk,
        "builder_survey_question": survey_question.pk,
        "builder_objective": ctx.objective.pk,
        "builder_anchor": link.pk,
    }


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    # --- Pages: templates (staff read, admins write; members 403)
    ("survey_template_list", "GET"):                  row(200, 200, 200, 403, 403, 403, 302),
    ("survey_template_create", "GET"):                row(200, 403, 403, 403, 403, 403, 302),
    ("survey_template_create", "POST"):               row(400, 403, 403, 403, 403, 403, 302),
    ("survey_library_install", "POST"):               row(302, 403, 403, 403, 403, 403, 302),
    # --- Pages: P's survey (its staff; anyone else cannot tell it exists)
    ("survey_detail", "GET"):                         row(200, 200, 404, 404, 404, 404, 302),
    ("survey_settings", "POST"):                      row(400, 400, 404, 404, 404, 404, 302),
    # A program survey is not archived: the page says so and goes back (302).
    ("survey_archive", "POST"):                       row(302, 302, 404, 404, 404, 404, 302),
    ("survey_preview", "GET"):                        row(200, 200, 404, 404, 404, 404, 302),
    ("survey_question_add", "POST"):                  row(400, 400, 404, 404, 404, 404, 302),
    ("survey_question_edit", "GET"):                  row(200, 200, 404, 404, 404, 404, 302),
    ("survey_question_edit", "POST"):                 row(400, 400, 404, 404, 404, 404, 302),
    ("survey_question_delete", "POST"):               row(302, 302, 404, 404, 404, 404, 302),
    ("survey_question_move", "POST"):                 row(400, 400, 404, 404, 404, 404, 302),
    # --- Pages: P's surveys, objectives and anchor items
    ("program_surveys", "GET"):                       row(200, 200, 404, 404, 404, 404, 302),
    ("program_survey_copy", "POST"):                  row(400, 400, 404, 404, 404, 404, 302),
    ("program_survey_recommended", "POST"):           row(302, 302, 404, 404, 404, 404, 302),
    ("program_survey_objectives", "GET"):             row(200, 200, 404, 404, 404, 404, 302),
    ("program_objective_anchor_add", "POST"):         row(400, 400, 404, 404, 404, 404, 302),
    ("program_objective_targets", "POST"):            row(400, 400, 404, 404, 404, 404, 302),
    ("program_objective_anchor_remove", "POST"):      row(302, 302, 404, 404, 404, 404, 302),
    # --- API: templates and their questions
    ("api-survey-template-list", "GET"):              row(200, 200, 200, 403, 403, 403, 404),
    ("api-survey-template-list", "POST"):             row(400, 403, 403, 403, 403, 403, 404),
    ("api-survey-template-detail", "GET"):            row(200, 200, 200, 403, 403, 403, 404),
    ("api-survey-template-detail", "PUT"):            row(400, 403, 403, 403, 403, 403, 404),
    ("api-survey-template-detail", "PATCH"):          row(200, 403, 403, 403, 403, 403, 404),
    ("api-survey-template-archive", "POST"):          row(200, 403, 403, 403, 403, 403, 404),
    ("api-survey-template-install-library", "POST"):  row(200, 403, 403, 403, 403, 403, 404),
    ("api-survey-template-question-list", "GET"):     row(200, 200, 200, 403, 403, 403, 404),
    ("api-survey-template-question-list", "POST"):    row(400, 403, 403, 403, 403, 403, 404),
    ("api-survey-template-question-detail", "GET"):   row(200, 200, 200, 403, 403, 403, 404),
    ("api-survey-template-question-detail", "PUT"):   row(400, 403, 403, 403, 403, 403, 404),
    ("api-survey-template-question-detail", "PATCH"): row(200, 403, 403, 403, 403, 403, 404),
    ("api-survey-template-question-detail", "DELETE"): row(204, 403, 403, 403, 403, 403, 404),
    ("api-survey-template-question-move", "POST"):    row(400, 403, 403, 403, 403, 403, 404),
    # --- API: P's surveys, their questions, objective anchors
    ("api-program-survey-list", "GET"):               row(200, 200, 404, 404, 404, 404, 404),
    ("api-program-survey-list", "POST"):              row(400, 400, 404, 404, 404, 404, 404),
    ("api-program-survey-detail", "GET"):             row(200, 200, 404, 404, 404, 404, 404),
    ("api-program-survey-detail", "PUT"):             row(400, 400, 404, 404, 404, 404, 404),
    ("api-program-survey-detail", "PATCH"):           row(200, 200, 404, 404, 404, 404, 404),
    ("api-program-survey-question-list", "GET"):      row(200, 200, 404, 404, 404, 404, 404),
    ("api-program-survey-question-list", "POST"):     row(400, 400, 404, 404, 404, 404, 404),
    ("api-program-survey-question-detail", "GET"):    row(200, 200, 404, 404, 404, 404, 404),
    ("api-program-survey-question-detail", "PUT"):    row(400, 400, 404, 404, 404, 404, 404),
    ("api-program-survey-question-detail", "PATCH"):  row(200, 200, 404, 404, 404, 404, 404),
    ("api-program-survey-question-detail", "DELETE"): row(204, 204, 404, 404, 404, 404, 404),
    ("api-program-survey-question-move", "POST"):     row(400, 400, 404, 404, 404, 404, 404),
    ("api-program-survey-recommended", "POST"):       row(200, 200, 404, 404, 404, 404, 404),
    ("api-objective-anchor-list", "GET"):             row(200, 200, 404, 404, 404, 404, 404),
    ("api-objective-anchor-list", "POST"):            row(400, 400, 404, 404, 404, 404, 404),
    ("api-objective-anchor-detail", "GET"):           row(200, 200, 404, 404, 404, 404, 404),
    ("api-objective-anchor-detail", "DELETE"):        row(204, 204, 404, 404, 404, 404, 404),
}
# fmt: on
