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

The same rates (``DEFAULT_THROTTLE_RATES``, ``"1200/min"``), scopes (``user``, ``anon``), cache
keys (the user's id, or the client's address by DRF's ``get_ident`` with ``NUM_PROXIES``) and
answer (429 with ``Retry-After``) as DRF's throttles, which these subclass.
"""

from __future__ import annotations

import time
import weakref
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from redis import Redis
from redis.commands.core import Script
from rest_framework import throttling
from rest_framework.request import Request

from core.cache import UNREACHABLE

# KEYS[1] this window's counter, KEYS[2] the previous window's; ARGV[1] the counter's lifetime.
# Returns {this window's count, the previous window's count or nil}.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return {count, redis.call('GET', KEYS[2])}
"""
_script: Script | None = None
# One client per connection pool (Django's cache keeps a pool per thread and server).
_clients: weakref.WeakKeyDictionary[Any, Redis] = weakref.WeakKeyDictionary()


def _client(key: str) -> Redis:
    backend = cache._cache  # type: ignore[attr-defined]
    pool = backend._get_connection_pool(True)
    client = _clients.get(pool)
    if client is None:
        client = _clients[pool] = backend.get_client(key, write=True)
    return client


def _count(client: Redis, current: str, previous: str, lifetime: int) -> tuple[int, int]:
    """This window's count after this request, and the previous window's: one round trip."""
    global _script
    if _script is None:
        _script = client.register_script(_COUNT_SCRIPT)
    count, before = _script(keys=[current, previous], args=[lifetime], client=client)
    return int(count), int(before or 0)


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
        now = time.time()
        window, into = divmod(now, self.duration)
        current = cache.make_and_validate_key(f"{self.key}:{int(window)}")
        previous = cache.make_and_validate_key(f"{self.key}:{int(window) - 1}")
        try:
            # The raw client (Django's RedisCache serializes values; a counter stays an integer).
            count, before = _count(_client(current), current, previous, 2 * self.duration + 1)
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
