"""The sessions feature's actions, one function each, shared by the pair page and the API.

Each takes the viewer's ``PairAccess`` (built by ``feedback.visibility.pair_access``: who may not
see the pair never gets one, 404), asks the policy, then runs the services in one transaction. A
refusal is ``core.access.Forbidden`` (403, the same words on the page and in the API); a rule on
the values is a ``ValidationError`` whose field names are the caller's form or body fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from accounts.models import User
from feedback import notes
from feedback.models import NoteVisibility, PlannedSession, SessionLog
from feedback.sessions import planned, services
from feedback.visibility import LOG_SESSION, WRITE, PairAccess


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


# --- Planned sessions (the calendar invitation both members get) ------------------------------------


@dataclass(frozen=True)
class PlanTimes:
    """When a planned session takes place: a day (all day) or an aware start, and its length as
    minutes or as an aware end. ``None`` keeps the session's current value on a move."""

    starts_on: date | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    minutes: int | None = None


def _minutes(times: PlanTimes, starts_at: datetime | None) -> int | None:
    """The length from ``minutes`` or from the end: an end at or before the start is refused."""
    if times.ends_at is None:
        return times.minutes
    if times.minutes is not None:
        raise ValidationError({"ends_at": "Give the end or the length in minutes, not both."})
    if starts_at is None:
        raise ValidationError({"ends_at": "An end needs a start time."})
    if times.ends_at <= starts_at:
        raise ValidationError({"ends_at": "The session ends before it starts."})
    return int((times.ends_at - starts_at).total_seconds() // 60)


def planned_session_of(access: PairAccess, pk: int) -> PlannedSession:
    """One of the pair's planned sessions (404 otherwise: another pair's, another organisation's)."""
    session = access.planned_sessions().select_related("planned_by__person").filter(pk=pk).first()
    if session is None:
        raise Http404("No such planned session.")
    session.pair = access.pair
    return session


def plan_session(
    *,
    access: PairAccess,
    actor: User,
    times: PlanTimes,
    location: str = "",
    note: str = "",
) -> PlannedSession:
    """Plan the pair's next session (either of its two people; staff 403): both get the calendar
    invitation. In the past, beyond a year, or ending before it starts: 400 on that field."""
    access.access.require(WRITE)
    by = access.member()
    minutes = _minutes(times, times.starts_at)
    return planned.planned_session_create(
        pair=access.pair,
        by=by,
        actor=actor,
        starts_on=times.starts_on,
        starts_at=times.starts_at,
        minutes=60 if minutes is None else minutes,
        location=location,
        note=note,
    )


def move_planned_session(
    *,
    access: PairAccess,
    actor: User,
    session: PlannedSession,
    times: PlanTimes,
    location: str | None = None,
    note: str | None = None,
) -> PlannedSession:
    """Move (or change) a planned session: a new day or start replaces both the old day and
    start; what is not given stays. Both get the updated invitation (same UID, next SEQUENCE)."""
    access.access.require(WRITE)
    by = access.member()
    starts_on, starts_at = times.starts_on, times.starts_at
    if starts_on is None and starts_at is None:
        starts_on, starts_at = session.starts_on, session.starts_at
    return planned.planned_session_move(
        session=session,
        by=by,
        actor=actor,
        starts_on=starts_on if starts_at is None else None,
        starts_at=starts_at,
        minutes=_minutes(times, starts_at),
        location=location,
        note=note,
    )


def cancel_planned_session(
    *, access: PairAccess, actor: User, session: PlannedSession
) -> PlannedSession:
    """Cancel a planned session: both get the cancellation for their calendars."""
    access.access.require(WRITE)
    return planned.planned_session_cancel(session=session, by=access.member(), actor=actor)
