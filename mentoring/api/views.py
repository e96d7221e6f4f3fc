from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.selectors import organizations_of_user


class ApiRootView(APIView):
    """Your organisations and where their APIs live (signed-in session only)."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot",
            {
                "organizations": inline_serializer(
                    "ApiRootOrganization",
                    {
                        "slug": serializers.CharField(),
                        "name": serializers.CharField(),
                        "role": serializers.CharField(),
                        "url": serializers.URLField(),
                    },
                    many=True,
                )
            },
        )
    )
    def get(self, request: Request) -> Response:
        choices = organizations_of_user(request.user)  # type: ignore[arg-type]
        return Response(
            {
                "organizations": [
                    {
                        "slug": c.organization.slug,
                        "name": c.organization.name,
                        "role": c.role,
                        "url": request.build_absolute_uri(f"/api/v1/o/{c.organization.slug}/"),
                    }
                    for c in choices
                ]
            }
        )
