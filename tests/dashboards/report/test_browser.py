"""The report page in a real browser under the real CSP: the server-drawn SVGs show, nothing is
refused (no script, no inline style in the SVGs), nothing fails to load, and the print stylesheet
hides the page's two links."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Tenant
from tests.dashboards.program.builders import live_program
from tests.e2e.test_program_journey import Problems, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_report_shows_its_svg_charts_under_the_csp_and_prints_without_links(
    live_server: Any, page: Page, org_a: Tenant
) -> None:
    world = live_program(org_a, pairs=6)
    problems = Problems()
    problems.watch(page, "coordinator")
    sign_in(page, live_server.url, org_a.coordinator.user)
    page.goto(f"{live_server.url}/o/{org_a.slug}/programs/{world.program.pk}/report/")

    expect(page.get_by_role("heading", level=1)).to_have_text(world.program.name)
    charts = page.locator(".chart-svg svg")
    assert charts.count() >= 4
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 50
    links = page.get_by_role("navigation", name="Report")
    expect(links).to_be_visible()
    page.emulate_media(media="print")
    expect(links).to_be_hidden()
    assert problems.seen == []
