"""The cache backend: Django's Redis cache that keeps serving pages while Redis is down.

Everything cached is derived or advisory (dashboard figures, sign-in limit and API throttle
counters, the worker heartbeat): when Redis cannot be reached — restarting, failing over — a read
is a miss and a write is dropped (``add`` answers "added"), with a warning in the log, instead of a 500 on every page. Rate
limits and throttles count nothing meanwhile (they fail open for those seconds; passwords are still
checked). Short socket timeouts (settings) keep a Redis that hangs from holding requests.

Code that must tell "missing" from "unreachable" (``core.leases``: a lapsed lease means a dead
worker) uses the ``strict`` alias, the plain backend on the same server.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant[T](method: Callable[..., T], fallback: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def call(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            logger.warning(
                "cache unreachable (%s): %s skipped", exc.__class__.__name__, method.__name__
            )
            return fallback(*args, **kwargs)

    return call


def _default(key: str, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _true(*args: Any, **kwargs: Any) -> bool:
    return True


def _empty(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return {}


def _delta(key: str, delta: int = 1, *args: Any, **kwargs: Any) -> int:
    return delta


def _all_failed(data: dict[str, Any], *args: Any, **kwargs: Any) -> list[str]:
    return list(data)


class ResilientRedisCache(RedisCache):
    get = _tolerant(RedisCache.get, _default)
    get_many = _tolerant(RedisCache.get_many, _empty)
    set = _tolerant(RedisCache.set, _nothing)
    set_many = _tolerant(RedisCache.set_many, _all_failed)
    # As if stored: callers that take a lock with add() (allauth's rate limits) go on, not 429.
    add = _tolerant(RedisCache.add, _true)
    touch = _tolerant(RedisCache.touch, _false)
    delete = _tolerant(RedisCache.delete, _false)
    delete_many = _tolerant(RedisCache.delete_many, _nothing)
    has_key = _tolerant(RedisCache.has_key, _false)
    # A counter (sign-in attempts per address) starts again: limits fail open while unreachable.
    incr = _tolerant(RedisCache.incr, _delta)
