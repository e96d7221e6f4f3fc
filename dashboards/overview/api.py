"""Organisation overview API: the page's read as JSON (admins only; others 403)."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards.overview.selectors import Overview
from dashboards.overview.use_cases import organization_overview_for
from dashboards.program.api import chart_data
from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.models import Organization


def overview_data(overview: Overview) -> dict[str, Any]:
    return {
        "k": overview.k,
        "programs": [
            {
                "id": row.program.pk,
                "name": row.program.name,
                "status": row.program.status,
                "start_date": row.program.start_date,
                "accepted": row.accepted,
                "pairs": row.pairs,
                "active_pairs": row.active,
                "at_risk_pairs": row.at_risk,
                "completed_pairs": row.completed,
                "ended_pairs": row.ended,
                "recent_sessions": row.recent_sessions,
                "response_rate": row.response_rate,
                "pulse": row.pulse,
                "pulse_hidden": row.pulse_hidden,
                "actions": row.actions,
                "implemented_actions": row.implemented,
                "outcome": {
                    "headline": row.outcome.text,
                    "objectives": row.outcome.objectives,
                    "measured": row.outcome.measured,
                    "at_target": row.outcome.at_target,
                    "best_progress_percent": row.outcome.best_percent,
                }
                if row.outcome is not None
                else None,
            }
            for row in overview.rows
        ],
        "charts": {key: chart_data(chart) for key, chart in overview.charts.items()},
    }


class OrganizationOverviewView(APIView):
    """Every program side by side (status, size, engagement, outcome headline) and trends across
    cohorts, each chart with its spec, table and summary."""

    permission_classes = (IsOrganizationMember,)

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="organization_overview")
    def get(self, request: Request, org_slug: str) -> Response:
        membership = request_membership(request)
        assert membership is not None  # the permission class answered 404 otherwise
        overview = organization_overview_for(
            membership=membership,
            organization=cast(Organization, request._request.organization),  # type: ignore[attr-defined]
        )
        return Response(overview_data(overview))
