"""The ICS invitation for a planned session: valid RFC 5545 text, escaped, folded, validated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from feedback.ics import session_invitation
from participants.models import Person
from tests.conftest import Tenant
from tests.feedback.builders import live_pair


def test_invitation_has_both_people_and_utc_times(org_a: Tenant) -> None:
    live = live_pair(org_a)
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    with org_a.scope():
        Person.objects.filter(pk=live.mentor.person_id).update(full_name="Ana; Díaz, Jr")
        live.pair.mentor.person.refresh_from_db()
        invitation = session_invitation(
            pair=live.pair, starts_at=starts, minutes=45, location="Room 4, HQ", note="x" * 200
        )
    text = invitation.text
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert text.endswith("END:VCALENDAR\r\n")
    assert f"DTSTART:{starts.astimezone(UTC):%Y%m%dT%H%M%SZ}" in lines
    end = starts + timedelta(minutes=45)
    assert f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}" in lines
    assert "LOCATION:Room 4\\, HQ" in lines
    assert "Ana\\; Díaz\\, Jr" in text.replace("\r\n ", "")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert text.count("ATTENDEE;") == 2
    assert invitation.filename.endswith(".ics")


@pytest.mark.parametrize(
    ("starts", "minutes", "field"),
    [
        (timezone.now() - timedelta(hours=1), 60, "starts_at"),
        (datetime(2030, 1, 1, 9, 0), 60, "starts_at"),
        (timezone.now() + timedelta(days=800), 60, "starts_at"),
        (timezone.now() + timedelta(days=1), 5, "minutes"),
        (timezone.now() + timedelta(days=1), 481, "minutes"),
    ],
)
def test_invitation_input_is_validated(
    org_a: Tenant, starts: datetime, minutes: int, field: str
) -> None:
    live = live_pair(org_a)
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        session_invitation(pair=live.pair, starts_at=starts, minutes=minutes)
    assert field in caught.value.message_dict


def test_a_lone_carriage_return_cannot_start_a_new_property(org_a: Tenant) -> None:
    live = live_pair(org_a)
    starts = timezone.now() + timedelta(days=3)
    with org_a.scope():
        invitation = session_invitation(
            pair=live.pair,
            starts_at=starts,
            minutes=30,
            location="Room 4\rATTENDEE:mailto:intruder@example.com",
            note="Agenda\rURL:https://example.com",
        )
    lines = invitation.text.split("\r\n")
    assert not any(line.startswith(("ATTENDEE:mailto:intruder", "URL:")) for line in lines)
    assert "\r" not in invitation.text.replace("\r\n", "")
    assert "LOCATION:Room 4\\nATTENDEE:mailto:intruder@example.com" in lines
