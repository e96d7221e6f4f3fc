"""Password reset by email: request, follow the link, set a new password, sign in with it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import (
    form_errors,
    link_in_last_email,
    post_login,
    signed_in_user_id,
)
from tests.conftest import Tenant
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "an-entirely-new-passphrase"


def _request_reset(client: Client, email: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("account_reset_password"), {"email": email})


def test_password_reset_by_email_sets_a_new_password(org_a: Tenant) -> None:
    user = org_a.member.user
    client = Client()

    requested = _request_reset(client, user.email)
    assert requested.status_code == 302
    assert requested.url == reverse("account_reset_password_done")
    reset_path = link_in_last_email(user.email, containing="/accounts/password/reset/key/")

    # The link hides its key in the session and redirects to a URL without it.
    opened = client.get(reset_path)
    assert opened.status_code == 302
    set_password_path = opened.url
    assert "set-password" in set_password_path
    form_page = client.get(set_password_path)
    assert form_page.status_code == 200
    assert form_page.context["form"] is not None
    changed = client.post(set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert changed.status_code == 302
    assert changed.url == reverse("account_reset_password_from_key_done")
    # ACCOUNT_LOGIN_ON_PASSWORD_RESET is off: the person signs in themselves.
    assert signed_in_user_id(client) is None

    old = post_login(Client(), user.email, PASSWORD)
    assert form_errors(old) == ["The email address and/or password you specified are not correct."]
    fresh = Client()
    signed_in = post_login(fresh, user.email, NEW_PASSWORD)
    assert signed_in.status_code == 302
    assert signed_in_user_id(fresh) == str(user.pk)


def test_a_reset_link_works_once(org_a: Tenant) -> None:
    user = org_a.member.user
    client = Client()
    _request_reset(client, user.email)
    reset_path = link_in_last_email(user.email, containing="/accounts/password/reset/key/")
    set_password_path = client.get(reset_path).url
    client.post(set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    reused = Client().get(reset_path)

    assert reused.status_code == 200
    assert reused.context["token_fail"] is True


def test_a_weak_new_password_is_refused_with_a_field_message(org_a: Tenant) -> None:
    user = org_a.member.user
    client = Client()
    _request_reset(client, user.email)
    set_password_path = client.get(
        link_in_last_email(user.email, containing="/accounts/password/reset/key/")
    ).url

    response = client.post(set_password_path, {"password1": "short", "password2": "short"})

    assert response.status_code == 200
    assert form_errors(response, "password1")
    assert post_login(Client(), user.email, PASSWORD).status_code == 302  # unchanged


def test_reset_for_an_unknown_address_reveals_nothing(db: None) -> None:
    response = _request_reset(Client(), "nobody@example.test")

    # Same answer as for a known address (ACCOUNT_PREVENT_ENUMERATION); no reset link is sent.
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    assert all("/accounts/password/reset/key/" not in message.body for message in mail.outbox)
