"""A short memory of API token lookups, checked against Redis on every request.

The token query (token, membership, user: ``authentication.token_membership``) was half of what a
token request asked PostgreSQL. Each process now remembers what the query answered for a token
hash in an organisation, with the **generations** it read from Redis *before* running the query:
one counter per organisation and one for every organisation. A remembered answer is used only
when both generations are still the same, and they are read on every request in the round trip
the API throttle makes anyway (``core.api.throttling.count_ahead``): no extra round trip.

What bumps a generation (``bump``, at once and again after the transaction commits, so a reader
between the two cannot keep what it read before the commit):

- any write of an ``ApiToken`` or a ``Membership`` (created, revoked, scope or expiry changed,
  deleted, role changed, removed by SCIM, erasure or a bulk ``update``/``delete``): the
  organisation's, through ``organizations.changes.tenant_data_changed``, which every tenant write
  path sends (``TenantModel``, ``TenantQuerySet``); a write outside a scope bumps every
  organisation's. The one write left out is the token's own ``last_used_at`` (``quiet_touch``);
- an ``Organization`` saved or deleted (suspended, slug changed, offboarded): its own;
- a ``User`` saved (deactivated, password, anything but ``last_login`` alone) or deleted: every
  organisation's (a person may belong to several; a user's saves are rare).

Offboarding's raw ``DELETE``s skip the signal, but it deletes the organisation row, which bumps.

Why the order is safe: a reader reads the generations, then the rows. A writer commits, then
bumps. If the bump came before the reader's read of the generations, the commit did too and the
rows read are new; if after, the remembered generations are old and the next request reads again.

When it is not trusted:

- Redis unreachable when a request checks: the query runs, nothing is remembered;
- a generation key missing (evicted, Redis restarted empty): it is set to a random value, which
  no remembered answer holds;
- a bump that failed (Redis unreachable for the writer): this process remembers nothing for
  ``TTL``; other processes may trust an answer until its ``TTL`` ends (at most ``TTL`` seconds
  late, and only while Redis is reachable to them but was not to the writer);
- every answer is forgotten ``TTL`` seconds after it was read, whatever the generations say.

Expiry and read-only scope are checked on every request from the remembered values.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from redis.commands.core import Script

from core.api import throttling
from core.cache import UNREACHABLE

logger = logging.getLogger(__name__)

# Seconds a remembered answer may be used at most, and after a failed bump in this process.
TTL = 30.0
# Remembered answers per process; the memory is emptied when full (tokens in use are few).
MAX_ENTRIES = 2048

_EVERY_ORGANIZATION = "api-token-generation:all"

# KEYS[1] a generation; ARGV[1] a random start when it is missing (so a key that was lost never
# comes back with a value someone remembered).
_BUMP_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCR', KEYS[1])
end
redis.call('SET', KEYS[1], ARGV[1])
return 0
"""
_bump_script: Script | None = None


@dataclass(frozen=True, slots=True)
class Remembered:
    """What the token query answered (plain values, never shared model instances), when, and
    under which generations."""

    generations: tuple[bytes, bytes]
    read_at: float  # time.monotonic()
    user_id: int
    row: tuple[Any, ...]


_entries: dict[tuple[int, str], Remembered] = {}
_lock = threading.Lock()
_distrusted_until = 0.0
_random = random.SystemRandom()
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("flipside_token_touch", default=False)


@functools.lru_cache(maxsize=4096)
def _key(name: str) -> str:
    """The cache's full key for one of our names (ASCII, short: nothing to validate)."""
    return cache.make_key(name)


def _organization_key(organization_id: int) -> str:
    return _key(f"api-token-generation:{organization_id}")


def _keys(organization_id: int) -> dict[str, str]:
    """The two generations' keys, each with a random value to start it with when missing (not a
    secret: it only has to differ from any value the key held before it was lost)."""
    start = str(_random.getrandbits(62))
    return {_key(_EVERY_ORGANIZATION): start, _organization_key(organization_id): start}


def recall(
    request: HttpRequest, *, organization_id: int, key_hash: str
) -> tuple[tuple[Any, ...] | None, tuple[bytes, bytes] | None]:
    """The remembered row for this token here when it is still true, and the generations read
    now (None when Redis is unreachable, or when nothing may be remembered).

    With a remembered entry (its user known) the generations are read in the throttle's round
    trip, which counts this request for that user; without one, by a plain read.
    """
    if time.monotonic() < _distrusted_until:
        return None, None
    entry = _entries.get((organization_id, key_hash))
    keys = _keys(organization_id)
    try:
        if entry is not None:
            values = throttling.count_ahead(request, user_id=entry.user_id, read=keys)
        else:
            values = _read(keys)
    except UNREACHABLE:
        values = None
    if values is None:
        return None, None
    every, own = values
    if every is None or own is None:
        return None, None
    generations = (every, own)
    if (
        entry is not None
        and entry.generations == generations
        and time.monotonic() - entry.read_at < TTL
    ):
        return entry.row, generations
    return None, generations


def _read(keys: dict[str, str]) -> list[bytes | None]:
    client = throttling.raw_client(next(iter(keys)))
    pipe = client.pipeline(transaction=False)
    for key, start in keys.items():
        pipe.set(key, start, nx=True)
    pipe.mget(list(keys))
    return list(pipe.execute()[-1])


def remember(
    *,
    organization_id: int,
    key_hash: str,
    user_id: int,
    row: tuple[Any, ...],
    generations: tuple[bytes, bytes],
) -> None:
    if time.monotonic() < _distrusted_until:
        return
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[organization_id, key_hash] = Remembered(
            generations=generations, read_at=time.monotonic(), user_id=user_id, row=row
        )


def forget(*, organization_id: int, key_hash: str) -> None:
    _entries.pop((organization_id, key_hash), None)


def forget_all() -> None:
    """Drop every remembered answer of this process."""
    with _lock:
        _entries.clear()


def reset() -> None:
    """Forget everything, failed bumps included (tests: each starts with an empty memory)."""
    global _distrusted_until
    _distrusted_until = 0.0
    forget_all()


@contextmanager
def quiet_touch() -> Iterator[None]:
    """The token's ``last_used_at`` write: it changes nothing a token grants, so it bumps nothing
    (else every token in use would empty the memory of its organisation every minute)."""
    reset = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(reset)


# --- Bumps -----------------------------------------------------------------------------------------


def bump(organization_id: int | None) -> None:
    """Make every remembered answer for this organisation (None: every organisation) untrue, now
    and again after the current transaction commits."""
    _bump_now(organization_id)
    transaction.on_commit(lambda: _bump_now(organization_id))


def _bump_now(organization_id: int | None) -> None:
    global _bump_script, _distrusted_until
    key = (
        _key(_EVERY_ORGANIZATION) if organization_id is None else _organization_key(organization_id)
    )
    try:
        client = throttling.raw_client(key)
        if _bump_script is None:
            _bump_script = client.register_script(_BUMP_SCRIPT)
        _bump_script(keys=[key], args=[_random.getrandbits(62)], client=client)
    except UNREACHABLE as exc:
        # Others may trust what they remember until its TTL; this process stops at once.
        _distrusted_until = time.monotonic() + TTL
        forget_all()
        logger.warning(
            "API token memory: generation bump failed (%s); remembered lookups end within %s s",
            exc.__class__.__name__,
            TTL,
        )


# --- Receivers (connected in OrganizationsConfig.ready) --------------------------------------------


def on_tenant_data_changed(
    sender: Any, model: type[Any], organization_id: int | None, committed: bool, **kwargs: Any
) -> None:
    """Every write of a token or a membership, single or bulk, at once and after commit."""
    from organizations.models import ApiToken, Membership

    if model not in (ApiToken, Membership) or _quiet.get():
        return
    _bump_now(organization_id)


def on_organization_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    bump(instance.pk)


def on_user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return  # a new account has no token anyone remembers
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    bump(None)
