"""Survey results: a program's outcomes and one survey's results (pages, CSV exports, API)."""

from __future__ import annotations

from typing import Any

from surveys.models import Wave
from tests.conftest import Tenant
from tests.surveys.results.builders import add_survey, answer, cohort, likert
from tests.tenancy.routes import Route, ids_of

AI = "I feel confident using AI tools"


def build(tenant: Tenant) -> dict[str, Any]:
    group = cohort(tenant, mentees=2)
    survey = add_survey(group, Wave.PRE, [likert(AI, "ai-confidence")])
    for person in group.mentees:
        answer(group, Wave.PRE, person, {AI: 4})
    return {"results_program": group.program.pk, "results_survey": survey.pk}


ROUTES: dict[str, Route] = {
    "program_outcomes": Route(("GET",), ids_of("results_program", "program_pk")),
    "program_outcomes_csv": Route(("GET",), ids_of("results_program", "program_pk")),
    "survey_results": Route(("GET",), ids_of("results_survey")),
    "survey_results_csv": Route(("GET",), ids_of("results_survey")),
    "api-program-outcomes": Route(("GET",), ids_of("results_program", "program_pk")),
    "api-survey-results": Route(("GET",), ids_of("results_survey")),
}
