"""The dashboards' figures are computed once per change of the organisation's data, then read from
the cache (Redis) until the next change: a dashboard read never scans the program's sessions,
check-ins and answers again while nothing has changed.

- **Version**: each organisation has a version token in the cache; every write to its programs,
  people, pairs, sessions, check-ins, engagement or surveys replaces it. The writes are announced by
  ``organizations.changes.tenant_data_changed`` (every save, delete and bulk write of a tenant
  model, at once and again after commit), so no write path has to remember the dashboards. A write
  outside any scope replaces a platform-wide token that every key also carries.
- **Scopes**: a participant's home is kept under the versions of what it reads (its pairs,
  enrolments and programs, ``dashboards.homes.scopes``), which only writes to those rows replace:
  another pair's session leaves it warm (:func:`cached_in_scopes`).
- **Key**: what was computed (``kind``), the organisation, what it was computed for (``parts``:
  program, filters, privacy floor, the program's today…) and both tokens. A changed token makes
  every older key unreachable; they expire on their own (``TTL``).
- **Never wrong for long**: if the cache cannot be reached, figures are computed per request and
  writes go on (a warning is logged); the ``TTL`` bounds how long a figure missed by an
  invalidation could live. Each computed read carries the time it was computed, shown on the page.

Reads that depend on who asks (the policy: which programs, which pairs) are decided before the
cache is consulted and are part of ``parts``; the cache never widens what a person may see.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.core.cache import cache

from dashboards.homes.scopes import written_scopes
from organizations.changes import RowKeys

logger = logging.getLogger(__name__)

TTL = 15 * 60  # seconds a computed figure may be served, at most
# Version tokens expire after a day unused; a missing one is read as a fresh one (``_current``).
TOKEN_TTL = 24 * 60 * 60
WATCHED_APPS = frozenset({"programs", "participants", "matching", "feedback", "surveys"})
# Bookkeeping no dashboard reads (sending state of scheduled touchpoints).
IGNORED_MODELS = frozenset({"feedback.touchpoint"})
_ALL = "all"


def _version_key(scope: int | str) -> str:
    return f"dashboards:version:{scope}"


def _scope_key(organization_id: int, scope: str) -> str:
    return f"dashboards:version:{organization_id}:{scope}"


def _new_token() -> str:
    return secrets.token_hex(8)


def bump(organization_id: int | None, scopes: Iterable[str] = ()) -> None:
    """The organisation's figures (every organisation's for None) are out of date, and so are the
    reads kept per scope (``dashboards.homes.scopes``) of these ``scopes``: one round trip."""
    tokens = {_version_key(_ALL if organization_id is None else organization_id): _new_token()}
    if organization_id is not None:
        tokens.update((_scope_key(organization_id, scope), _new_token()) for scope in scopes)
    try:
        if len(tokens) == 1:  # most writes: cheaper than a pipeline
            cache.set(*next(iter(tokens.items())), TOKEN_TTL)
        else:
            cache.set_many(tokens, TOKEN_TTL)
    except Exception:  # the cache is down: writes must go on; TTL bounds the staleness
        logger.warning(
            "dashboards: could not invalidate organisation %s", organization_id, exc_info=True
        )


def _current(keys: list[str]) -> list[str]:
    found = cache.get_many(keys)
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            # First read (or the token expired or was evicted): a fresh token, unless a racing
            # reader set one. Never a fixed default: a value kept under an older token must not
            # come back.
            cache.add(key, _new_token(), TOKEN_TTL)
            token = cache.get(key)
        tokens.append(str(token))
    return tokens


def _key(kind: str, organization_id: int, parts: tuple[Hashable, ...], tokens: list[str]) -> str:
    digest = hashlib.sha256(repr((parts, tokens)).encode()).hexdigest()[:40]
    return f"dashboards:{kind}:{organization_id}:{digest}"


def cached[T](
    kind: str, organization_id: int, parts: tuple[Hashable, ...], compute: Callable[[], T]
) -> T:
    """``compute()``'s value for ``parts``, computed at most once per version of the organisation's
    data (and at most ``TTL`` ago)."""
    try:
        tokens = _current([_version_key(organization_id), _version_key(_ALL)])
    except Exception:
        logger.warning(
            "dashboards: cache unreachable, computing %s per request", kind, exc_info=True
        )
        return compute()
    return _cached_under(_key(kind, organization_id, parts, tokens), kind, compute)


def cached_in_scopes[T](
    kind: str,
    organization_id: int,
    parts: tuple[Hashable, ...],
    scopes: Callable[[], Iterable[str]],
    compute: Callable[[], T],
) -> T:
    """Like :func:`cached`, but computed again only when one of ``scopes()``'s versions changes
    (``dashboards.homes.scopes``), not on every write in the organisation."""
    keys = [_version_key(_ALL)] + [_scope_key(organization_id, scope) for scope in scopes()]
    try:
        tokens = _current(keys)
    except Exception:
        logger.warning(
            "dashboards: cache unreachable, computing %s per request", kind, exc_info=True
        )
        return compute()
    return _cached_under(_key(kind, organization_id, parts, tokens), kind, compute)


def _cached_under[T](key: str, kind: str, compute: Callable[[], T]) -> T:
    try:
        hit: Any = cache.get(key)
    except Exception:
        logger.warning("dashboards: cache read failed for %s", kind, exc_info=True)
        hit = None
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, TTL)
    except Exception:
        logger.warning("dashboards: cache write failed for %s", kind, exc_info=True)
    return value


def on_tenant_data_changed(
    sender: Any,
    *,
    model: type[Any],
    organization_id: int | None,
    committed: bool,
    keys: RowKeys | None = None,
    **kwargs: Any,
) -> None:
    meta = model._meta
    if meta.app_label in WATCHED_APPS and meta.label_lower not in IGNORED_MODELS:
        bump(organization_id, written_scopes(meta.label_lower, keys))
