"""Bulk invitation by email in the API: ask for a batch (202 with it), follow its progress.

Adapters over ``participants.onboarding.use_cases``, exactly as the page is: a member gets 403
before the body is read, a program one does not run 404, bad filters or ids 400 with field
messages. Either ``person_ids`` or ``select_all`` with ``filters`` (every match, on every page).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import Membership
from participants import access
from participants import use_cases as enrolment_use_cases
from participants.models import EnrollmentRole, InvitationBatch
from participants.onboarding import use_cases
from participants.onboarding.open_invitations import DECISIONS, open_invitations


class InvitationBatchSerializer(serializers.ModelSerializer[InvitationBatch]):
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True, default=None)
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = InvitationBatch
        fields: tuple[str, ...] = (
            "id",
            "program",
            "role",
            "resend",
            "status",
            "summary",
            "total",
            "processed",
            "sent",
            "skipped",
            "failed",
            "progress_percent",
            "error",
            "requested_by",
            "created_at",
            "finished_at",
        )
        read_only_fields: tuple[str, ...] = fields


class FiltersSerializer(serializers.Serializer[dict[str, Any]]):
    search = serializers.CharField(required=False, allow_blank=True, max_length=120)
    department = serializers.CharField(required=False, allow_blank=True, max_length=120)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    level_min = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=99)
    level_max = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=99)
    not_invited = serializers.BooleanField(required=False, default=True)


class InvitationBatchRequestSerializer(serializers.Serializer[InvitationBatch]):
    program = serializers.IntegerField(min_value=1)
    role = serializers.ChoiceField(choices=EnrollmentRole.choices)
    person_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=2000
    )
    select_all = serializers.BooleanField(required=False, default=False)
    filters = FiltersSerializer(required=False, default=dict)
    resend = serializers.BooleanField(required=False, default=False)


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # IsOrganizationMember answered 404 otherwise
    return membership


class AsksEnrollmentPolicy(IsOrganizationMember):
    """Members only (404 otherwise), then staff only (403 with the policy's reason) before the body
    is read."""

    def has_permission(self, request: Request, view: Any) -> bool:
        super().has_permission(request, view)
        access.enrollment_access(request_membership(request)).require(access.MANAGE)
        return True


class InvitationBatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[InvitationBatch]
):
    """Invitations to a program by email, in batches (admins and the program's coordinators)."""

    ordering_fields = {
        "created": "created_at",
        "status": "status",
    }

    permission_classes = (AsksEnrollmentPolicy,)
    lookup_value_regex = ID_REGEX
    serializer_class = InvitationBatchSerializer

    def get_queryset(self) -> QuerySet[InvitationBatch]:
        return use_cases.visible_batches(actor=_membership(self.request))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One batch with its progress; poll it until its status is ``done``."""
        batch = use_cases.show_batch(actor=_membership(request), batch_id=int(self.kwargs["pk"]))
        return Response(InvitationBatchSerializer(batch).data)

    @extend_schema(
        request=InvitationBatchRequestSerializer, responses={202: InvitationBatchSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = InvitationBatchRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        batch = use_cases.invite_by_email(
            actor=_membership(request),
            program_id=data["program"],
            role=data["role"],
            filters=data["filters"],
            select_all=data["select_all"],
            person_ids=data["person_ids"],
            resend=data["resend"],
        )
        return Response(InvitationBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


# --- Open invitations at matching (``programs/<program_pk>/open-invitations/``) ----------------------


class OpenInvitationsDecisionSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(
        choices=DECISIONS,
        help_text="close: the invitations nobody answered are withdrawn; keep: they can still be "
        "accepted during matching.",
    )


class OpenInvitationsResultSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What was done, in a sentence.")
    open_invitations = serializers.IntegerField(
        help_text="The program's invitations still open after the decision."
    )


class OpenInvitationsView(APIView):
    """Close a program's open invitations, or keep them open through matching (the choice the
    enrolment page asks for). Staff of the program; a member gets 403 before the body is read,
    a program one does not run 404."""

    permission_classes = (IsOrganizationMember,)

    @extend_schema(
        operation_id="v1_o_programs_open_invitations_create",
        parameters=[
            OpenApiParameter("program_pk", str, OpenApiParameter.PATH, pattern=f"^{ID_REGEX}$")
        ],
        request=OpenInvitationsDecisionSerializer,
        responses={200: OpenInvitationsResultSerializer},
        examples=[
            OpenApiExample("Keep them open", value={"decision": "keep"}, request_only=True),
            OpenApiExample(
                "Closed",
                value={"detail": "3 open invitations were closed.", "open_invitations": 0},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request, org_slug: str, program_pk: int) -> Response:
        membership = _membership(request)
        program = enrolment_use_cases.managed_enrollment_program(
            actor=membership, program_id=int(program_pk)
        )
        payload = OpenInvitationsDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sentence = enrolment_use_cases.decide_open_invitations(
            actor=membership, program_id=program.pk, decision=payload.validated_data["decision"]
        )
        return Response({"detail": sentence, "open_invitations": open_invitations(program).count()})
