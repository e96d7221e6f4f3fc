"""Results pages: a program's outcomes (response rates, objectives, paired change per anchor item)
and one survey's results per question with filters and a breakdown, each with its CSV export.

Adapters only: parse the filters, call the use case (which asks the survey policy: 404 to whoever
does not run the program, members included), render. Chart-less: accessible tables with captions
and header cells, and the plain sentence of each paired change.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from organizations.http import OrgRequest
from surveys import privacy
from surveys.results import export
from surveys.results.aggregates import DIMENSION_LABELS, Filters
from surveys.results.forms import ResultsFilterForm
from surveys.results.use_cases import program_outcomes_for, results_survey, survey_results_for


def _csv(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def program_outcomes(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    outcomes = program_outcomes_for(
        membership=request.membership, organization=request.organization, program_pk=program_pk
    )
    context = {"program": outcomes.program, "outcomes": outcomes, "too_few": privacy.TOO_FEW}
    return render(request, "surveys/results/outcomes.html", context)


@require_GET
def program_outcomes_csv(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    outcomes = program_outcomes_for(
        membership=request.membership, organization=request.organization, program_pk=program_pk
    )
    name = slugify(outcomes.program.name) or "program"
    return _csv(export.outcomes_csv(outcomes), f"outcomes-{name}.csv")


def _filter_form(request: OrgRequest) -> ResultsFilterForm:
    return ResultsFilterForm(request.GET)


@require_GET
def survey_results(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    """A program survey's results per question, filtered and broken down under the floor; bad
    filters show the unfiltered results with the field messages (400)."""
    survey = results_survey(request.membership, pk)  # 404 before the query string is read
    form = _filter_form(request)
    valid = form.is_valid()
    results = survey_results_for(
        membership=request.membership,
        organization=request.organization,
        survey=survey,
        filters=form.filters() if valid else Filters(),
        breakdown_by=form.breakdown_by() if valid else "",
    )
    group_keys = sorted({value.split(":", 1)[0] for value in results.choices["group"]})
    context = {
        "survey": results.survey,
        "program": results.survey.program,
        "results": results,
        "form": form,
        "breakdowns": [
            *[(name, DIMENSION_LABELS[name]) for name in ("role", "department", "level")],
            *[(f"group:{key}", f"Demographic: {key}") for key in group_keys],
        ],
        "too_few": privacy.TOO_FEW,
        "query": request.GET.urlencode(),
    }
    return render(request, "surveys/results/survey.html", context, status=200 if valid else 400)


@require_GET
def survey_results_csv(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    survey = results_survey(request.membership, pk)
    form = _filter_form(request)
    if not form.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in form.errors.items()
        )
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    results = survey_results_for(
        membership=request.membership,
        organization=request.organization,
        survey=survey,
        filters=form.filters(),
        breakdown_by=form.breakdown_by(),
    )
    name = slugify(f"{results.survey.title}-{results.survey.wave}") or "survey"
    return _csv(export.survey_results_csv(results), f"results-{name}.csv")
