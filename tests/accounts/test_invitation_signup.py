"""Sign-up is by invitation: the emailed link opens sign-up for the invited address only, and after
confirming the address the person accepts the invitation and joins with the invited role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from organizations import services
from organizations.models import Invitation, Membership, Role
from organizations.scope import tenant_scope
from organizations.signup import INVITATION_SESSION_KEY
from tests.accounts.conftest import (
    first_template,
    form_errors,
    link_in_last_email,
    post_login,
    signed_in_user_id,
)
from tests.conftest import Tenant
from tests.factories import PASSWORD, make_user

INVITEE = "new.person@example.test"
NEW_PASSWORD = "a-long-and-unusual-passphrase"

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(org_a: Tenant, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Invite an address to org A as its admin would; return the accept link from the email."""

    def _invite(email: str = INVITEE, role: str = Role.COORDINATOR) -> str:
        with django_capture_on_commit_callbacks(execute=True), tenant_scope(org_a.organization):
            services.invitation_create(
                organization=org_a.organization, actor=org_a.admin.user, email=email, role=role
            )
        return link_in_last_email(email, containing="/invitations/")

    return _invite


def _sign_up(client: Client, email: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("account_signup"), {"email": email, "password1": password, "password2": password}
    )


def _membership(tenant: Tenant, email: str) -> Membership | None:
    with tenant.scope():
        return Membership.objects.filter(user__email=email).first()


def test_invitation_email_holds_the_accept_link(org_a: Tenant, invite: Callable[..., str]) -> None:
    accept_path = invite()

    assert accept_path.startswith(f"/invitations/{org_a.slug}/")
    (message,) = mail.outbox
    assert message.to == [INVITEE]
    assert org_a.organization.name in message.subject
    assert settings.SITE_URL + accept_path in message.body


def test_invited_person_signs_up_confirms_and_joins_with_the_invited_role(
    org_a: Tenant, invite: Callable[..., str]
) -> None:
    accept_path = invite(role=Role.COORDINATOR)
    client = Client()

    landing = client.get(accept_path)
    assert landing.status_code == 200
    assert "Create your account" in landing.text
    assert client.session[INVITATION_SESSION_KEY]["email"] == INVITEE
    login_page = client.get(reverse("account_login"))
    assert f'href="{reverse("account_signup")}"' in login_page.text  # sign-up is offered now

    assert client.get(reverse("account_signup")).status_code == 200
    signed_up = _sign_up(client, INVITEE)
    assert signed_up.status_code == 302
    assert signed_up.url == reverse("account_email_verification_sent")
    user = User.objects.get(email=INVITEE)
    assert not EmailAddress.objects.get(user=user).verified
    assert signed_in_user_id(client) is None  # mandatory verification: not signed in yet
    assert _membership(org_a, INVITEE) is None

    confirm_path = link_in_last_email(INVITEE, containing="/accounts/confirm-email/")
    assert client.get(confirm_path).status_code == 200  # GET only shows the button
    assert not EmailAddress.objects.get(user=user).verified
    confirmed = client.post(confirm_path)

    assert EmailAddress.objects.get(user=user).verified
    assert signed_in_user_id(client) == str(user.pk)
    assert confirmed.status_code == 302
    assert confirmed.url == accept_path
    accept_page = client.get(accept_path)
    assert accept_page.status_code == 200
    assert "Accept and join" in accept_page.text

    accepted = client.post(accept_path)

    assert accepted.status_code == 302
    assert accepted.url == reverse("organization_home", kwargs={"org_slug": org_a.slug})
    membership = _membership(org_a, INVITEE)
    assert membership is not None
    assert membership.role == Role.COORDINATOR
    assert INVITATION_SESSION_KEY not in client.session
    org_home = client.get(accepted.url)
    assert org_home.status_code == 200
    assert f"Welcome to {org_a.organization.name}." in org_home.text


def test_sign_up_with_another_address_is_refused_with_a_field_message(
    invite: Callable[..., str],
) -> None:
    client = Client()
    client.get(invite())

    response = _sign_up(client, "someone.else@example.test")

    assert response.status_code == 200
    assert form_errors(response, "email") == [
        f"Sign up with the address the invitation was sent to: {INVITEE}."
    ]
    assert not User.objects.filter(email="someone.else@example.test").exists()


def test_sign_up_with_the_invited_address_in_other_case_is_allowed(
    invite: Callable[..., str],
) -> None:
    client = Client()
    client.get(invite())

    response = _sign_up(client, INVITEE.upper())

    assert response.status_code == 302
    assert User.objects.filter(email=INVITEE).exists()


def test_sign_up_is_closed_without_an_invitation(db: None) -> None:
    client = Client()

    page = client.get(reverse("account_signup"))
    attempt = _sign_up(client, "walk.in@example.test")

    assert page.status_code == 200
    assert first_template(page) == "account/signup_closed.html"
    assert "Sign-up is by invitation" in page.text
    assert attempt.status_code == 200
    assert first_template(attempt) == "account/signup_closed.html"
    assert not User.objects.filter(email="walk.in@example.test").exists()
    assert mail.outbox == []


def _accept_as_existing_user(client: Client, accept_path: str):  # type: ignore[no-untyped-def]
    return client.post(accept_path)


def test_an_invitation_link_works_once(
    org_a: Tenant, invite: Callable[..., str], client_for: Callable[[User], Client]
) -> None:
    make_user(INVITEE)
    accept_path = invite(role=Role.MEMBER)
    client = client_for(User.objects.get(email=INVITEE))
    assert client.post(accept_path).status_code == 302
    assert _membership(org_a, INVITEE) is not None

    second = client.get(accept_path)
    second_post = client.post(accept_path)

    assert second.status_code == 410
    assert "This invitation has already been used." in second.text
    assert second_post.status_code == 410
    with org_a.scope():
        assert Membership.objects.filter(user__email=INVITEE).count() == 1


def test_an_accepted_link_cannot_open_sign_up_again(invite: Callable[..., str]) -> None:
    accept_path = invite()
    first = Client()
    first.get(accept_path)
    _sign_up(first, INVITEE)
    first.post(link_in_last_email(INVITEE, containing="/accounts/confirm-email/"))
    first.post(accept_path)

    stranger = Client()
    page = stranger.get(accept_path)

    assert page.status_code == 410
    assert INVITATION_SESSION_KEY not in stranger.session
    signup = stranger.get(reverse("account_signup"))
    assert first_template(signup) == "account/signup_closed.html"


def test_an_expired_invitation_is_refused(
    org_a: Tenant, invite: Callable[..., str], client_for: Callable[[User], Client]
) -> None:
    make_user(INVITEE)
    accept_path = invite()
    later = timezone.now() + timedelta(days=settings.FLIPSIDE_INVITATION_DAYS, minutes=1)

    with time_machine.travel(later, tick=False):
        anonymous = Client()
        landing = anonymous.get(accept_path)
        signup = anonymous.get(reverse("account_signup"))
        accepted = client_for(User.objects.get(email=INVITEE)).post(accept_path)

    assert landing.status_code == 410
    assert "This invitation has expired." in landing.text
    assert first_template(signup) == "account/signup_closed.html"
    assert accepted.status_code == 410
    assert _membership(org_a, INVITEE) is None


def test_an_invitation_accepted_just_before_expiry_still_works(
    org_a: Tenant, invite: Callable[..., str], client_for: Callable[[User], Client]
) -> None:
    make_user(INVITEE)
    accept_path = invite()
    just_before = timezone.now() + timedelta(days=settings.FLIPSIDE_INVITATION_DAYS, minutes=-1)

    with time_machine.travel(just_before, tick=False):
        accepted = client_for(User.objects.get(email=INVITEE)).post(accept_path)

    assert accepted.status_code == 302
    assert _membership(org_a, INVITEE) is not None


def test_a_revoked_invitation_is_refused(
    org_a: Tenant, invite: Callable[..., str], client_for: Callable[[User], Client]
) -> None:
    make_user(INVITEE)
    accept_path = invite()
    with org_a.scope():
        invitation = Invitation.objects.get(email=INVITEE)
        services.invitation_revoke(actor=org_a.admin.user, invitation=invitation)

    landing = Client().get(accept_path)
    accepted = client_for(User.objects.get(email=INVITEE)).post(accept_path)

    assert landing.status_code == 410
    assert "This invitation link is not valid." in landing.text
    assert accepted.status_code == 410
    assert _membership(org_a, INVITEE) is None


def test_revoking_after_the_link_was_opened_closes_sign_up(
    org_a: Tenant, invite: Callable[..., str]
) -> None:
    client = Client()
    client.get(invite())
    with org_a.scope():
        invitation = Invitation.objects.get(email=INVITEE)
        services.invitation_revoke(actor=org_a.admin.user, invitation=invitation)

    attempt = _sign_up(client, INVITEE)

    assert first_template(attempt) == "account/signup_closed.html"
    assert not User.objects.filter(email=INVITEE).exists()


def test_an_unknown_token_is_not_found(org_a: Tenant) -> None:
    response = Client().get(
        reverse("invitation_accept", kwargs={"org_slug": org_a.slug, "token": "not-a-real-token"})
    )

    assert response.status_code == 404
    assert INVITATION_SESSION_KEY not in Client().session


def test_a_token_of_another_organisation_is_not_found(
    org_b: Tenant, invite: Callable[..., str]
) -> None:
    accept_path = invite()
    token = accept_path.rstrip("/").rsplit("/", 1)[-1]

    response = Client().get(
        reverse("invitation_accept", kwargs={"org_slug": org_b.slug, "token": token})
    )

    assert response.status_code == 404


def test_the_wrong_account_cannot_accept(
    org_a: Tenant, org_b: Tenant, invite: Callable[..., str], client_for: Callable[[User], Client]
) -> None:
    accept_path = invite()
    other = client_for(org_b.member.user)

    page = other.get(accept_path)
    response = other.post(accept_path)

    assert page.status_code == 403
    assert f"This invitation was sent to {INVITEE}." in page.text
    assert "Accept and join" not in page.text
    assert response.status_code == 403
    assert _membership(org_a, org_b.member.user.email) is None
    with org_a.scope():
        assert Invitation.objects.get(email=INVITEE).status == "pending"


def test_an_existing_account_signs_in_from_the_link_and_lands_on_the_accept_page(
    org_a: Tenant, invite: Callable[..., str]
) -> None:
    make_user(INVITEE)
    accept_path = invite(role=Role.MEMBER)
    client = Client()
    client.get(accept_path)

    response = post_login(client, INVITEE, PASSWORD)

    assert response.status_code == 302
    assert response.url == accept_path
    assert client.post(accept_path).status_code == 302
    membership = _membership(org_a, INVITEE)
    assert membership is not None
    assert membership.role == Role.MEMBER
