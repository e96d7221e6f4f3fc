"""The home as JSON: the same selector as the page, for the caller."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards.homes.selectors import home_for
from dashboards.homes.serializers import HomeSerializer
from organizations.api.permissions import IsOrganizationMember, request_membership


class HomeView(APIView):
    """What the home page shows the caller: per program the counts and what needs their attention
    (staff), and per enrolment the pair, the next step and the goals (participants)."""

    permission_classes = (IsOrganizationMember,)

    @extend_schema(responses={200: HomeSerializer}, operation_id="organization_home")
    def get(self, request: Request, org_slug: str) -> Response:
        membership = request_membership(request)
        assert membership is not None  # the permission class answered 404 otherwise
        home = home_for(membership=membership, org_slug=org_slug)
        return Response(HomeSerializer(home).data)
