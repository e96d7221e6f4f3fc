"""Program dashboard API: the same read as the page (``use_cases.program_dashboard_for``), as JSON.
Each chart carries its Vega-Lite spec, its table and its summary, so a client can draw it or read
it. Not the program's staff: 404; unknown filter values or a reversed period: 400 with field
messages and no data."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards.charts import Chart
from dashboards.program.selectors import ProgramDashboard
from dashboards.program.use_cases import program_dashboard_for
from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.models import Organization


def chart_data(chart: Chart) -> dict[str, Any]:
    return {
        "title": chart.title,
        "summary": chart.summary,
        "empty": chart.is_empty,
        "spec": chart.spec,
        "columns": chart.columns,
        "rows": chart.rows,
        "notes": chart.notes,
    }


def dashboard_data(dashboard: ProgramDashboard) -> dict[str, Any]:
    filters = dashboard.filters
    body: dict[str, Any] = {
        "program": {"id": dashboard.program.pk, "name": dashboard.program.name},
        "filters": {
            "start": filters.start,
            "end": filters.end,
            "department": filters.department,
            "level": filters.level,
            "role": filters.role,
        },
        "k": dashboard.k,
        "shown": dashboard.shown,
        "hidden_reason": dashboard.hidden_reason,
        "figures": dashboard.figures,
        "charts": {key: chart_data(chart) for key, chart in dashboard.charts.items()},
        "at_risk": [
            {
                "pair": pair.pair_id,
                "mentor": pair.mentor,
                "mentee": pair.mentee,
                "score": pair.score,
                "reasons": pair.reasons,
            }
            for pair in dashboard.at_risk
        ],
        "shared_actions": [
            {"id": a.pk, "title": a.title, "topic": a.topic.name if a.topic else None}
            for a in dashboard.shared_actions
        ],
    }
    return body


_FILTERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="Period start (sessions, check-ins)"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Period end, not before the start"),
    OpenApiParameter("department", str, description="A department of the program's people"),
    OpenApiParameter("level", int, description="A level of the program's people"),
    OpenApiParameter("role", str, enum=["mentee", "mentor"], description="Only this role"),
]


class ProgramDashboardView(APIView):
    """A program's dashboard: enrolment funnel, engagement, surveys, actions and mentor retention,
    each chart with its spec, table and summary; every breakdown under the privacy floor."""

    permission_classes = (IsOrganizationMember,)

    @extend_schema(
        parameters=_FILTERS,
        responses={200: OpenApiTypes.OBJECT},
        operation_id="program_dashboard",
    )
    def get(self, request: Request, org_slug: str, program_pk: int) -> Response:
        membership = request_membership(request)
        assert membership is not None  # the permission class answered 404 otherwise
        dashboard, _ = program_dashboard_for(
            membership=membership,
            organization=cast(Organization, request._request.organization),  # type: ignore[attr-defined]
            program_pk=program_pk,
            data=request.query_params,
        )
        return Response(dashboard_data(dashboard))
