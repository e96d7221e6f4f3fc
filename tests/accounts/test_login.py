"""Signing in with email and password, mandatory email verification, signing out, lock-out."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.accounts.conftest import form_errors, post_login, signed_in_user_id
from tests.conftest import Tenant
from tests.factories import PASSWORD, make_member, make_user

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "not-the-password-at-all"
LOCKED_OUT = "Too many failed login attempts. Try again later."


def test_member_signs_in_with_email_and_password(org_a: Tenant) -> None:
    client = Client()
    user = org_a.member.user

    response = post_login(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get(response.url).url == f"/o/{org_a.slug}/"


def test_sign_in_page_does_not_offer_sign_up_without_an_invitation(db: None) -> None:
    page = Client().get(reverse("account_login"))

    assert page.status_code == 200
    assert f'href="{reverse("account_signup")}"' not in page.text
    assert "Flipside is used by invitation" in page.text


def test_email_is_matched_regardless_of_case(org_a: Tenant) -> None:
    client = Client()

    response = post_login(client, org_a.member.user.email.upper(), PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(org_a.member.user.pk)


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(org_a: Tenant) -> None:
    client = Client()

    response = post_login(client, org_a.member.user.email, WRONG_PASSWORD)

    assert response.status_code == 200
    assert form_errors(response) == [
        "The email address and/or password you specified are not correct."
    ]
    assert signed_in_user_id(client) is None


def test_unverified_email_cannot_sign_in(db: None) -> None:
    user = make_user("unverified@example.test", verified=False)
    client = Client()

    response = post_login(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    assert client.get(reverse("home")).status_code == 302  # still anonymous: sent to sign in
    # A fresh confirmation email goes out so that the person can finish.
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert not EmailAddress.objects.get(user=user).verified


def test_inactive_account_cannot_sign_in(db: None) -> None:
    user = make_user("gone@example.test", is_active=False)
    client = Client()

    response = post_login(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("account_inactive")
    assert signed_in_user_id(client) is None


def test_sign_out_needs_a_post(org_a: Tenant) -> None:
    client = Client()
    post_login(client, org_a.member.user.email, PASSWORD)

    confirmation_page = client.get(reverse("account_logout"))
    assert confirmation_page.status_code == 200
    assert signed_in_user_id(client) == str(org_a.member.user.pk)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert signed_in_user_id(client) is None
    organization_home = client.get(f"/o/{org_a.slug}/")
    assert organization_home.status_code == 302
    assert organization_home.url.startswith(reverse("account_login"))


def test_sign_out_button_is_on_every_signed_in_page(org_a: Tenant) -> None:
    client = Client()
    post_login(client, org_a.member.user.email, PASSWORD)

    page = client.get(f"/o/{org_a.slug}/")

    assert f'action="{reverse("account_logout")}"' in page.text
    assert 'method="post"' in page.text


@pytest.fixture
def account(org_a: Tenant) -> User:
    """A member whose address no other test uses: rate-limit counters live in the shared Redis."""
    return make_member(
        org_a.organization, email=f"lockout-{uuid.uuid4().hex[:12]}@example.test"
    ).user


def _fail(times: int, email: str) -> None:
    for _attempt in range(times):
        failed = post_login(Client(), email, WRONG_PASSWORD)
        assert form_errors(failed) == [
            "The email address and/or password you specified are not correct."
        ]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    org_a: Tenant, account: User
) -> None:
    _fail(5, account.email)
    client = Client()

    locked = post_login(client, account.email, PASSWORD)

    assert locked.status_code == 200
    assert form_errors(locked) == [LOCKED_OUT]
    assert signed_in_user_id(client) is None
    # The lock holds for the account whatever the case of the address ...
    assert form_errors(post_login(Client(), account.email.upper(), PASSWORD)) == [LOCKED_OUT]
    # ... while another account from the same address still gets in.
    other = Client()
    assert post_login(other, org_a.admin.user.email, PASSWORD).status_code == 302
    assert signed_in_user_id(other) == str(org_a.admin.user.pk)


def test_four_wrong_passwords_do_not_lock_the_account(account: User) -> None:
    _fail(4, account.email)
    client = Client()

    response = post_login(client, account.email, PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(account.pk)


def test_the_lock_lifts_after_fifteen_minutes(account: User) -> None:
    _fail(5, account.email)
    assert form_errors(post_login(Client(), account.email, PASSWORD)) == [LOCKED_OUT]

    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        still_locked = post_login(Client(), account.email, PASSWORD)
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=5), tick=False):
        client = Client()
        lifted = post_login(client, account.email, PASSWORD)

    assert form_errors(still_locked) == [LOCKED_OUT]
    assert lifted.status_code == 302
    assert signed_in_user_id(client) == str(account.pk)
