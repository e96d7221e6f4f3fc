"""Signing in with email and password, mandatory email verification, signing out (wrong
passwords: test_signin_limits.py)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import form_errors, post_login, signed_in_user_id
from tests.conftest import Tenant
from tests.factories import PASSWORD, make_user

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
