"""Wrong passwords slow down and then stop a guesser without letting a stranger lock anyone out.

A sign-in attempt comes from a *client*: the browser's device cookie when it carries one for this
account (set by each successful sign-in, signed, kept 180 days), else the address it comes from
(``core.client_ip``, which trusts ``X-Forwarded-For`` only behind our own proxies). Failures are
counted in sliding windows, in the cache (Redis):

==========================  ========================  ==============================================
counter                     bound                     then
==========================  ========================  ==============================================
account + client            3rd and 4th failure       the next attempt waits 10 s, then 30 s
account + client            5 failures in 15 min      this client is refused for this account until
                                                      the oldest failure is 15 min old
address (all accounts)      100 failures in 15 min    browsers without a device cookie for the
                                                      account are refused at this address
account (all addresses)     20 failures in 1 hour     browsers without a device cookie for the
                                                      account are refused for it
==========================  ========================  ==============================================

Every attempt, right or wrong, also counts against its address (``ATTEMPTS``: ``FLIPSIDE_LOGIN_ATTEMPTS_PER_MINUTE``, 300 by default, what
keeps password hashing from being flooded), in a fixed one-minute window counted with Redis' atomic
increment. It replaces allauth's ``login`` rate limit, which guards its counter with a cache lock
and answers 429 to any request that waits for that lock over a second: under load, colleagues
behind one office address signing in together queued on the one lock of their shared address and
were refused although far below the limit (3 of 25 sign-ins in the load bench).

So a stranger who types wrong passwords for a named executive stops only themselves (their address
and device); 50 colleagues behind one office address with a few typos among them all get in; a
guesser spread over many addresses meets the per-account bound, which the account's own devices
(cookie) pass. A successful sign-in clears its own account + client counter; a password reset
through the emailed link clears that client's and the account's. A refusal is a form
error saying how long to wait; the correct password does not pass it (that would tell the guesser).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

DEVICE_COOKIE = "flipside_device"
DEVICE_COOKIE_AGE = 180 * 24 * 3600
_DEVICE_SALT = "flipside.signin.device"

# The progressive delays after the 3rd and 4th failure of one client, in seconds.
DELAYS = {3: 10, 4: 30}


@dataclass(frozen=True)
class Bound:
    name: str
    failures: int
    window: int  # seconds


ATTEMPTS = Bound("attempts", settings.FLIPSIDE_LOGIN_ATTEMPTS_PER_MINUTE, 60)
CLIENT = Bound("client", 5, 15 * 60)
ADDRESS = Bound("address", 100, 15 * 60)
ACCOUNT = Bound("account", 20, 60 * 60)


def _account(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _key(bound: Bound, *parts: str) -> str:
    return ":".join(("signin-failures", bound.name, *parts))


def device_of(request: HttpRequest, email: str) -> str | None:
    """The device id in the browser's cookie when it was issued for this account, else None."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != _account(email):
        return None
    device = data.get("d")
    return device if isinstance(device, str) else None


def remember_device(response: HttpResponse, email: str) -> None:
    """Give the browser a device cookie for this account (after it signed in)."""
    device = signing.dumps({"a": _account(email), "d": secrets.token_hex(8)}, salt=_DEVICE_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


@dataclass(frozen=True)
class _Counters:
    client: str
    address: str | None  # None for a known device: it passes the address and account bounds
    account: str | None


def _counters(request: HttpRequest, email: str, address: str) -> _Counters:
    account = _account(email)
    device = device_of(request, email)
    if device is not None:
        return _Counters(client=_key(CLIENT, account, "device", device), address=None, account=None)
    return _Counters(
        client=_key(CLIENT, account, "address", address),
        address=_key(ADDRESS, address),
        account=_key(ACCOUNT, account),
    )


def _recent(key: str, bound: Bound, now: float) -> list[float]:
    history = cache.get(key) or []
    return [moment for moment in history if moment > now - bound.window]


def _until_below(failures: list[float], bound: Bound, now: float) -> float:
    """Seconds until fewer than ``bound.failures`` of these failures are in the window."""
    ordered = sorted(failures)
    return ordered[len(ordered) - bound.failures] + bound.window - now


def _minutes(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def count_attempt(address: str) -> str | None:
    """Count one sign-in attempt from this address; a sentence to show when it is one too many.

    No lock: ``incr`` is atomic in Redis, so concurrent attempts each get their own count."""
    window = int(time.time() // ATTEMPTS.window)
    key = _key(ATTEMPTS, address, str(window))
    cache.add(key, 0, ATTEMPTS.window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this attempt starts the window
        cache.add(key, 1, ATTEMPTS.window * 2)
        count = 1
    if count > ATTEMPTS.failures:
        return "Too many sign-in attempts from this network. Try again in a minute."
    return None


def refusal(request: HttpRequest, email: str, address: str) -> str | None:
    """Why this attempt may not be checked now (a sentence to show), or None."""
    now = time.time()
    counters = _counters(request, email, address)
    failures = _recent(counters.client, CLIENT, now)
    if len(failures) >= CLIENT.failures:
        wait = _until_below(failures, CLIENT, now)
        return (
            "Too many wrong passwords for this account from here. Try again in "
            f"{_minutes(wait)}, or reset your password."
        )
    delay = DELAYS.get(len(failures), 0)
    if failures and now < max(failures) + delay:
        seconds = math.ceil(max(failures) + delay - now)
        return f"Several wrong passwords: wait {seconds} seconds before trying again."
    for key, bound in ((counters.address, ADDRESS), (counters.account, ACCOUNT)):
        if key is None:
            continue
        failures = _recent(key, bound, now)
        if len(failures) >= bound.failures:
            wait = _until_below(failures, bound, now)
            return (
                "Too many wrong passwords "
                + ("from this network" if bound is ADDRESS else "for this account")
                + f". Try again in {_minutes(wait)}, or sign in from a browser you used before."
            )
    return None


def record_failure(request: HttpRequest, email: str, address: str) -> None:
    now = time.time()
    counters = _counters(request, email, address)
    for key, bound in (
        (counters.client, CLIENT),
        (counters.address, ADDRESS),
        (counters.account, ACCOUNT),
    ):
        if key is not None:
            history = _recent(key, bound, now)[-(bound.failures + 1) :]
            cache.set(key, [*history, now], bound.window)


def record_success(request: HttpRequest, email: str, address: str) -> None:
    cache.delete(_counters(request, email, address).client)


def forget_failures(request: HttpRequest, email: str, address: str) -> None:
    """After a password reset through the emailed link: whoever reset it holds the account's
    email, so this client's counter and the account's own are cleared (other clients' stay)."""
    account = _account(email)
    keys = [_key(CLIENT, account, "address", address), _key(ACCOUNT, account)]
    device = device_of(request, email)
    if device is not None:
        keys.append(_key(CLIENT, account, "device", device))
    cache.delete_many(keys)
