"""API rate limits with one Redis round trip per request.

DRF's ``SimpleRateThrottle`` keeps, per client, the list of its request times in the cache: each
request reads the list, unpickles it (up to the limit: 1,200 entries at 1200/min), drops the old
ones, and writes it back — two round trips and work that grows with the limit. Here each client has
one counter per window (``INCR`` + ``EXPIRE``) and the previous window's count is read in the same
pipeline: one round trip, constant work. The limit is enforced over a sliding window, estimated as
``previous * (share of the previous window still inside the last period) + current`` (the
usual two-window approximation, exact when requests are spread evenly).

The same rates (``DEFAULT_THROTTLE_RATES``, ``"1200/min"``), scopes (``user``, ``anon``), cache
keys (the user's id, or the client's address by DRF's ``get_ident`` with ``NUM_PROXIES``) and
answer (429 with ``Retry-After``) as DRF's throttles, which these subclass.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from rest_framework import throttling
from rest_framework.request import Request

from core.cache import UNREACHABLE


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
        # The raw client (Django's RedisCache serializes values; a counter must stay an integer).
        client = cache._cache.get_client(current, write=True)  # type: ignore[attr-defined]
        pipe = client.pipeline(transaction=False)
        pipe.incr(current)
        pipe.expire(current, 2 * self.duration + 1)
        pipe.get(previous)
        try:
            count, _expiry, before = pipe.execute()
        except UNREACHABLE:
            # Like every cache read (core/cache.py): while Redis is unreachable limits fail open.
            return True
        weight = 1.0 - into / self.duration
        estimate = int(before or 0) * weight + int(count)
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
