"""API rate limits with one Redis round trip per request.

DRF's ``SimpleRateThrottle`` keeps, per client, the list of its request times in the cache: each
request reads the list, unpickles it (up to the limit: 1,200 entries at 1200/min), drops the old
ones, and writes it back — two round trips and work that grows with the limit. Here each client has
one counter per window (``INCR``, ``EXPIRE`` when new) and the previous window's count is read by
the same Lua script (``EVALSHA``): one round trip, one command, constant work. The Redis client is
made once per connection pool: Django's cache makes a new one per call, and a client (like a
pipeline) copies redis-py's table of reply parsers when made, about 500 Python calls each time. The limit is enforced over a sliding window, estimated as
``previous * (share of the previous window still inside the last period) + current`` (the
usual two-window approximation, exact when requests are spread evenly).

**Counting ahead, for the token memory.** ``count_ahead`` runs the same script for the ``user``
scope of a known user id before DRF's throttles run, and also reads (creating when missing) a few
other keys in the same round trip (``organizations.api.token_memory``: the generations that say
whether a remembered token lookup is still true). The count is left on the request and the
``user`` throttle takes it instead of counting again: still one round trip per request.

The same rates (``DEFAULT_THROTTLE_RATES``, ``"1200/min"``), scopes (``user``, ``anon``), cache
keys (the user's id, or the client's address by DRF's ``get_ident`` with ``NUM_PROXIES``) and
answer (429 with ``Retry-After``) as DRF's throttles, which these subclass.
"""

from __future__ import annotations

import time
import weakref
from typing import TYPE_CHECKING, Any, cast

from django.core.cache import cache
from django.http import HttpRequest
from redis import Redis
from redis.commands.core import Script
from rest_framework import throttling
from rest_framework.request import Request

from core.cache import UNREACHABLE

# KEYS[1] this window's counter, KEYS[2] the previous window's; ARGV[1] the counter's lifetime.
# KEYS[3…] more keys to read, each set to ARGV[2…] first when missing (SET NX).
# Returns {this window's count, the previous window's count or nil, each further key's value}.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
local out = {count, redis.call('GET', KEYS[2])}
for i = 3, #KEYS do
    redis.call('SET', KEYS[i], ARGV[i - 1], 'NX')
    out[i] = redis.call('GET', KEYS[i])
end
return out
"""
_script: Script | None = None
# Where count_ahead leaves its count on the (Django) request for the throttle.
_AHEAD = "_flipside_throttle_ahead"
# One client per connection pool (Django's cache keeps a pool per thread and server).
_clients: weakref.WeakKeyDictionary[Any, Redis] = weakref.WeakKeyDictionary()


def raw_client(key: str) -> Redis:
    """The raw redis-py client for ``key`` (one per connection pool, kept)."""
    backend = cache._cache  # type: ignore[attr-defined]
    pool = backend._get_connection_pool(True)
    client = _clients.get(pool)
    if client is None:
        client = _clients[pool] = backend.get_client(key, write=True)
    return client


def _count(
    client: Redis,
    current: str,
    previous: str,
    lifetime: int,
    read: dict[str, str] | None = None,
) -> tuple[int, int, list[bytes | None]]:
    """This window's count after this request, the previous window's, and the values of the keys
    in ``read`` (each set to its value there first when missing): one round trip."""
    global _script
    if _script is None:
        _script = client.register_script(_COUNT_SCRIPT)
    read = read or {}
    count, before, *values = _script(
        keys=[current, previous, *read], args=[lifetime, *read.values()], client=client
    )
    return int(count), int(before or 0), values


def _windows(key: str, duration: int, now: float) -> tuple[str, str, float]:
    window, into = divmod(now, duration)
    current = cache.make_and_validate_key(f"{key}:{int(window)}")
    previous = cache.make_and_validate_key(f"{key}:{int(window) - 1}")
    return current, previous, into


_user: UserRateThrottle | None = None


def _user_throttle() -> UserRateThrottle:
    """A ``user`` throttle for its rate and key format, made again when the rates change."""
    global _user
    if _user is None or _user.THROTTLE_RATES is not UserRateThrottle.THROTTLE_RATES:
        _user = UserRateThrottle()
    return _user


def count_ahead(
    request: HttpRequest, *, user_id: int, read: dict[str, str]
) -> list[bytes | None] | None:
    """Count this request for the ``user`` throttle of ``user_id`` now, and read the keys in
    ``read`` (set to the given value first when missing), in one round trip.

    The ``user`` throttle (``UserRateThrottle``) takes the count instead of counting again, when it
    throttles the same user in the same window. None when Redis is unreachable (nothing counted).
    """
    throttle = _user_throttle()
    now = time.time()
    if throttle.rate is None:
        current = previous = ""
        into = 0.0
    else:
        key = throttle.cache_format % {"scope": throttle.scope, "ident": user_id}
        current, previous, into = _windows(key, throttle.duration, now)
    try:
        client = raw_client(current or next(iter(read)))
        if throttle.rate is None:
            return cast("list[bytes | None]", client.mget(list(read)))  # nothing to count
        count, before, values = _count(client, current, previous, 2 * throttle.duration + 1, read)
    except UNREACHABLE:
        return None
    setattr(request, _AHEAD, (current, count, before, into))
    return values


class _WindowCounterMixin:
    """Replaces ``SimpleRateThrottle.allow_request`` (history list) by a window counter."""

    rate: str | None
    num_requests: int
    duration: int
    key: str | None

    if TYPE_CHECKING:

        def get_cache_key(self, request: Request, view: Any) -> str | None: ...

    def allow_request(self, request: Request, view: Any) -> bool:
        self._wait = 0.0
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        current, previous, into = _windows(self.key, self.duration, time.time())
        ahead = getattr(request._request, _AHEAD, None)
        if ahead is not None and ahead[0] == current:
            # Counted already by count_ahead, in the same round trip as the token memory's check.
            delattr(request._request, _AHEAD)
            _, count, before, into = ahead
        else:
            try:
                # The raw client (Django's RedisCache serializes values; a counter stays an integer).
                count, before, _ = _count(
                    raw_client(current), current, previous, 2 * self.duration + 1
                )
            except UNREACHABLE:
                # Like every cache read (core/cache.py): while Redis is unreachable limits fail open.
                return True
        weight = 1.0 - into / self.duration
        estimate = before * weight + count
        if estimate <= self.num_requests:
            return True
        self._wait = self.duration - into
        return False

    def wait(self) -> float | None:
        return self._wait or None


class UserRateThrottle(_WindowCounterMixin, throttling.UserRateThrottle):
    """Signed-in (session or token) clients: scope ``user``."""


class AnonRateThrottle(_WindowCounterMixin, throttling.AnonRateThrottle):
    """Anonymous clients, by address: scope ``anon``."""
