"""Wrong passwords (accounts/signin_limits.py), through real sign-in requests: a guesser is slowed,
then stopped, per account and client; a stranger cannot lock a named person out; an office behind
one address signs in; X-Forwarded-For counts only behind a trusted proxy, for allauth and DRF alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from accounts import signin_limits
from accounts.models import User
from core.client_ip import client_ip
from tests.accounts.conftest import (
    form_errors,
    link_in_last_email,
    post_login,
    signed_in_user_id,
)
from tests.conftest import Tenant
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-at-all"
NOT_CORRECT = "The email address and/or password you specified are not correct."
STRANGER, OFFICE, HOME = "203.0.113.9", "198.51.100.20", "192.0.2.44"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _member(tenant: Tenant, name: str = "exec") -> User:
    email = f"{name}-{uuid.uuid4().hex[:10]}@example.test"
    return make_member(tenant.organization, email=email).user


def _browser(address: str, **headers: str) -> Client:
    return Client(REMOTE_ADDR=address, headers=headers)


def _guess(
    clock: time_machine.Coordinates, email: str, times: int, address: str = STRANGER, **headers: str
) -> None:
    """Wrong passwords, each after the wait the previous ones asked for."""
    for _ in range(times):
        response = post_login(_browser(address, **headers), email, WRONG)
        assert form_errors(response) == [NOT_CORRECT], form_errors(response)
        clock.shift(timedelta(seconds=31))


def _signs_in(client: Client, user: User) -> bool:
    response = post_login(client, user.email, PASSWORD)
    return response.status_code == 302 and signed_in_user_id(client) == str(user.pk)


def test_a_stranger_stops_only_themselves(org_a: Tenant, clock: time_machine.Coordinates) -> None:
    executive = _member(org_a)
    _guess(clock, executive.email, 5)

    refused = post_login(_browser(STRANGER), executive.email, PASSWORD)
    assert form_errors(refused) == [
        "Too many wrong passwords for this account from here. Try again in 13 minutes, or reset "
        "your password."
    ]
    assert form_errors(post_login(_browser(STRANGER), executive.email.upper(), PASSWORD)) != []
    # The executive, elsewhere, is not locked out; nor is anyone else at the stranger's address.
    assert _signs_in(_browser(HOME), executive)
    assert _signs_in(_browser(STRANGER), org_a.admin.user)


def test_wrong_passwords_slow_down_before_they_stop(
    org_a: Tenant, clock: time_machine.Coordinates
) -> None:
    person = _member(org_a, "slow")
    for _ in range(3):
        post_login(_browser(STRANGER), person.email, WRONG)
    assert form_errors(post_login(_browser(STRANGER), person.email, PASSWORD)) == [
        "Several wrong passwords: wait 10 seconds before trying again."
    ]
    clock.shift(timedelta(seconds=11))
    assert form_errors(post_login(_browser(STRANGER), person.email, WRONG)) == [NOT_CORRECT]
    assert form_errors(post_login(_browser(STRANGER), person.email, PASSWORD)) == [
        "Several wrong passwords: wait 30 seconds before trying again."
    ]
    clock.shift(timedelta(seconds=31))
    # Four wrong passwords, then the right one after the wait: in, and the counter is cleared.
    client = _browser(STRANGER)
    assert _signs_in(client, person)
    client.post(reverse("account_logout"))
    post_login(_browser(STRANGER), person.email, WRONG)
    assert form_errors(post_login(_browser(STRANGER), person.email, WRONG)) == [NOT_CORRECT]


def test_the_lock_lifts_after_fifteen_minutes(
    org_a: Tenant, clock: time_machine.Coordinates
) -> None:
    person = _member(org_a, "lifted")
    _guess(clock, person.email, 5)
    clock.shift(timedelta(minutes=12))  # the first failure is now 14 min old
    assert form_errors(post_login(_browser(STRANGER), person.email, PASSWORD)) != []
    clock.shift(timedelta(minutes=1, seconds=5))
    assert _signs_in(_browser(STRANGER), person)


def test_an_office_behind_one_address_signs_in_despite_typos(
    org_a: Tenant, clock: time_machine.Coordinates
) -> None:
    colleagues = [_member(org_a, f"colleague{n}") for n in range(50)]
    # 30 typos in a few minutes across the office: twice what used to lock the whole address.
    for colleague in colleagues[:30]:
        post_login(_browser(OFFICE), colleague.email, WRONG)
        clock.shift(timedelta(seconds=5))
    # Then all 50 sign in within 10 seconds.
    for colleague in colleagues:
        assert _signs_in(_browser(OFFICE), colleague), colleague.email
        clock.shift(timedelta(seconds=0.2))


def test_a_guesser_on_many_addresses_meets_the_account_bound_that_its_own_browser_passes(
    org_a: Tenant, clock: time_machine.Coordinates
) -> None:
    executive = _member(org_a, "target")
    laptop = _browser(HOME)
    assert _signs_in(laptop, executive)
    laptop.post(reverse("account_logout"))
    assert laptop.cookies.get(signin_limits.DEVICE_COOKIE)

    for n in range(signin_limits.ACCOUNT.failures // 4):
        _guess(clock, executive.email, 4, address=f"203.0.113.{n + 10}")

    assert form_errors(post_login(_browser("192.0.2.200"), executive.email, PASSWORD)) == [
        "Too many wrong passwords for this account. Try again in 50 minutes, or sign in from a "
        "browser you used before."
    ]
    assert _signs_in(laptop, executive)


def test_a_known_browser_is_not_locked_by_a_guesser_at_the_same_address(
    org_a: Tenant, clock: time_machine.Coordinates
) -> None:
    executive = _member(org_a, "shared-wifi")
    laptop = _browser(OFFICE)
    assert _signs_in(laptop, executive)
    laptop.post(reverse("account_logout"))

    _guess(clock, executive.email, 5, address=OFFICE)

    assert form_errors(post_login(_browser(OFFICE), executive.email, PASSWORD)) != []
    assert _signs_in(laptop, executive)


def test_another_accounts_device_cookie_is_no_pass(
    org_a: Tenant, clock: time_machine.Coordinates
) -> None:
    mine, target = _member(org_a, "mine"), _member(org_a, "victim")
    browser = _browser(STRANGER)
    assert _signs_in(browser, mine)
    browser.post(reverse("account_logout"))
    for _ in range(5):
        assert form_errors(post_login(browser, target.email, WRONG)) == [NOT_CORRECT]
        clock.shift(timedelta(seconds=31))
    assert form_errors(post_login(browser, target.email, PASSWORD)) != []


def test_forwarded_for_is_ignored_without_a_trusted_proxy(
    org_a: Tenant, clock: time_machine.Coordinates
) -> None:
    person = _member(org_a, "spoofed")
    for n in range(5):
        response = post_login(
            _browser(STRANGER, X_Forwarded_For=f"10.0.0.{n}"), person.email, WRONG
        )
        assert form_errors(response) == [NOT_CORRECT]
        clock.shift(timedelta(seconds=31))
    # A new made-up address does not reset the count.
    refused = post_login(_browser(STRANGER, X_Forwarded_For="10.9.9.9"), person.email, PASSWORD)
    assert form_errors(refused) != []


@override_settings(FLIPSIDE_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_each_client_counts_for_itself(
    org_a: Tenant, clock: time_machine.Coordinates
) -> None:
    person = _member(org_a, "proxied")
    proxy = "10.0.0.1"
    _guess(clock, person.email, 5, address=proxy, X_Forwarded_For=f"1.2.3.4, {STRANGER}")
    stranger = _browser(proxy, X_Forwarded_For=f"9.9.9.9, {STRANGER}")
    assert form_errors(post_login(stranger, person.email, PASSWORD)) != []
    assert _signs_in(_browser(proxy, X_Forwarded_For=HOME), person)


def _ident(**meta: str) -> str:
    request = RequestFactory().get("/api/v1/", **meta)
    drf = AnonRateThrottle().get_ident(request)  # what the API throttles count by
    assert drf == client_ip(request), (drf, client_ip(request))
    return drf


def test_api_throttles_and_sign_in_limits_see_the_same_address() -> None:
    spoofed = {"REMOTE_ADDR": STRANGER, "HTTP_X_FORWARDED_FOR": "10.0.0.7"}
    assert api_settings.NUM_PROXIES == 0
    assert _ident(**spoofed) == STRANGER
    with override_settings(FLIPSIDE_TRUSTED_PROXY_COUNT=1, REST_FRAMEWORK={"NUM_PROXIES": 1}):
        assert _ident(**spoofed) == "10.0.0.7"
        assert _ident(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {HOME}") == HOME
        assert _ident(REMOTE_ADDR="10.0.0.1") == "10.0.0.1"


def test_resetting_the_password_lifts_the_lock_for_whoever_reset_it(
    org_a: Tenant, clock: time_machine.Coordinates
) -> None:
    person = _member(org_a, "forgetful")
    _guess(clock, person.email, 5, address=OFFICE)
    browser = _browser(OFFICE)
    assert form_errors(post_login(browser, person.email, PASSWORD)) != []

    browser.post(reverse("account_reset_password"), {"email": person.email})
    reset_path = link_in_last_email(person.email, containing="/accounts/password/reset/key/")
    set_password_path = browser.get(reset_path).url
    new_password = "a-new-and-long-passphrase"
    changed = browser.post(
        set_password_path, {"password1": new_password, "password2": new_password}
    )
    assert changed.status_code == 302

    response = post_login(browser, person.email, new_password)
    assert response.status_code == 302
    assert signed_in_user_id(browser) == str(person.pk)


def test_a_sign_in_does_not_wait_on_a_lock_held_by_a_colleague_at_the_same_address(
    org_a: Tenant,
) -> None:
    """allauth's per-address counter answered 429 to a request that waited a second for the lock
    another sign-in at the same address held (under load, an office signing in together). The
    attempts are now counted without a lock: a lock held on that address blocks nobody."""
    from django.core.cache import cache

    colleague = _member(org_a, "colleague")
    for key in (
        "allauth:rl:allauth.account:login:300/60/ip:ip:198.51.100.20:lock",
        f"signin-failures:attempts:{OFFICE}:lock",
    ):
        cache.set(key, True, 30)
    assert _signs_in(_browser(OFFICE), colleague)


@override_settings(FLIPSIDE_LOGIN_ATTEMPTS_PER_MINUTE=300)
def test_attempts_beyond_the_bound_per_address_and_minute_are_refused(
    org_a: Tenant, clock: time_machine.Coordinates
) -> None:
    colleague = _member(org_a, "colleague")
    for _ in range(signin_limits.ATTEMPTS.failures):
        assert signin_limits.count_attempt(OFFICE) is None
    refused = post_login(_browser(OFFICE), colleague.email, PASSWORD)
    assert form_errors(refused) == [
        "Too many sign-in attempts from this network. Try again in a minute."
    ]
    # Another address is not concerned, and the next minute starts afresh.
    assert _signs_in(_browser(HOME), colleague)
    clock.shift(timedelta(seconds=61))
    assert _signs_in(_browser(OFFICE), colleague)
