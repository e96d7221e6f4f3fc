"""Role matrix rows and world objects of this area (see tests/access/areas/__init__.py).

Results follow the survey policy (``surveys/access.py``): the staff who run program P see them;
a coordinator of another program and every member (the pair's people included) cannot tell P's
surveys exist (404). Read-only routes: GET only.
"""

from __future__ import annotations

from typing import Any

from surveys.models import Wave
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row
from tests.surveys.results.builders import Cohort, add_survey, answer, likert

AI = "I feel confident using AI tools"


def build(ctx: Context) -> dict[str, Any]:
    group = Cohort(ctx.org_a, ctx.program, [ctx.mentee], [ctx.mentor])
    survey = add_survey(group, Wave.PRE, [likert(AI, "ai-confidence")])
    for person in (ctx.mentee, ctx.mentor):
        answer(group, Wave.PRE, person, {AI: 3})
    return {"results_program": ctx.program.pk, "results_survey": survey.pk}


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("program_outcomes", "GET"):                      row(200, 200, 404, 404, 404, 404, 302),
    ("program_outcomes_csv", "GET"):                  row(200, 200, 404, 404, 404, 404, 302),
    ("survey_results", "GET"):                        row(200, 200, 404, 404, 404, 404, 302),
    ("survey_results_csv", "GET"):                    row(200, 200, 404, 404, 404, 404, 302),
    ("api-program-outcomes", "GET"):                  row(200, 200, 404, 404, 404, 404, 404),
    ("api-survey-results", "GET"):                    row(200, 200, 404, 404, 404, 404, 404),
}
# fmt: on
