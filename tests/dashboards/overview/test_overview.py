"""The organisation overview against hand-counted programs (``tests.dashboards.program.builders``):
figures side by side, the pulse under the privacy floor, admins only, constant queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from surveys.privacy import TOO_FEW
from tests.conftest import Tenant
from tests.dashboards.program.builders import live_program
from tests.dashboards.report.builders import report_program

pytestmark = pytest.mark.django_db


def _api(tenant: Tenant) -> str:
    return f"/api/v1/o/{tenant.slug}/dashboard/"


def _page(tenant: Tenant) -> str:
    return f"/o/{tenant.slug}/dashboard/"


def test_programs_side_by_side_match_the_hand_count(org_a: Tenant, client_for: Any) -> None:
    small = live_program(org_a, pairs=3)
    large = live_program(org_a, pairs=6)
    body = _api_body(client_for(org_a.admin.user), org_a)
    by_id = {row["id"]: row for row in body["programs"]}
    row = by_id[small.program.pk]
    assert row["accepted"] == 8
    assert (row["pairs"], row["active_pairs"], row["at_risk_pairs"]) == (3, 3, 1)
    assert row["recent_sessions"] == 2  # 3 and 20 days ago
    # Three people answered check-ins: under k = 5, no mean.
    assert row["pulse"] is None
    assert row["pulse_hidden"] is True
    row = by_id[large.program.pk]
    assert row["accepted"] == 14
    assert (row["pairs"], row["active_pairs"], row["at_risk_pairs"]) == (6, 6, 2)
    assert row["recent_sessions"] == 4
    assert row["pulse"] == 4.0
    # Each builder adds a later program where its first mentor enrols again: four programs.
    assert len(body["programs"]) == 4
    pairs = body["charts"]["pairs"]
    assert pairs["columns"] == ["Program", "Active", "At risk", "Completed", "Ended early"]
    assert [small.program.name, 2, 1, 0, 0] in pairs["rows"]
    assert [large.program.name, 4, 2, 0, 0] in pairs["rows"]
    # Nothing finished, no survey, no action: the trends chart says so instead of drawing nothing.
    assert body["charts"]["trends"]["empty"] is True


def _api_body(client: Client, tenant: Tenant) -> Any:
    response = client.get(_api(tenant))
    assert response.status_code == 200
    return response.json()


def test_the_page_shows_the_floor_and_links_each_dashboard(org_a: Tenant, client_for: Any) -> None:
    world = live_program(org_a, pairs=3)
    html = client_for(org_a.admin.user).get(_page(org_a)).content.decode()
    assert TOO_FEW.capitalize() in html
    assert f"/o/{org_a.slug}/programs/{world.program.pk}/dashboard/" in html
    assert 'data-chart-spec="chart-spec-program-pairs"' in html


def test_only_admins_see_it(org_a: Tenant, client_for: Any) -> None:
    live_program(org_a, pairs=1)
    for user, status in (
        (org_a.admin.user, 200),
        (org_a.coordinator.user, 403),
        (org_a.member.user, 403),
    ):
        client = client_for(user)
        assert client.get(_page(org_a)).status_code == status
        assert client.get(_api(org_a)).status_code == status


def _queries(client: Client, url: str, *, cold: bool) -> int:
    if cold:
        cache.clear()  # figures computed afresh, as after a change to the organisation's data
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_people_and_are_few_while_nothing_changes(
    org_a: Tenant, client_for: Any
) -> None:
    client = client_for(org_a.admin.user)
    urls = (_page(org_a), _api(org_a))
    live_program(org_a, pairs=1)  # and a later program: 2 programs
    cold_two = {url: _queries(client, url, cold=True) for url in urls}
    warm = {url: _queries(client, url, cold=False) for url in urls}
    live_program(org_a, pairs=8)
    cold_four = {url: _queries(client, url, cold=True) for url in urls}
    live_program(org_a, pairs=4)
    cold_six = {url: _queries(client, url, cold=True) for url in urls}
    for url in urls:
        # Computed: a fixed number, plus each program's survey outcomes (the same few queries per
        # program whatever its size: its outcome headline).
        per_program = (cold_four[url] - cold_two[url]) / 2
        assert cold_six[url] - cold_four[url] == cold_four[url] - cold_two[url]
        assert per_program <= 10
        # Served from the cache while nothing changed: the session, the person and the policy.
        assert warm[url] <= 7
        assert _queries(client, url, cold=False) == warm[url]


def test_each_program_has_an_outcome_headline(org_a: Tenant, client_for: Any) -> None:
    world = live_program(org_a, pairs=3)
    body = _api_body(client_for(org_a.admin.user), org_a)
    row = next(r for r in body["programs"] if r["id"] == world.program.pk)
    # The builder's program has no survey: an objective with nothing measured yet, or none.
    assert row["outcome"]["headline"] in ("No objectives set", "No measured change yet")
    assert row["outcome"]["measured"] == 0
    html = client_for(org_a.admin.user).get(_page(org_a)).content.decode()
    assert row["outcome"]["headline"] in html


def test_the_headline_counts_measured_objectives_and_those_at_target(
    org_a: Tenant, client_for: Any
) -> None:
    # Two objectives: the mentees' one measured (progress 85.7 % of the way to its target), the
    # mentors' one over three pairs of answers only, under the floor (tests.dashboards.report).
    world = report_program(org_a)
    body = _api_body(client_for(org_a.admin.user), org_a)
    row = next(r for r in body["programs"] if r["id"] == world.program.pk)
    assert row["outcome"] == {
        "headline": "0 of 1 measured objectives at target",
        "objectives": 2,
        "measured": 1,
        "at_target": 0,
        "best_progress_percent": pytest.approx(85.7, abs=0.1),
    }
