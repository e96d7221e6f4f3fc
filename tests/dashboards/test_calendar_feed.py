"""The private calendar feed: made and reset on the person's own page, read signed out by token,
404 once reset or turned off, stored hashed, and holding only the person's own organisation's
planned sessions, open check-ins and survey deadlines."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest.mock import patch

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback.models import CalendarFeed, CheckIn, CheckInStatus
from feedback.sessions import planned
from feedback.tasks import send_session_invitation
from programs.lifecycle import program_today
from tests.conftest import Tenant, login
from tests.feedback.builders import LivePair, live_pair

pytestmark = pytest.mark.django_db
FEED = re.compile(r'value="(http://[^"]+\.ics)"')


def _plan(live: LivePair, org: Tenant, days: int) -> int:
    with patch.object(send_session_invitation, "apply_async"), org.scope():
        return planned.planned_session_create(
            pair=live.pair,
            by=live.mentor,
            actor=live.mentor_user,
            starts_on=program_today(live.program) + timedelta(days=days),
        ).pk


def _open_check_in(live: LivePair, org: Tenant) -> int:
    with org.scope():
        return CheckIn.objects.create(
            organization=org.organization,
            pair=live.pair,
            enrollment=live.mentee,
            due_on=timezone.localdate(),
            status=CheckInStatus.SENT,
            sent_at=timezone.now(),
        ).pk


def _make_link(client: Client, org: Tenant) -> str:
    response = client.post(reverse("my_calendar_feed", args=(org.slug,)), {"action": "reset"})
    assert response.status_code == 200
    (url,) = FEED.findall(response.content.decode())
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _uids(body: bytes) -> set[str]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]) for event in calendar.walk("VEVENT")}


def test_the_feed_holds_the_person_own_dates_signed_out(org_a: Tenant, org_b: Tenant) -> None:
    live = live_pair(org_a)
    other = live_pair(org_a)  # another pair of the same organisation
    session = _plan(live, org_a, 4)
    _plan(other, org_a, 4)
    check_in = _open_check_in(live, org_a)
    path = _make_link(login(Client(), live.mentee_user), org_a)
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    uids = _uids(response.content)
    domain_free = {uid.split("@")[0] for uid in uids}
    assert domain_free == {
        f"session-{org_a.slug}-{session}",
        f"check-in-{org_a.slug}-{check_in}",
    }
    with org_a.scope():
        stored = CalendarFeed.objects.get(user=live.mentee_user)
    assert path.split("/")[-1].removesuffix(".ics") not in stored.token_hash


def test_reset_and_turn_off_end_the_old_link_unknown_is_404(org_a: Tenant) -> None:
    live = live_pair(org_a)
    client = login(Client(), live.mentee_user)
    first = _make_link(client, org_a)
    second = _make_link(client, org_a)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    page = client.get(reverse("my_calendar_feed", args=(org_a.slug,)))
    assert b"Reset link" in page.content
    assert (
        client.post(
            reverse("my_calendar_feed", args=(org_a.slug,)), {"action": "revoke"}
        ).status_code
        == 302
    )
    assert Client().get(second).status_code == 404
    assert Client().get(f"/calendar/{org_a.slug}/not-a-token.ics").status_code == 404
    assert (
        client.post(
            reverse("my_calendar_feed", args=(org_a.slug,)), {"action": "nonsense"}
        ).status_code
        == 400
    )


def test_a_feed_never_crosses_organisations(org_a: Tenant, org_b: Tenant) -> None:
    live_a = live_pair(org_a)
    live_b = live_pair(org_b)
    session_a = _plan(live_a, org_a, 3)
    session_b = _plan(live_b, org_b, 3)
    check_in_b = _open_check_in(live_b, org_b)
    path_a = _make_link(login(Client(), live_a.mentee_user), org_a)
    path_b = _make_link(login(Client(), live_b.mentee_user), org_b)
    uids_a = {uid.split("@")[0] for uid in _uids(Client().get(path_a).content)}
    assert uids_a == {f"session-{org_a.slug}-{session_a}"}
    uids_b = {uid.split("@")[0] for uid in _uids(Client().get(path_b).content)}
    assert uids_b == {f"session-{org_b.slug}-{session_b}", f"check-in-{org_b.slug}-{check_in_b}"}
    # Org A's token under org B's slug (and the reverse) opens nothing.
    token_a = path_a.rsplit("/", 1)[1]
    token_b = path_b.rsplit("/", 1)[1]
    assert Client().get(f"/calendar/{org_b.slug}/{token_a}").status_code == 404
    assert Client().get(f"/calendar/{org_a.slug}/{token_b}").status_code == 404
