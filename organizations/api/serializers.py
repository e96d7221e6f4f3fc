from __future__ import annotations

from rest_framework import serializers

from core.api.serializers import LeanReadMixin
from organizations.models import AuditEntry, Invitation, Membership, Organization, Role


class OrganizationSerializer(LeanReadMixin, serializers.ModelSerializer[Organization]):
    your_role = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ("id", "name", "slug", "min_aggregate_size", "created_at", "your_role")
        read_only_fields = fields

    def get_your_role(self, organization: Organization) -> str | None:
        membership = self.context.get("membership")
        return membership.role if membership else None


class MembershipSerializer(LeanReadMixin, serializers.ModelSerializer[Membership]):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "email", "full_name", "role", "all_programs", "created_at")
        read_only_fields = ("id", "email", "full_name", "all_programs", "created_at")


class MembershipRoleSerializer(serializers.Serializer[Membership]):
    """A PATCH changes the role, whether a coordinator coordinates every program, or both."""

    role = serializers.ChoiceField(choices=Role.choices, required=False)
    all_programs = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        if not attrs:
            raise serializers.ValidationError({"role": "Give a role, all_programs, or both."})
        return attrs


class InvitationSerializer(LeanReadMixin, serializers.ModelSerializer[Invitation]):
    status = serializers.CharField(read_only=True)
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = (
            "id",
            "email",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
        )
        read_only_fields = ("id", "status", "invited_by", "created_at", "expires_at", "accepted_at")


class InvitationCreateSerializer(serializers.Serializer[Invitation]):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class AuditEntrySerializer(LeanReadMixin, serializers.ModelSerializer[AuditEntry]):
    actor = serializers.EmailField(
        source="actor.email", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = AuditEntry
        fields = ("id", "created_at", "actor", "action", "object_type", "object_id", "data")
        read_only_fields = fields
