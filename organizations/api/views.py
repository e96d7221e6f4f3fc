from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.converters import IdConverter
from organizations import selectors, services
from organizations.api.permissions import ADMIN_ONLY, HasOrganizationRole, request_membership
from organizations.api.serializers import (
    AuditEntrySerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    MembershipRoleSerializer,
    MembershipSerializer,
    OrganizationSerializer,
)
from organizations.models import STAFF_ROLES, AuditEntry, Invitation, Membership

ID_REGEX = IdConverter.regex


class OrganizationView(APIView):
    """The organisation named in the URL, and your role in it."""

    @extend_schema(responses=OrganizationSerializer)
    def get(self, request: Request, org_slug: str) -> Response:
        serializer = OrganizationSerializer(
            request._request.organization,  # type: ignore[attr-defined]
            context={"membership": request_membership(request)},
        )
        return Response(serializer.data)


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Membership],
):
    """Members of the organisation. Admins change roles and remove members."""

    ordering_fields = {"created": "created_at", "role": "role"}

    serializer_class = MembershipSerializer
    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    required_roles_by_action = {"destroy": ADMIN_ONLY, "partial_update": ADMIN_ONLY}
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.membership_list()

    @extend_schema(request=MembershipRoleSerializer, responses=MembershipSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        payload = MembershipRoleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with transaction.atomic():
            if "role" in payload.validated_data:
                services.membership_change_role(
                    actor=request.user,  # type: ignore[arg-type]
                    membership=membership,
                    role=payload.validated_data["role"],
                )
            if "all_programs" in payload.validated_data:
                services.membership_set_all_programs(
                    actor=request.user,  # type: ignore[arg-type]
                    membership=membership,
                    all_programs=payload.validated_data["all_programs"],
                )
        return Response(MembershipSerializer(membership).data)

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_remove(actor=self.request.user, membership=instance)  # type: ignore[arg-type]


class InvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Invitation]
):
    """Invitations by email. Creating one sends the email; the link is never returned."""

    ordering_fields = {
        "created": "created_at",
        "expires": "expires_at",
        "email": "email",
    }

    serializer_class = InvitationSerializer
    permission_classes = (HasOrganizationRole,)
    required_roles = ADMIN_ONLY
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Invitation]:
        return selectors.invitation_list()

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = InvitationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation, _token = services.invitation_create(
            organization=request._request.organization,  # type: ignore[attr-defined]
            actor=request.user,  # type: ignore[arg-type]
            **payload.validated_data,
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        invitation = services.invitation_revoke(actor=request.user, invitation=self.get_object())  # type: ignore[arg-type]
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        invitation = self.get_object()
        services.invitation_resend(
            organization=request._request.organization,  # type: ignore[attr-defined]
            actor=request.user,  # type: ignore[arg-type]
            invitation=invitation,
        )
        return Response(InvitationSerializer(invitation).data)


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet[AuditEntry]):
    """The organisation's audit trail, newest first."""

    ordering_fields = {
        "created": "created_at",
        "action": "action",
    }

    serializer_class = AuditEntrySerializer
    permission_classes = (HasOrganizationRole,)
    required_roles = ADMIN_ONLY
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return selectors.audit_entry_list(viewer=self.request.user)
