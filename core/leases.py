"""Process leases: whether the process that claimed a row is still alive.

A worker process that claims work (a touchpoint it sends, a matching round it computes) writes its
``process_token()`` on the row. While the process lives, a daemon thread renews a key for that token
in the cache (Redis) every quarter of ``FLIPSIDE_WORKER_LEASE_SECONDS``; when the process dies —
SIGKILL, out of memory, a lost machine — the key expires with it. The recovery sweeps
(``feedback.touchpoints``, ``matching.rounds.recovery``) ask ``dead()`` about the tokens on rows
stuck in a claimed state and take back only those of dead processes: a live process that is merely
slow keeps its rows, so nothing is done twice.

Leases use the ``strict`` cache (core/cache.py): an unreachable Redis must not read as "every
lease lapsed". The token carries host, pid and a random part (pids are reused). The thread is started lazily by
the first ``process_token()`` of each process, so it also runs in forked pool children.
When the cache cannot be reached, ``dead()`` answers that nobody is dead: work waits rather than
being done twice.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

_KEY_PREFIX = "flipside:lease:"
_lock = threading.Lock()
_state: dict[str, object] = {}  # pid → the process's token and thread (reset in a forked child)


def _key(token: str) -> str:
    return _KEY_PREFIX + token


def _renew(token: str) -> None:
    try:
        caches["strict"].set(_key(token), 1, timeout=settings.FLIPSIDE_WORKER_LEASE_SECONDS)
    except (
        Exception
    ) as exc:  # Redis down: the next renewal retries; dead() answers "alive" meanwhile
        logger.warning("process lease %s not renewed: %s", token, exc.__class__.__name__)


def _beat(token: str, stop: threading.Event) -> None:
    interval = settings.FLIPSIDE_WORKER_LEASE_SECONDS / 4
    while not stop.wait(interval):
        _renew(token)


def process_token() -> str:
    """This process's token, its lease renewed now (a claim is never written under a lapsed
    lease, even just after the cache was emptied) and for as long as the process lives."""
    pid = os.getpid()
    with _lock:
        if _state.get("pid") != pid:
            token = f"{socket.gethostname()[:60]}:{pid}:{secrets.token_hex(4)}"
            thread = threading.Thread(
                target=_beat,
                args=(token, threading.Event()),
                name="flipside-process-lease",
                daemon=True,
            )
            thread.start()
            _state.update(pid=pid, token=token)
        token = str(_state["token"])
    _renew(token)
    return token


def dead(tokens: Iterable[str]) -> set[str]:
    """The tokens among ``tokens`` whose process is gone (its lease lapsed)."""
    wanted = {token for token in tokens if token}
    if not wanted:
        return set()
    try:
        alive = caches["strict"].get_many([_key(token) for token in wanted])
    except Exception as exc:
        logger.warning("process leases unreadable (%s): nothing taken back", exc.__class__.__name__)
        return set()
    return {token for token in wanted if _key(token) not in alive}
