"""The dashboard's charts are drawn in a real browser under the real CSP (no 'unsafe-eval', no
inline script but the hash-pinned import map): an SVG in every chart, no console error, no CSP
violation, no failed load."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Tenant
from tests.dashboards.program.builders import live_program
from tests.e2e.test_program_journey import Problems, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(tempfile.gettempdir()) / "flipside-e2e-program-dashboard-{width}.png"


def test_dashboard_charts_render_svg_under_the_csp(
    live_server: Any, page: Page, org_a: Tenant
) -> None:
    world = live_program(org_a, pairs=6)
    problems = Problems()
    problems.watch(page, "coordinator")
    sign_in(page, live_server.url, org_a.coordinator.user)
    page.goto(f"{live_server.url}/o/{org_a.slug}/programs/{world.program.pk}/dashboard/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Dashboard")
    figures = page.locator("figure.chart[data-chart-spec]")
    count = figures.count()
    assert count >= 5
    expect(page.locator("figure.chart.chart-drawn")).to_have_count(count)
    for index in range(count):
        figure = figures.nth(index)
        expect(figure.locator(".chart-canvas svg")).to_be_visible()
        assert (
            figure.locator(
                ".chart-canvas svg .mark-rect, .chart-canvas svg .mark-line, "
                ".chart-canvas svg .mark-symbol"
            ).count()
            > 0
        )
    expect(page.locator("figure.chart.chart-failed")).to_have_count(0)
    # The table stays beside each drawing.
    expect(page.locator("#chart-funnel table th[scope=row]").first).to_have_text("Invited")
    assert problems.seen == []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOT).format(width=width), full_page=True)
