"""An iCalendar (RFC 5545) invitation for a pair's planned next session.

Nothing is stored: the member downloads the file (or both get it by email) and their own calendar
keeps it. Text is escaped and lines are folded at 75 octets as the RFC requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import icalendar
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.text import one_line
from matching.models import Pair
from programs.lifecycle import program_today

if TYPE_CHECKING:
    from feedback.models import PlannedSession

MAX_DAYS_AHEAD = 366
MIN_MINUTES, MAX_MINUTES = 15, 480
# Controls other than tab and line feed (line breaks are escaped, tab is allowed in TEXT).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Invitation:
    filename: str
    text: str


def _escape(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, each line break as ``\\n``, and any
    other control character (the RFC allows none but tab) as a space."""
    text = (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        # A lone CR is a line break to many calendar readers: it would start a new property.
        .replace("\r\n", "\n")
        .replace("\r", "\n")
    )
    return _CONTROL.sub(" ", text).replace("\n", "\\n")


def _param(value: str) -> str:
    """A quoted parameter value (an attendee's CN): the RFC allows no escapes in it, so control
    characters (a CR/LF would start a forged property) become spaces and double quotes go."""
    return '"' + one_line(value).replace('"', "") + '"'


def _fold(line: str) -> str:
    """Fold a content line into 75-octet pieces (continuations start with one space)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    pieces: list[str] = []
    current = b""
    limit = 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            pieces.append(current.decode())
            current = b""
            limit = 74  # the leading space counts
        current += encoded
    pieces.append(current.decode())
    return "\r\n ".join(pieces)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def session_invitation(
    *, pair: Pair, starts_at: datetime, minutes: int, location: str = "", note: str = ""
) -> Invitation:
    """The invitation for a session of ``pair`` (both people as attendees)."""
    errors: dict[str, str] = {}
    if timezone.is_naive(starts_at):
        errors["starts_at"] = "Give the time with its time zone."
    elif starts_at <= timezone.now():
        errors["starts_at"] = "Plan the next session in the future."
    elif starts_at.date() > program_today(pair.program) + timedelta(days=MAX_DAYS_AHEAD):
        errors["starts_at"] = "Plan within the next year."
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
    mentor, mentee = pair.mentor.person, pair.mentee.person
    program = pair.program
    summary = f"{program.name}: {mentor.full_name} and {mentee.full_name}"
    description = note.strip() or f"Reverse mentoring session ({program.name})."
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Flipside//Reverse mentoring//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:flipside-pair-{pair.pk}-{_utc(starts_at)}@flipside",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(starts_at)}",
        f"DTEND:{_utc(starts_at + timedelta(minutes=minutes))}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
    ]
    if location.strip():
        lines.append(f"LOCATION:{_escape(location.strip())}")
    for person in (mentor, mentee):
        lines.append(
            f"ATTENDEE;CN={_param(person.full_name)};ROLE=REQ-PARTICIPANT:"
            f"mailto:{one_line(person.email)}"
        )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    text = "\r\n".join(_fold(line) for line in lines) + "\r\n"
    return Invitation(filename=f"session-{starts_at:%Y-%m-%d}.ics", text=text)


# --- Invitations sent by email (icalendar) -----------------------------------------------------
#
# A planned session keeps one UID for its whole life and counts its versions in SEQUENCE: a
# calendar that received the REQUEST replaces it with a later REQUEST (moved) and removes it on a
# CANCEL. Deadlines (a check-in to answer, a survey to fill in) are all-day events published with
# the reminder that names them.

PRODID = "-//Flipside//Reverse mentoring//EN"
REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"


@dataclass(frozen=True)
class Attachment:
    """A ``text/calendar`` part; ``method`` goes into its Content-Type as RFC 6047 asks."""

    filename: str
    content: bytes
    method: str


def uid_domain() -> str:
    """The host of the site: UIDs are ``…@<host>`` so they cannot collide with other producers."""
    from urllib.parse import urlsplit

    from django.conf import settings

    return urlsplit(settings.SITE_URL).hostname or "flipside"


def session_uid(session: PlannedSession) -> str:
    """One UID per planned session: organisation slug + id + our domain (stable across moves)."""
    return f"session-{session.organization.slug}-{session.pk}@{uid_domain()}"


def _calendar(method: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _clean(value: str) -> str:
    """Text for a TEXT property: icalendar escapes it; control characters become spaces."""
    return _CONTROL.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))


def session_event(session: PlannedSession, *, cancelled: bool = False) -> icalendar.Event:
    """The VEVENT of a planned session (an all-day event when it has a date only)."""
    pair = session.pair
    mentor, mentee = pair.mentor.person, pair.mentee.person
    program = pair.program
    event = icalendar.Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC).replace(microsecond=0))
    if session.starts_at is None:
        event.add("dtstart", session.starts_on)
        event.add("dtend", session.starts_on + timedelta(days=1))
    else:
        starts = session.starts_at.astimezone(UTC)
        event.add("dtstart", starts)
        event.add("dtend", starts + timedelta(minutes=session.minutes))
    event.add("summary", _clean(f"{program.name}: {mentor.full_name} and {mentee.full_name}"))
    event.add(
        "description",
        _clean(session.note.strip() or f"Reverse mentoring session ({program.name})."),
    )
    if session.location.strip():
        event.add("location", _clean(session.location.strip()))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = session.planned_by.person
    event.add(
        "organizer",
        icalendar.vCalAddress(f"mailto:{one_line(organizer.email)}"),
        parameters={"cn": one_line(organizer.full_name).replace('"', "")},
    )
    for person in (mentor, mentee):
        event.add(
            "attendee",
            icalendar.vCalAddress(f"mailto:{one_line(person.email)}"),
            parameters={
                "cn": one_line(person.full_name).replace('"', ""),
                "role": "REQ-PARTICIPANT",
            },
        )
    return event


def session_attachment(session: PlannedSession, *, method: str) -> Attachment:
    """The invitation (REQUEST) or its cancellation (CANCEL) as an email attachment."""
    calendar = _calendar(method)
    calendar.add_component(session_event(session, cancelled=method == CANCEL))
    name = "cancel" if method == CANCEL else "invite"
    return Attachment(
        filename=f"{name}-{session.starts_on:%Y-%m-%d}.ics",
        content=calendar.to_ical(),
        method=method,
    )


def deadline_event(
    *, uid: str, day: date, summary: str, description: str, url: str = ""
) -> icalendar.Event:
    """An all-day event on ``day`` (a check-in or a survey to answer by then)."""
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now().astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", _clean(summary))
    event.add("description", _clean(description))
    if url:
        event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def deadline_attachment(event: icalendar.Event, *, filename: str) -> Attachment:
    calendar = _calendar(PUBLISH)
    calendar.add_component(event)
    return Attachment(
        filename=filename,
        content=calendar.to_ical(),
        method=PUBLISH,
    )


def feed(events: list[icalendar.Event], *, name: str) -> bytes:
    """A subscribable calendar (no METHOD: a feed, not a message)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _clean(name))
    for event in events:
        calendar.add_component(event)
    return bytes(calendar.to_ical())
