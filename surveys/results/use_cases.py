"""The results feature's reads, one function each, shared by the pages, the API and the exports.

Each asks the survey policy (``surveys/access.py``) first: a program or survey the viewer does not
run is 404 (also for members, who cannot tell a program's surveys exist), results are
``survey.results``, free text ``survey.results.text`` (attributed surveys only). Every figure they
return is already under the privacy floor (``surveys/privacy.py``).
"""

from __future__ import annotations

from django.http import Http404

from organizations.models import Membership, Organization
from programs.access import managed_program
from surveys import access, privacy
from surveys.models import Survey
from surveys.results.aggregates import Filters, SurveyResults, survey_results
from surveys.results.outcomes import Outcomes, program_outcomes
from surveys.selectors import program_surveys


def results_survey(membership: Membership, survey_pk: int) -> Survey:
    """The program survey whose results ``membership`` may see; 404 for a template, another
    program's survey, or anyone who does not run its program (members included)."""
    survey = (
        Survey.objects.filter(program__isnull=False).select_related("program").filter(pk=survey_pk)
    ).first()
    if survey is None:
        raise Http404("No such survey.")
    access.visible_survey(membership, survey)
    access.survey_access(membership, survey).require(access.RESULTS)
    return survey


def survey_results_for(
    *,
    membership: Membership,
    organization: Organization,
    survey: Survey,
    filters: Filters | None = None,
    breakdown_by: str = "",
) -> SurveyResults:
    """``survey``'s results (found with ``results_survey``), with free text when the policy
    allows it (attributed surveys only)."""
    policy = access.survey_access(membership, survey)
    policy.require(access.RESULTS)
    return survey_results(
        survey,
        k=privacy.floor_of(organization),
        filters=filters,
        breakdown_by=breakdown_by,
        with_text=policy.allows(access.RESULTS_TEXT),
    )


def program_outcomes_for(
    *, membership: Membership, organization: Organization, program_pk: int
) -> Outcomes:
    """Rates, paired change and objectives of a program the viewer runs (404 otherwise)."""
    if not membership.is_staff_role:
        raise Http404("No such program.")
    program = managed_program(membership, program_pk)
    surveys = program_surveys(program)
    if surveys:  # the program's surveys share one answer: whether the viewer runs the program
        access.survey_access(membership, surveys[0]).require(access.RESULTS)
    return program_outcomes(program, k=privacy.floor_of(organization), surveys=surveys)
