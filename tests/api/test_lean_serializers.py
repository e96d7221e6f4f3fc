"""``core.api.serializers.LeanReadMixin`` answers exactly what DRF's own representation does."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from core.api.serializers import _chain
from organizations.api.serializers import (
    AuditEntrySerializer,
    InvitationSerializer,
    MembershipSerializer,
    OrganizationSerializer,
)
from organizations.audit import log_action
from organizations.models import AuditEntry, Invitation, Membership, Role
from tests.conftest import Tenant


def _drf(serializer: serializers.Serializer[Any], instance: Any) -> dict[str, Any]:
    """DRF's own loop over the same serializer's fields."""
    return dict(serializers.Serializer.to_representation(serializer, instance))


def test_member_rows_are_drf_rows(org_a: Tenant) -> None:
    with org_a.scope():
        rows = list(Membership.objects.select_related("user").order_by("id"))
        many = MembershipSerializer(rows, many=True).data
        for row, data in zip(rows, many, strict=True):
            assert dict(data) == _drf(MembershipSerializer(), row)
        assert [item["email"] for item in many] == [m.user.email for m in rows]
        assert many[0]["created_at"].endswith("Z")
        with timezone.override("Europe/Paris"):
            paris = MembershipSerializer(rows[0]).data
            assert paris == _drf(MembershipSerializer(), rows[0])
            assert paris["created_at"].endswith(("+01:00", "+02:00"))


def test_nullable_relations_and_method_fields_go_drfs_way(org_a: Tenant) -> None:
    with org_a.scope():
        invitation = Invitation.objects.create(
            organization=org_a.organization,
            email="new@acme.test",
            role=Role.MEMBER,
            invited_by=None,
            token_hash="x" * 64,
            expires_at=timezone.now(),
        )
        log_action(actor=None, action="test.system", data={"n": [1, 2]})
        entry = AuditEntry.objects.get(action="test.system")
        assert InvitationSerializer(invitation).data == _drf(InvitationSerializer(), invitation)
        assert InvitationSerializer(invitation).data["invited_by"] is None
        assert AuditEntrySerializer(entry).data == _drf(AuditEntrySerializer(), entry)
        assert AuditEntrySerializer(entry).data["actor"] is None
    # Only non-null foreign keys are followed with plain getattr.
    assert _chain(Invitation, ["invited_by", "email"]) is None
    assert _chain(Membership, ["user", "email"]) == ("user", "email")
    assert _chain(Membership, ["user"]) is None  # a relation itself: DRF's way
    assert _chain(Membership, ["user_id"]) is None


def test_fields_are_built_once_per_class_but_bound_per_instance(org_a: Tenant) -> None:
    admin = OrganizationSerializer(org_a.organization, context={"membership": org_a.admin})
    member = OrganizationSerializer(org_a.organization, context={"membership": org_a.member})
    assert admin.data["your_role"] == Role.ADMIN
    assert member.data["your_role"] == Role.MEMBER
    assert admin.fields["your_role"] is not member.fields["your_role"]
    assert admin.fields["your_role"].parent is admin
    assert member.fields["your_role"].parent is member
    assert list(admin.fields) == list(OrganizationSerializer.Meta.fields)


def test_a_mapping_is_read_as_drf_reads_it() -> None:
    row = {
        "id": 7,
        "user": {"email": "a@b.test", "full_name": "A B"},
        "role": "admin",
        "all_programs": False,
        "created_at": timezone.now(),
    }
    assert MembershipSerializer(row).data == _drf(MembershipSerializer(), row)
