"""Loaded into the worker processes the resilience tests start (``celery worker --include``).

Two stand-ins, both driven by files the test owns, so that a test can stop a real worker at a
known point and count what went out:

- ``RecordingBackend`` (``DJANGO_EMAIL_BACKEND``) appends one line per email handed over to
  ``FLIPSIDE_TEST_MAIL_LOG``; while ``FLIPSIDE_TEST_HOLD`` exists and names the recipient, it
  writes ``holding <to>`` and waits before handing that email over.
- With ``FLIPSIDE_TEST_ROUND_HOLD`` set, the matching engine writes ``computing`` to
  ``FLIPSIDE_TEST_ROUND_LOG`` and waits while the hold file exists.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


def _append(path: str, line: str) -> None:
    with open(path, "a") as log:
        log.write(line + "\n")
        log.flush()
        os.fsync(log.fileno())


def _wait_while(hold: Path) -> None:
    deadline = time.monotonic() + 120
    while hold.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        log = os.environ["FLIPSIDE_TEST_MAIL_LOG"]
        hold = Path(os.environ.get("FLIPSIDE_TEST_HOLD", "/nonexistent"))
        for message in email_messages:
            recipient = message.to[0]
            if hold.exists() and hold.read_text().strip() == recipient:
                _append(log, f"holding {recipient} pid={os.getpid()}")
                _wait_while(hold)
            _append(log, f"sent {recipient} {message.subject}")
        return len(email_messages)


def _hold_the_engine() -> None:
    from matching import engine

    real = engine.run_round
    hold = Path(os.environ["FLIPSIDE_TEST_ROUND_HOLD"])
    log = os.environ["FLIPSIDE_TEST_ROUND_LOG"]

    def held(*args: Any, **kwargs: Any) -> Any:
        if hold.exists():
            _append(log, f"computing pid={os.getpid()}")
            _wait_while(hold)
        return real(*args, **kwargs)

    engine.run_round = held


if os.environ.get("FLIPSIDE_TEST_ROUND_HOLD"):
    _hold_the_engine()
