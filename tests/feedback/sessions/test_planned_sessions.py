"""Planned sessions: both members get a calendar invitation (one UID, SEQUENCE per move, CANCEL on
cancellation), read back here with icalendar; date-only sessions are all-day events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest.mock import patch

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.access import Forbidden
from feedback.models import PlannedSession, PlannedSessionStatus
from feedback.sessions import planned
from feedback.tasks import send_session_invitation
from programs.lifecycle import program_today
from tests.conftest import Tenant
from tests.feedback.builders import LivePair, live_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(org_a: Tenant, org_b: Tenant) -> LivePair:
    live_pair(org_b)
    return live_pair(org_a)


def _calendars(message: Any) -> list[icalendar.Calendar]:
    """The text/calendar parts of a sent message, parsed."""
    found = []
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            found.append(icalendar.Calendar.from_ical(part.get_payload(decode=True)))
    return found


def _run(org: Tenant, change: Any) -> Any:
    """Make a change, then send what it queued (as the worker would), inside the scope."""
    with patch.object(send_session_invitation, "apply_async") as queued, org.scope():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            result = change()
        for call in queued.call_args_list:
            kwargs = dict(call.kwargs["kwargs"])
            kwargs.pop("organization_id")
            assert planned.send_invitation(**kwargs) == "sent"
    return result


def _event(message: Any) -> tuple[icalendar.Calendar, icalendar.Event]:
    (calendar,) = _calendars(message)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_planning_sends_both_members_a_request_they_can_read_back(
    live: LivePair, org_a: Tenant
) -> None:
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0, second=0)
    session = _run(
        org_a,
        lambda: planned.planned_session_create(
            pair=live.pair,
            by=live.mentor,
            actor=live.mentor_user,
            starts_at=starts,
            minutes=45,
            location="Room 4, HQ",
        ),
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [live.mentor.person.email, live.mentee.person.email]
    )
    uid = f"session-{org_a.slug}-{session.pk}@"
    for message in mail.outbox:
        calendar, event = _event(message)
        assert calendar["METHOD"] == "REQUEST"
        assert str(event["UID"]).startswith(uid)
        assert event["SEQUENCE"] == 0
        assert event.decoded("DTSTART") == starts.astimezone(UTC)
        assert event.decoded("DTEND") == starts.astimezone(UTC) + timedelta(minutes=45)
        assert str(event["LOCATION"]) == "Room 4, HQ"
        assert len(event.get("ATTENDEE")) == 2
        part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
        assert part.get_param("method") == "REQUEST"


def test_moving_keeps_the_uid_and_raises_the_sequence_cancel_sends_cancel(
    live: LivePair, org_a: Tenant
) -> None:
    day = program_today(live.program) + timedelta(days=5)
    session = _run(
        org_a,
        lambda: planned.planned_session_create(
            pair=live.pair, by=live.mentee, actor=live.mentee_user, starts_on=day
        ),
    )
    first_uid = str(_event(mail.outbox[0])[1]["UID"])
    mail.outbox.clear()
    later = day + timedelta(days=2)
    moved = _run(
        org_a,
        lambda: planned.planned_session_move(
            session=session, by=live.mentor, actor=live.mentor_user, starts_on=later
        ),
    )
    assert moved.sequence == 1
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        calendar, event = _event(message)
        assert calendar["METHOD"] == "REQUEST"
        assert str(event["UID"]) == first_uid
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART") == later  # an all-day event: a DATE value
        assert event["DTSTART"].params.get("VALUE") == "DATE"
        assert "Moved" in message.subject
    mail.outbox.clear()
    cancelled = _run(
        org_a,
        lambda: planned.planned_session_cancel(
            session=session, by=live.mentee, actor=live.mentee_user
        ),
    )
    assert cancelled.status == PlannedSessionStatus.CANCELLED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [live.mentor.person.email, live.mentee.person.email]
    )
    for message in mail.outbox:
        calendar, event = _event(message)
        assert calendar["METHOD"] == "CANCEL"
        assert str(event["UID"]) == first_uid
        assert event["SEQUENCE"] == 2
        assert event["STATUS"] == "CANCELLED"
    with org_a.scope(), pytest.raises(ValidationError):
        planned.planned_session_move(
            session=session, by=live.mentor, actor=live.mentor_user, starts_on=later
        )


def test_a_superseded_invitation_is_not_sent(live: LivePair, org_a: Tenant) -> None:
    day = program_today(live.program) + timedelta(days=5)
    with (
        patch.object(send_session_invitation, "apply_async"),
        org_a.scope(),
    ):
        session = planned.planned_session_create(
            pair=live.pair, by=live.mentee, actor=live.mentee_user, starts_on=day
        )
        PlannedSession.objects.filter(pk=session.pk).update(sequence=3)
        assert planned.send_invitation(session_id=session.pk, sequence=0, method="REQUEST") == (
            "superseded"
        )
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"starts_on": date(2000, 1, 1)}, "starts_on"),
        ({}, "starts_on"),
        ({"starts_at": datetime(2030, 1, 1, 9, 0)}, "starts_at"),
        ({"starts_at": timezone.now() - timedelta(hours=1)}, "starts_at"),
        ({"starts_at": timezone.now() + timedelta(days=800)}, "starts_at"),
        ({"starts_at": timezone.now() + timedelta(days=2), "minutes": 5}, "minutes"),
        ({"starts_on": date.today() + timedelta(days=2), "location": "x" * 301}, "location"),
    ],
)
def test_planning_input_is_validated(
    live: LivePair, org_a: Tenant, arguments: dict[str, Any], field: str
) -> None:
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        planned.planned_session_create(
            pair=live.pair, by=live.mentor, actor=live.mentor_user, **arguments
        )
    assert field in caught.value.message_dict


def test_only_the_pair_plans_its_sessions(live: LivePair, org_a: Tenant) -> None:
    other = live_pair(org_a)
    with org_a.scope(), pytest.raises(Forbidden):
        planned.planned_session_create(
            pair=live.pair,
            by=other.mentor,
            actor=other.mentor_user,
            starts_on=date.today() + timedelta(days=2),
        )
