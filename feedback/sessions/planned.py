"""Planned sessions: a pair's next meeting as a calendar invitation both members get by email.

A member plans it (a date, or a date and time), moves it or cancels it. Each change commits, then
queues one email per member carrying the ``.ics`` (``feedback.ics``): METHOD:REQUEST with the
session's one UID and a SEQUENCE one higher than before on a move, METHOD:CANCEL with
STATUS:CANCELLED on a cancellation, so the copy in each calendar is updated or removed. The send
task mails only the version it was queued for: a later change sends its own.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from feedback import ics
from feedback.models import PlannedSession, PlannedSessionStatus
from feedback.sessions.services import _member_side, _require_loggable
from matching.models import OPEN_PAIR_STATUSES, Pair
from organizations import mail
from organizations.audit import log_action
from organizations.tasks import enqueue_on_commit
from participants.models import Enrollment
from programs.lifecycle import program_today, program_zone

MAX_DAYS_AHEAD = ics.MAX_DAYS_AHEAD
MIN_MINUTES, MAX_MINUTES = ics.MIN_MINUTES, ics.MAX_MINUTES


def _clean(
    pair: Pair, *, starts_on: object, starts_at: object, minutes: object, location: str, note: str
) -> tuple[date, datetime | None, int]:
    """A date (all-day) or an aware time, in the future and within a year; a sane length."""
    errors: dict[str, str] = {}
    today = program_today(pair.program)
    day: date | None = None
    moment: datetime | None = None
    if starts_at is not None:
        if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
            errors["starts_at"] = "Give the time with its time zone."
        elif starts_at <= timezone.now():
            errors["starts_at"] = "Plan the next session in the future."
        else:
            moment = starts_at
            day = starts_at.astimezone(program_zone(pair.program)).date()
    elif isinstance(starts_on, date) and not isinstance(starts_on, datetime):
        if starts_on < today:
            errors["starts_on"] = "Plan the next session in the future."
        day = starts_on
    else:
        errors["starts_on"] = "Give the date of the session."
    if day is not None and day > today + timedelta(days=MAX_DAYS_AHEAD):
        errors["starts_at" if moment else "starts_on"] = "Plan within the next year."
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not MIN_MINUTES <= minutes <= MAX_MINUTES
    ):
        errors["minutes"] = f"Give the length in minutes ({MIN_MINUTES} to {MAX_MINUTES})."
    if len(location) > 300:
        errors["location"] = "Keep the place or link to 300 characters."
    if len(note) > 2000:
        errors["note"] = "Keep the note to 2000 characters."
    if errors:
        raise ValidationError(errors)
    assert day is not None
    assert isinstance(minutes, int)
    return day, moment, minutes


def _facts(session: PlannedSession) -> dict[str, object]:
    return {
        "starts_on": session.starts_on.isoformat(),
        "starts_at": session.starts_at.isoformat() if session.starts_at else None,
        "minutes": session.minutes,
        "sequence": session.sequence,
        "status": session.status,
    }


def _queue(session: PlannedSession, method: str) -> None:
    from feedback.tasks import send_session_invitation

    enqueue_on_commit(
        send_session_invitation,
        organization_id=session.organization_id,
        session_id=session.pk,
        sequence=session.sequence,
        method=method,
    )


def planned_session_create(
    *,
    pair: Pair,
    by: Enrollment,
    actor: User | None,
    starts_on: date | None = None,
    starts_at: datetime | None = None,
    minutes: int = 60,
    location: str = "",
    note: str = "",
) -> PlannedSession:
    """Plan the pair's next session; both members get the invitation."""
    _member_side(pair, by)
    _require_loggable(pair)
    location, note = location.strip(), note.strip()
    day, moment, minutes = _clean(
        pair,
        starts_on=starts_on,
        starts_at=starts_at,
        minutes=minutes,
        location=location,
        note=note,
    )
    with transaction.atomic():
        session = PlannedSession.objects.create(
            organization_id=pair.organization_id,
            pair=pair,
            planned_by=by,
            starts_on=day,
            starts_at=moment,
            minutes=minutes,
            location=location,
            note=note,
        )
        log_action(actor=actor, action="session.plan", target=session, data=_facts(session))
        _queue(session, ics.REQUEST)
    return session


def _locked_open(session: PlannedSession, by: Enrollment) -> PlannedSession:
    _member_side(session.pair, by)
    locked = PlannedSession.objects.select_for_update().get(pk=session.pk)
    if locked.status == PlannedSessionStatus.CANCELLED:
        raise ValidationError("This session was cancelled.")
    return locked


def planned_session_move(
    *,
    session: PlannedSession,
    by: Enrollment,
    actor: User | None,
    starts_on: date | None = None,
    starts_at: datetime | None = None,
    minutes: int | None = None,
    location: str | None = None,
    note: str | None = None,
) -> PlannedSession:
    """Move (or change) a planned session: same UID, SEQUENCE + 1, an updated invitation; a
    "move" that changes nothing changes nothing (no SEQUENCE, no mail)."""
    pair = session.pair
    with transaction.atomic():
        locked = _locked_open(session, by)
        _require_loggable(pair)
        location = locked.location if location is None else location.strip()
        note = locked.note if note is None else note.strip()
        day, moment, length = _clean(
            pair,
            starts_on=starts_on,
            starts_at=starts_at,
            minutes=locked.minutes if minutes is None else minutes,
            location=location,
            note=note,
        )
        unchanged = (day, moment, length, location, note) == (
            locked.starts_on,
            locked.starts_at,
            locked.minutes,
            locked.location,
            locked.note,
        )
        if unchanged:
            # Nothing moved (an empty PATCH, a form saved as it was): no new SEQUENCE, no mail.
            return locked
        PlannedSession.objects.filter(pk=locked.pk).update(
            starts_on=day,
            starts_at=moment,
            minutes=length,
            location=location,
            note=note,
            sequence=F("sequence") + 1,
            updated_at=timezone.now(),
        )
        locked.refresh_from_db()
        log_action(actor=actor, action="session.move", target=locked, data=_facts(locked))
        _queue(locked, ics.REQUEST)
    return locked


def planned_session_cancel(
    *, session: PlannedSession, by: Enrollment, actor: User | None
) -> PlannedSession:
    """Cancel a planned session: both members get METHOD:CANCEL with the next SEQUENCE."""
    with transaction.atomic():
        locked = _locked_open(session, by)
        PlannedSession.objects.filter(pk=locked.pk).update(
            status=PlannedSessionStatus.CANCELLED,
            sequence=F("sequence") + 1,
            updated_at=timezone.now(),
        )
        locked.refresh_from_db()
        log_action(actor=actor, action="session.cancel", target=locked, data=_facts(locked))
        _queue(locked, ics.CANCEL)
    return locked


def upcoming(pair: Pair) -> QuerySet[PlannedSession]:
    """The pair's planned sessions from today on (cancelled ones left out)."""
    return PlannedSession.objects.filter(
        pair=pair,
        status=PlannedSessionStatus.PLANNED,
        starts_on__gte=program_today(pair.program),
    )


def send_invitation(*, session_id: int, sequence: int, method: str) -> str:
    """Mail the invitation (or its cancellation) to both members, if still the current version."""
    session = (
        PlannedSession.objects.filter(pk=session_id, pair__status__in=OPEN_PAIR_STATUSES)
        .select_related(
            "organization",
            "pair__program",
            "pair__mentor__person",
            "pair__mentee__person",
            "planned_by__person",
        )
        .first()
    )
    if session is None:
        return "gone"
    if session.sequence != sequence:
        return "superseded"  # a later change queued its own invitation
    attachment = ics.session_attachment(session, method=method)
    pair = session.pair
    cancelled = method == ics.CANCEL
    for person, partner in (
        (pair.mentor.person, pair.mentee.person),
        (pair.mentee.person, pair.mentor.person),
    ):
        if not person.email:
            continue
        if cancelled:
            subject = f"Cancelled: your {pair.program.name} session"
        elif session.sequence:
            subject = f"Moved: your {pair.program.name} session with {partner.full_name}"
        else:
            subject = f"Your next {pair.program.name} session with {partner.full_name}"
        mail.send(
            mail.Notification(
                organization=session.organization,
                to=person.email,
                subject=mail.prefixed(subject),
                text_template="feedback/sessions/email_planned_session.txt",
                context={
                    "person": person,
                    "partner": partner,
                    "program": pair.program,
                    "session": session,
                    "cancelled": cancelled,
                    "moved": bool(session.sequence) and not cancelled,
                    "zone": program_zone(pair.program),
                },
                attachments=(attachment,),
            )
        )
    return "sent"
