"""Results API: a program's outcomes (rates, paired change, objectives) and one survey's results per
question, as JSON under the same floor and policy as the pages (``surveys/results/use_cases.py``).
A program or survey the requester does not run is 404; bad filters are 400 with field messages."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.models import Membership, Organization
from surveys.results.forms import GROUP_HELP, ResultsFilterForm
from surveys.results.serializers import OutcomesSerializer, SurveyResultsSerializer
from surveys.results.use_cases import (
    program_outcomes_for,
    results_survey,
    survey_results_for,
)


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # the permission class answered 404 otherwise
    return membership


def _organization(request: Request) -> Organization:
    return cast(Organization, request._request.organization)  # type: ignore[attr-defined]


class ProgramOutcomesView(APIView):
    """Response rates per wave and role, paired change per anchor item (mentees and mentors
    separately), and each objective's progress against its target."""

    permission_classes = (IsOrganizationMember,)

    @extend_schema(responses={200: OutcomesSerializer}, operation_id="program_outcomes")
    def get(self, request: Request, org_slug: str, program_pk: int) -> Response:
        outcomes = program_outcomes_for(
            membership=_membership(request),
            organization=_organization(request),
            program_pk=program_pk,
        )
        return Response(OutcomesSerializer(outcomes).data)


_FILTERS = [
    OpenApiParameter("role", str, enum=["mentee", "mentor"], description="Only this role"),
    OpenApiParameter("department", str, description="Only this department"),
    OpenApiParameter("level", int, description="Only this level"),
    OpenApiParameter("group", str, description=GROUP_HELP),
    OpenApiParameter(
        "by",
        str,
        description="Break numeric questions down by role, department, level, group:<key>",
    ),
]


class SurveyResultsView(APIView):
    """One program survey's results per question: distribution, mean, median, NPS; free text only
    for attributed surveys; every aggregate under the privacy floor."""

    permission_classes = (IsOrganizationMember,)

    @extend_schema(
        parameters=_FILTERS, responses={200: SurveyResultsSerializer}, operation_id="survey_results"
    )
    def get(self, request: Request, org_slug: str, pk: int) -> Response:
        membership = _membership(request)
        survey = results_survey(membership, pk)  # who may not see it gets 404 whatever it sent
        form = ResultsFilterForm(request.query_params)
        if not form.is_valid():
            errors: dict[str, Any] = {name: list(msgs) for name, msgs in form.errors.items()}
            raise ValidationError(errors)
        results = survey_results_for(
            membership=membership,
            organization=_organization(request),
            survey=survey,
            filters=form.filters(),
            breakdown_by=form.breakdown_by(),
        )
        return Response(SurveyResultsSerializer(results).data)
