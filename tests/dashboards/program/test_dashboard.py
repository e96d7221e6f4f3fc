"""The program dashboard against hand-counted fixtures (``builders.live_program``): every section,
the filters and their privacy floor, bad input, who may see it, and a constant number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from surveys.privacy import TOO_FEW
from tests.conftest import Tenant
from tests.dashboards.program.builders import World, live_program
from tests.participants.test_enrollment_builders import make_program

pytestmark = pytest.mark.django_db


def _api(client: Client, tenant: Tenant, world: World, **params: Any) -> Any:
    url = f"/api/v1/o/{tenant.slug}/programs/{world.program.pk}/dashboard/"
    return client.get(url, params)


def _page_url(tenant: Tenant, world: World) -> str:
    return f"/o/{tenant.slug}/programs/{world.program.pk}/dashboard/"


def _rows(body: dict[str, Any], key: str) -> list[list[Any]]:
    return body["charts"][key]["rows"]


def test_sections_match_the_hand_count(org_a: Tenant, client_for: Any) -> None:
    world = live_program(org_a, pairs=3)
    response = _api(client_for(org_a.coordinator.user), org_a, world)
    assert response.status_code == 200
    body = response.json()
    assert body["shown"] is True
    assert body["k"] == 5
    assert _rows(body, "funnel") == [
        ["Invited", 11, "100 %"],
        ["Registered", 9, "81.8 %"],
        ["Charter accepted", 8, "72.7 %"],
        ["Trained", 7, "63.6 %"],
        ["Matched", 6, "54.5 %"],
    ]
    assert body["figures"]["accepted"] == 8
    assert body["figures"]["matched"] == 6
    assert body["figures"]["match_rate"] == 75.0
    assert body["figures"]["mean_match_score"] == 0.8
    assert body["figures"]["waitlisted"] == 1
    # The latest snapshot decides: pair 0 was at risk yesterday, pair 2 is today.
    assert _rows(body, "pairs") == [["Active", 2], ["At risk", 1], ["Paused", 0], ["Ended", 0]]
    assert _rows(body, "gaps") == [
        ["0 to 14 days", 1],
        ["15 to 30 days", 1],
        ["31 to 60 days", 0],
        ["Over 60 days", 0],
        ["Never met", 1],
    ]
    today = date.today()
    months: dict[date, list[int]] = {}  # month -> [sessions, minutes]
    for held_on, minutes in ((today - timedelta(days=3), 60), (today - timedelta(days=20), 30)):
        counts = months.setdefault(held_on.replace(day=1), [0, 0])
        counts[0] += 1
        counts[1] += minutes
    assert _rows(body, "sessions") == [
        [month.strftime("%b %Y"), n, round(minutes / 60, 1)]
        for month, (n, minutes) in sorted(months.items())
    ]
    # Three people answered check-ins: under the floor, the month's mean is not shown.
    assert [row[1] for row in _rows(body, "pulse")] == [None]
    assert body["charts"]["pulse"]["empty"] is True
    assert body["at_risk"] == [
        {
            "pair": world.pairs[2].pk,
            "mentor": world.mentors[2].person.full_name,
            "mentee": world.mentees[2].person.full_name,
            "score": 30,
            "reasons": ["No session yet"],
        }
    ]
    assert body["figures"]["mentors"] == 4
    assert body["figures"]["mentors_completed"] == 0
    assert body["figures"]["mentors_again"] == 1
    assert _rows(body, "retention") == [
        ["Accepted mentors", 4],
        ["Completed their pairing", 0],
        ["Enrolled again later", 1],
    ]
    assert body["charts"]["retention"]["summary"] == (
        "Of 4 accepted mentors, 0 completed their pairing and 1 enrolled again in a later program."
    )
    assert (
        body["charts"]["funnel"]["summary"]
        == "Of 11 people at “Invited”, 6 (54.5 %) reached “Matched”."
    )
    # Every chart is one self-contained spec: data inline.
    for chart in body["charts"].values():
        if chart["spec"] is not None:
            assert "url" not in chart["spec"]["data"]


def test_pulse_is_shown_once_enough_people_answered(org_a: Tenant, client_for: Any) -> None:
    world = live_program(org_a, pairs=6)
    body = _api(client_for(org_a.admin.user), org_a, world).json()
    assert [row[1] for row in _rows(body, "pulse")] == [4.0]
    assert body["charts"]["pulse"]["summary"] == f"Mean rating: 4 in {_rows(body, 'pulse')[0][0]}."


def test_a_filter_on_a_small_group_shows_no_data(org_a: Tenant, client_for: Any) -> None:
    world = live_program(org_a, pairs=3)
    client = client_for(org_a.coordinator.user)
    # IT: one mentor, under k = 5.
    body = _api(client, org_a, world, department="IT").json()
    assert body["shown"] is False
    assert body["charts"] == {}
    assert body["at_risk"] == []
    assert "fewer than 5" in body["hidden_reason"]
    # Sales: 10 of 11 people — enough on its own, but everyone minus Sales is the one IT mentor.
    body = _api(client, org_a, world, department="Sales").json()
    assert body["shown"] is False
    assert body["charts"] == {}
    assert "differs from a wider result" in body["hidden_reason"]
    page = client.get(_page_url(org_a, world), {"department": "IT"})
    assert page.status_code == 200
    assert TOO_FEW.capitalize() in page.content.decode()
    assert "chart-spec-" not in page.content.decode()


def test_a_filter_on_a_large_enough_group_narrows_every_count(
    org_a: Tenant, client_for: Any
) -> None:
    world = live_program(org_a, pairs=9)  # 10 mentors and 13 mentees
    body = _api(client_for(org_a.admin.user), org_a, world, role="mentor").json()
    assert body["shown"] is True
    assert _rows(body, "funnel")[0] == ["Invited", 10, "100 %"]
    assert body["figures"]["accepted"] == 10
    assert "response_rates" not in body["charts"]  # survey outcomes are the whole program's
    # A period with no sessions.
    body = _api(
        client_for(org_a.admin.user), org_a, world, start="2020-01-01", end="2020-02-01"
    ).json()
    assert body["charts"]["sessions"]["empty"] is True


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"department": "Nowhere"}, "department"),
        ({"level": "99"}, "level"),
        ({"level": "high"}, "level"),
        ({"role": "boss"}, "role"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "end"),
        ({"start": "yesterday"}, "start"),
    ],
)
def test_bad_filters_are_400_with_field_messages_and_no_data(
    org_a: Tenant, client_for: Any, params: dict[str, str], field: str
) -> None:
    world = live_program(org_a, pairs=1)
    client = client_for(org_a.coordinator.user)
    response = _api(client, org_a, world, **params)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert "charts" not in response.json()
    page = client.get(_page_url(org_a, world), params)
    assert page.status_code == 400
    html = page.content.decode()
    assert "errorlist" in html
    assert "chart-spec-" not in html


def test_only_the_programs_staff_see_it(org_a: Tenant, client_for: Any) -> None:
    world = live_program(org_a, pairs=1)
    other = make_program(org_a)  # no coordinator assigned
    for user, status in (
        (org_a.admin.user, 200),
        (org_a.coordinator.user, 200),
        (org_a.member.user, 404),
    ):
        client = client_for(user)
        assert client.get(_page_url(org_a, world)).status_code == status
        assert _api(client, org_a, world).status_code == status
    coordinator = client_for(org_a.coordinator.user)
    assert coordinator.get(f"/o/{org_a.slug}/programs/{other.pk}/dashboard/").status_code == 404
    assert (
        coordinator.get(f"/api/v1/o/{org_a.slug}/programs/{other.pk}/dashboard/").status_code == 404
    )


def test_the_page_draws_each_chart_and_links_at_risk_pairs(org_a: Tenant, client_for: Any) -> None:
    world = live_program(org_a, pairs=3)
    html = client_for(org_a.coordinator.user).get(_page_url(org_a, world)).content.decode()
    for key in ("funnel", "pairs", "sessions", "gaps", "retention"):
        assert f'data-chart-spec="chart-spec-{key}"' in html
    assert f"/o/{org_a.slug}/pairs/{world.pairs[2].pk}/" in html
    assert '<script type="importmap">' in html
    assert 'type="module"' in html
    program_page = client_for(org_a.coordinator.user).get(
        f"/o/{org_a.slug}/programs/{world.program.pk}/"
    )
    assert _page_url(org_a, world) in program_page.content.decode()


def _queries(client: Client, url: str, *, cold: bool = True) -> int:
    if cold:
        cache.clear()  # computed afresh, as after a change to the organisation's data
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_the_program(org_a: Tenant, client_for: Any) -> None:
    small = live_program(org_a, pairs=2)
    large = live_program(org_a, pairs=12)
    client = client_for(org_a.admin.user)
    for url in (_page_url, lambda t, w: f"/api/v1/o/{t.slug}/programs/{w.program.pk}/dashboard/"):
        assert _queries(client, url(org_a, small)) == _queries(client, url(org_a, large))
        # While nothing changes the figures come from the cache: the session, the person, the
        # policy and the program, nothing that scans the program's data.
        _queries(client, url(org_a, large))
        assert _queries(client, url(org_a, large), cold=False) <= 7


def test_a_new_program_shows_empty_states_not_broken_charts(org_a: Tenant, client_for: Any) -> None:
    program = make_program(org_a)
    client = client_for(org_a.admin.user)
    body = client.get(f"/api/v1/o/{org_a.slug}/programs/{program.pk}/dashboard/").json()
    assert body["shown"] is True
    assert all(chart["empty"] and chart["spec"] is None for chart in body["charts"].values())
    html = client.get(f"/o/{org_a.slug}/programs/{program.pk}/dashboard/").content.decode()
    assert "No one is enrolled yet." in html
    assert "No pairs yet." in html
    assert "chart-spec-" not in html
