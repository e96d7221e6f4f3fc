"""A program's training completion rates for its staff (``programs/<program_pk>/training-completion/``):
the figures the program page shows (``participants.program_hooks.training_rates``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.api.permissions import HasOrganizationRole, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import STAFF_ROLES
from participants.participation import training_completion_rates
from programs.access import managed_program


class TrainingRateSerializer(serializers.Serializer[Any]):
    resource = serializers.IntegerField(source="resource.pk")
    title = serializers.CharField(source="resource.title")
    audience = serializers.CharField(source="resource.audience")
    required = serializers.BooleanField(source="resource.required")  # type: ignore[assignment]
    completed = serializers.IntegerField(
        help_text="Accepted participants of the audience who completed it."
    )
    enrolled = serializers.IntegerField(
        help_text="Accepted participants of the resource's audience."
    )
    percent = serializers.IntegerField(allow_null=True, help_text="Null when nobody is enrolled.")


class TrainingCompletionView(APIView):
    """Completion of each training resource among the program's accepted participants (staff of
    the program: admins, its coordinators)."""

    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES

    @extend_schema(
        operation_id="v1_o_programs_training_completion_list",
        parameters=[
            OpenApiParameter("program_pk", str, OpenApiParameter.PATH, pattern=f"^{ID_REGEX}$")
        ],
        responses={200: TrainingRateSerializer(many=True)},
    )
    def get(self, request: Request, org_slug: str, program_pk: int) -> Response:
        membership = request_membership(request)
        assert membership is not None
        program = managed_program(membership, int(program_pk))
        rates = training_completion_rates(program=program)
        return Response(TrainingRateSerializer(rates, many=True).data)
