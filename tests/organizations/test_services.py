from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from organizations import services
from organizations.models import AuditEntry, Invitation, Membership, Role
from tests.conftest import Tenant
from tests.factories import make_user


def _invite(
    tenant: Tenant, email: str = "new@acme.test", role: str = Role.MEMBER
) -> tuple[Invitation, str]:
    with tenant.scope():
        return services.invitation_create(
            organization=tenant.organization, actor=tenant.admin.user, email=email, role=role
        )


@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_sent_after_commit_with_the_link(org_a: Tenant) -> None:
    invitation, token = _invite(org_a, "  New.Person@Acme.TEST ")
    assert invitation.email == "new.person@acme.test"
    [message] = mail.outbox
    assert message.to == ["new.person@acme.test"]
    assert f"/invitations/{org_a.slug}/{token}/" in message.body
    assert token not in invitation.token_hash


@pytest.mark.django_db(transaction=True)
def test_no_invitation_email_when_the_transaction_rolls_back(org_a: Tenant) -> None:
    def invite_then_fail() -> None:
        with transaction.atomic():
            _invite(org_a)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        invite_then_fail()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("email", "role", "field", "message"),
    [
        ("nope", Role.MEMBER, "email", "Enter a valid email address."),
        ("x@acme.test", "owner", "role", "Choose one of: admin, coordinator, member."),
        (
            "MEMBER@acme.test",
            Role.MEMBER,
            "email",
            "This person is already a member of the organisation.",
        ),
    ],
)
def test_invitation_input_errors(
    org_a: Tenant, email: str, role: str, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        _invite(org_a, email, role)
    assert error.value.message_dict == {field: [message]}


def test_second_open_invitation_for_the_same_address_is_refused(org_a: Tenant) -> None:
    _invite(org_a, "dup@acme.test")
    with pytest.raises(ValidationError, match="already has an open invitation"):
        _invite(org_a, "DUP@acme.test")


def test_same_address_may_be_invited_by_two_organisations(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    _invite(org_a, "shared@example.test")
    _invite(org_b, "shared@example.test")


def test_accept_is_one_use_and_checks_address_and_expiry(org_a: Tenant) -> None:
    invitation, token = _invite(org_a, "joiner@acme.test", Role.COORDINATOR)
    stranger = make_user("stranger@acme.test")
    joiner = make_user("joiner@acme.test")
    with org_a.scope():
        with pytest.raises(ValidationError, match=r"was sent to joiner@acme\.test"):
            services.invitation_accept(token=token, user=stranger)
        membership = services.invitation_accept(token=token, user=joiner)
        assert membership.role == Role.COORDINATOR
        with pytest.raises(ValidationError, match="already been used"):
            services.invitation_accept(token=token, user=joiner)
        assert AuditEntry.objects.filter(action="invitation.accepted").count() == 1

    _other, other_token = _invite(org_a, "late@acme.test")
    late = make_user("late@acme.test")
    with time_machine.travel(invitation.expires_at + timedelta(days=1)), org_a.scope():
        with pytest.raises(ValidationError, match="expired"):
            services.invitation_accept(token=other_token, user=late)
        assert not Membership.objects.filter(user=late).exists()


def test_token_of_org_a_does_not_open_org_b(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    _invitation, token = _invite(org_a, "joiner@acme.test")
    joiner = make_user("joiner@acme.test")
    with org_b.scope(), pytest.raises(ValidationError, match="not valid"):
        services.invitation_accept(token=token, user=joiner)


def test_resend_replaces_the_link(org_a: Tenant) -> None:
    invitation, old_token = _invite(org_a, "again@acme.test")
    with org_a.scope():
        new_token = services.invitation_resend(
            organization=org_a.organization, actor=org_a.admin.user, invitation=invitation
        )
        assert services.invitation_for_token(old_token) is None
        assert services.invitation_for_token(new_token) == invitation


def test_revoked_invitation_cannot_be_accepted(org_a: Tenant) -> None:
    invitation, token = _invite(org_a, "gone@acme.test")
    user = make_user("gone@acme.test")
    with org_a.scope():
        services.invitation_revoke(actor=org_a.admin.user, invitation=invitation)
        with pytest.raises(ValidationError, match="not valid"):
            services.invitation_accept(token=token, user=user)


def test_last_admin_cannot_be_removed(org_a: Tenant) -> None:
    with org_a.scope():
        with pytest.raises(ValidationError, match="at least one admin"):
            services.membership_remove(actor=org_a.admin.user, membership=org_a.admin)
        services.membership_change_role(
            actor=org_a.admin.user, membership=org_a.member, role=Role.ADMIN
        )
        services.membership_remove(actor=org_a.admin.user, membership=org_a.admin)
        assert list(Membership.objects.filter(role=Role.ADMIN)) == [org_a.member]


def test_every_write_is_audited(org_a: Tenant) -> None:
    invitation, _token = _invite(org_a, "audit@acme.test")
    with org_a.scope():
        services.invitation_resend(
            organization=org_a.organization, actor=org_a.admin.user, invitation=invitation
        )
        services.invitation_revoke(actor=org_a.admin.user, invitation=invitation)
        services.membership_change_role(
            actor=org_a.admin.user, membership=org_a.member, role=Role.COORDINATOR
        )
        token, _key = services.api_token_create(
            organization=org_a.organization, user=org_a.member.user, name="x"
        )
        services.api_token_revoke(actor=org_a.member.user, token=token)
        services.membership_remove(actor=org_a.admin.user, membership=org_a.member)
        actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "invitation.created",
        "invitation.resent",
        "invitation.revoked",
        "membership.role_changed",
        "api_token.created",
        "api_token.revoked",
        "membership.removed",
    ]


def test_api_token_needs_a_name(org_a: Tenant) -> None:
    with org_a.scope(), pytest.raises(ValidationError) as error:
        services.api_token_create(organization=org_a.organization, user=org_a.admin.user, name="  ")
    assert "name" in error.value.message_dict


def test_organization_create_validates_the_slug(db: None) -> None:
    admin = make_user()
    with pytest.raises(ValidationError) as error:
        services.organization_create(name="Bad", slug="-Bad Slug-", admin=admin)
    assert "slug" in error.value.message_dict
