"""The report page in a real browser under the real CSP: the server-drawn SVGs show, nothing is
refused (no script, no inline style in the SVGs), nothing fails to load, and the print stylesheet
hides the page's two links."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, expect

from tests.conftest import Tenant
from tests.dashboards.program.builders import live_program
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_report_shows_its_svg_charts_under_the_csp_and_prints_without_links(
    live_server: Any, page: Page, org_a: Tenant
) -> None:
    world = live_program(org_a, pairs=6)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on("response", on_response)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(org_a.coordinator.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
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
    assert problems == []
