"""The sessions feature's actions, one function each, shared by the pair page and the API.

Each takes the viewer's ``PairAccess`` (built by ``feedback.visibility.pair_access``: who may not
see the pair never gets one, 404), asks the policy, then runs the services in one transaction. A
refusal is ``core.access.Forbidden`` (403, the same words on the page and in the API); a rule on
the values is a ``ValidationError`` whose field names are the caller's form or body fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from feedback import notes
from feedback.models import NoteVisibility, SessionLog
from feedback.sessions import services
from feedback.visibility import LOG_SESSION, PairAccess


@dataclass(frozen=True)
class SessionFacts:
    held_on: date
    duration_minutes: int
    format: str
    topic_ids: Iterable[int] | None = None
    learned: str = ""
    action_items: str = ""


def log_session(
    *,
    access: PairAccess,
    actor: User,
    facts: SessionFacts,
    shared_note: str = "",
    private_note: str = "",
) -> SessionLog:
    """Log a session the pair had, with optional shared and private notes: all of it, or nothing
    (a note refused rolls the session back). It waits for the partner's confirmation."""
    access.access.require(LOG_SESSION)
    by = access.member()
    with transaction.atomic():
        session = services.session_log(
            pair=access.pair,
            by=by,
            actor=actor,
            held_on=facts.held_on,
            duration_minutes=facts.duration_minutes,
            format=facts.format,
            topic_ids=facts.topic_ids,
            learned=facts.learned,
            action_items=facts.action_items,
        )
        for field, text, visibility in (
            ("shared_note", shared_note, NoteVisibility.SHARED),
            ("private_note", private_note, NoteVisibility.PRIVATE),
        ):
            if not text.strip():
                continue
            try:
                notes.note_create(
                    pair=access.pair,
                    author=by,
                    actor=actor,
                    text=text,
                    visibility=visibility,
                    session=session,
                    notify_partner=False,
                )
            except ValidationError as error:
                raise ValidationError({field: error.messages}) from None
    return session


def confirm_session(
    *,
    access: PairAccess,
    actor: User,
    session: SessionLog,
    corrections: dict[str, Any] | None = None,
) -> SessionLog:
    """The partner of the session's logger confirms it, optionally correcting its facts (date,
    length, format, topics): the pair page's one-click confirm and its correction form, and the
    API's ``confirm`` and ``correct``. Staff and the logger are refused (403) before anything is
    read; the service checks the session's state (already confirmed, a draft: 400)."""
    by = access.require_session_confirm(session)
    return services.session_confirm(session=session, by=by, actor=actor, corrections=corrections)
