"""Planned sessions on the pair page and in the API (``pairs/<id>/planned-sessions/``): the two
people plan, move and cancel; staff see when, not where; the past, an end before the start and a
time without its zone are handled the same way on both sides (one set of use cases)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client

from feedback.models import PlannedSession, PlannedSessionStatus
from organizations.models import AuditEntry
from programs.lifecycle import program_today, program_zone
from tests.conftest import Tenant, login
from tests.feedback.builders import LivePair, live_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(org_a: Tenant, org_b: Tenant) -> LivePair:
    live_pair(org_b)
    return live_pair(org_a)


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json")


def _api(org: Tenant, live: LivePair) -> str:
    return f"/api/v1/o/{org.slug}/pairs/{live.pair.pk}/planned-sessions/"


def _at(live: LivePair, days: int, hour: int) -> datetime:
    day = program_today(live.program) + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=program_zone(live.program))


def test_a_member_plans_moves_and_cancels_through_the_api(org_a: Tenant, live: LivePair) -> None:
    url = _api(org_a, live)
    mentee = login(Client(), live.mentee_user)
    starts, ends = _at(live, 3, 10), _at(live, 3, 11)
    created = _send(
        mentee,
        "POST",
        url,
        {
            "starts_at": starts.isoformat(),
            "ends_at": (ends + timedelta(minutes=30)).isoformat(),
            "location": "Room 4",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["minutes"] == 90
    assert body["time_zone"] == str(program_zone(live.program))
    assert datetime.fromisoformat(body["starts_at"]) == starts
    assert body["location"] == "Room 4"
    assert body["status"] == "planned"
    detail = f"{url}{body['id']}/"
    # The partner moves it to a day without a time.
    mentor = login(Client(), live.mentor_user)
    later = program_today(live.program) + timedelta(days=6)
    moved = _send(mentor, "PATCH", detail, {"starts_on": later.isoformat()})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["starts_on"], moved.json()["starts_at"]) == (later.isoformat(), None)
    assert moved.json()["sequence"] == 1
    # A PATCH that changes nothing moves nothing: no new SEQUENCE, no audit entry (below).
    same = _send(mentor, "PATCH", detail, {})
    assert same.status_code == 200, same.content
    assert same.json()["sequence"] == 1
    assert [row["id"] for row in mentee.get(url).json()["results"]] == [body["id"]]
    assert _send(mentee, "DELETE", detail).status_code == 204
    assert mentee.get(detail).json()["status"] == "cancelled"
    assert mentee.get(url).json()["results"] == []
    again = _send(mentee, "DELETE", detail)
    assert again.status_code == 400
    with org_a.scope():
        actions = list(
            AuditEntry.objects.filter(action__startswith="session.")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == ["session.plan", "session.move", "session.cancel"]


def test_the_api_refuses_the_past_an_end_before_the_start_and_reads_naive_times_in_the_program_zone(
    org_a: Tenant, live: LivePair
) -> None:
    url = _api(org_a, live)
    mentee = login(Client(), live.mentee_user)
    past = _send(mentee, "POST", url, {"starts_at": _at(live, -1, 10).isoformat()})
    assert past.status_code == 400
    assert "future" in past.json()["fields"]["starts_at"][0]
    backwards = _send(
        mentee,
        "POST",
        url,
        {"starts_at": _at(live, 2, 10).isoformat(), "ends_at": _at(live, 2, 9).isoformat()},
    )
    assert backwards.status_code == 400
    assert backwards.json()["fields"]["ends_at"] == ["The session ends before it starts."]
    nothing = _send(mentee, "POST", url, {})
    assert nothing.status_code == 400
    assert "starts_on" in nothing.json()["fields"]
    garbage = _send(mentee, "POST", url, {"starts_at": "tomorrow-ish", "minutes": "many"})
    assert garbage.status_code == 400
    assert {"starts_at", "minutes"} <= set(garbage.json()["fields"])
    naive = _at(live, 4, 15).replace(tzinfo=None).isoformat()
    created = _send(mentee, "POST", url, {"starts_at": naive, "minutes": 30})
    assert created.status_code == 201, created.content
    with org_a.scope():
        stored = PlannedSession.objects.get(pk=created.json()["id"])
    assert stored.starts_at == _at(live, 4, 15)
    assert stored.minutes == 30


def test_staff_see_when_but_not_where_and_cannot_plan(org_a: Tenant, live: LivePair) -> None:
    url = _api(org_a, live)
    mentee = login(Client(), live.mentee_user)
    created = _send(
        mentee, "POST", url, {"starts_at": _at(live, 3, 10).isoformat(), "note": "Bring the deck"}
    )
    assert created.status_code == 201
    admin = login(Client(), org_a.admin.user)
    (row,) = admin.get(url).json()["results"]
    assert "note" not in row
    assert "location" not in row
    assert row["minutes"] == 60
    refused = _send(admin, "POST", url, {"starts_at": _at(live, 5, 10).isoformat()})
    assert refused.status_code == 403
    assert _send(admin, "DELETE", f"{url}{row['id']}/").status_code == 403
    page = admin.get(f"/o/{org_a.slug}/pairs/{live.pair.pk}/").content.decode()
    assert "Planned sessions" in page
    assert "Bring the deck" not in page
    assert "Plan a session" not in page


def test_the_pair_page_plans_moves_and_cancels(org_a: Tenant, live: LivePair) -> None:
    client = login(Client(), live.mentor_user)
    base = f"/o/{org_a.slug}/pairs/{live.pair.pk}/"
    page = client.get(base).content.decode()
    assert 'id="planned-heading"' in page
    assert "Nothing planned yet" in page
    zone = str(program_zone(live.program))
    day = program_today(live.program) + timedelta(days=2)
    past = client.post(
        f"{base}planned/", {"plan-date": (day - timedelta(days=5)).isoformat(), "plan-start": ""}
    )
    assert past.status_code == 400
    assert "Plan the next session in the future." in past.content.decode()
    backwards = client.post(
        f"{base}planned/",
        {"plan-date": day.isoformat(), "plan-start": "10:00", "plan-end": "09:30"},
    )
    assert backwards.status_code == 400
    assert "The session ends before it starts." in backwards.content.decode()
    done = client.post(
        f"{base}planned/",
        {
            "plan-date": day.isoformat(),
            "plan-start": "10:00",
            "plan-end": "10:45",
            "plan-location": "Café",
        },
    )
    assert done.status_code == 302
    with org_a.scope():
        session = PlannedSession.objects.get(pair=live.pair)
    assert session.minutes == 45
    page = client.get(base).content.decode()
    assert "Café" in page
    assert f"Times in {zone}" in page or "Times in" in page
    move_url = f"{base}planned/{session.pk}/move/"
    form = client.get(move_url)
    assert form.status_code == 200
    assert 'value="10:00"' in form.content.decode()
    moved = client.post(
        move_url,
        {"plan-date": (day + timedelta(days=1)).isoformat(), "plan-start": "", "plan-end": ""},
    )
    assert moved.status_code == 302
    with org_a.scope():
        session.refresh_from_db()
    assert (session.starts_on, session.starts_at, session.sequence) == (
        day + timedelta(days=1),
        None,
        1,
    )
    cancelled = client.post(f"{base}planned/{session.pk}/cancel/", HTTP_HX_REQUEST="true")
    assert cancelled.status_code == 200
    assert "Session cancelled" in cancelled.content.decode()
    with org_a.scope():
        session.refresh_from_db()
    assert session.status == PlannedSessionStatus.CANCELLED
    # Staff cannot reach the forms.
    admin = login(Client(), org_a.admin.user)
    assert admin.get(move_url).status_code == 403
    assert admin.post(f"{base}planned/", {"plan-date": day.isoformat()}).status_code == 403
