"""Two-factor sign-in with a TOTP authenticator (allauth.mfa)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.conftest import form_errors, post_login, signed_in_user_id
from tests.conftest import Tenant
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _start_of_a_totp_period() -> Iterator[None]:
    """Run each test from the first second of a TOTP period, so no code expires under it."""
    period = mfa_settings.TOTP_PERIOD
    next_period = (int(time.time()) // period + 1) * period
    with time_machine.travel(next_period + 1, tick=True):
        yield


def _code(secret: str, *, offset: int = 0) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value((hotp_value(secret, counter) + offset) % 10**mfa_settings.TOTP_DIGITS)


def _with_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def test_member_activates_totp_with_a_code_from_the_shown_secret(org_a: Tenant) -> None:
    user = org_a.member.user
    client = Client()
    post_login(client, user.email, PASSWORD)

    # Turning on two-factor asks for the password again first.
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked.status_code == 302
    assert asked.url.startswith(reverse("account_reauthenticate"))
    reauthenticated = client.post(asked.url, {"password": PASSWORD})
    assert reauthenticated.status_code == 302
    assert reauthenticated.url == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.text  # shown for manual entry next to the QR code
    refused = client.post(reverse("mfa_activate_totp"), {"code": _code(secret, offset=1)})
    assert refused.status_code == 200
    assert form_errors(refused, "code") == ["Incorrect code."]
    assert not Authenticator.objects.filter(user=user).exists()

    activated = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)})

    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # Recovery codes are generated alongside, and shown once.
    assert activated.url == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()


def test_sign_in_with_totp_needs_the_second_step(org_a: Tenant) -> None:
    user = org_a.member.user
    secret = _with_totp(user)
    client = Client()

    first_step = post_login(client, user.email, PASSWORD)

    assert first_step.status_code == 302
    assert first_step.url == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None
    assert client.get(f"/o/{org_a.slug}/").status_code == 302  # not in yet
    second_step_page = client.get(reverse("mfa_authenticate"))
    assert second_step_page.status_code == 200

    wrong = client.post(reverse("mfa_authenticate"), {"code": _code(secret, offset=1)})

    assert wrong.status_code == 200
    assert form_errors(wrong, "code") == ["Incorrect code."]
    assert signed_in_user_id(client) is None

    right = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})

    assert right.status_code == 302
    assert right.url == reverse("home")
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get(f"/o/{org_a.slug}/").status_code == 200


def test_a_totp_code_cannot_be_replayed(org_a: Tenant) -> None:
    user = org_a.member.user
    secret = _with_totp(user)
    code = _code(secret)
    first = Client()
    post_login(first, user.email, PASSWORD)
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302

    second = Client()
    post_login(second, user.email, PASSWORD)
    replayed = second.post(reverse("mfa_authenticate"), {"code": code})

    assert replayed.status_code == 200
    assert form_errors(replayed, "code") == ["Incorrect code."]
    assert signed_in_user_id(second) is None


def test_the_second_step_is_not_reachable_without_the_password(org_a: Tenant) -> None:
    user = org_a.member.user
    secret = _with_totp(user)
    client = Client()

    response = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})

    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_members_without_totp_sign_in_with_the_password_alone(org_a: Tenant) -> None:
    _with_totp(org_a.admin.user)
    client = Client()

    response = post_login(client, org_a.member.user.email, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_user_id(client) == str(org_a.member.user.pk)
