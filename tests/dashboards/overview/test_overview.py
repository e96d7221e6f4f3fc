"""The organisation overview against hand-counted programs (``tests.dashboards.program.builders``):
figures side by side, the pulse under the privacy floor, admins only, constant queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from surveys.privacy import TOO_FEW
from tests.conftest import Tenant
from tests.dashboards.program.builders import live_program

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


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_programs_or_people(org_a: Tenant, client_for: Any) -> None:
    client = client_for(org_a.admin.user)
    live_program(org_a, pairs=1)
    few = {url: _queries(client, url) for url in (_page(org_a), _api(org_a))}
    live_program(org_a, pairs=8)
    live_program(org_a, pairs=4)
    assert {url: _queries(client, url) for url in (_page(org_a), _api(org_a))} == few
