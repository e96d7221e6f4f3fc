"""An email backend for worker processes started by a test: one file per message in the
directory ``WAVES_MAILDIR``, after an optional delay (``WAVES_MAIL_DELAY`` seconds) that stands in
for a slow SMTP server, so that a test can kill the worker in the middle of its sends."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class DirectoryBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        directory = Path(os.environ["WAVES_MAILDIR"])
        delay = float(os.environ.get("WAVES_MAIL_DELAY", "0"))
        for message in email_messages:
            time.sleep(delay)
            # Written whole, then renamed: a reader never sees half a message.
            name = uuid.uuid4().hex
            partial = directory / f".{name}"
            partial.write_text(f"{','.join(message.to)}\n{message.subject}\n")
            partial.rename(directory / f"{name}.eml")
        return len(email_messages)


def recipients(directory: Path) -> list[str]:
    """The recipient of every message delivered to ``directory``."""
    return [path.read_text().split("\n", 1)[0] for path in sorted(directory.glob("*.eml"))]
