"""Issue 11's coordinator journey in a real browser, with a real Celery worker:

1. the coordinator signs in and lands on a home that says what needs doing (the pairs at risk);
2. opens the program's dashboard: every chart is drawn (SVG, under the CSP) beside its table;
3. filters it to one department, then follows an at-risk pair to its page;
4. exports the sessions as CSV: the worker writes it, the page shows it done, the file downloads
   with one row per session and no session text;
5. opens the impact report and downloads its PDF;
6. the same home and dashboard on a 390 px phone screen: nothing scrolls sideways.

Screenshots at 1280 px and 390 px go where the other journeys put theirs. No console, CSP or
HTTP errors on the way.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dashboards.models import ExportJob, ExportStatus
from feedback.models import SessionLog
from tests.conftest import CeleryWorker, Tenant
from tests.dashboards.program.builders import live_program
from tests.e2e.test_program_journey import Problems, shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAIRS = 12  # every third pair is at risk today: four of them


def home_says_what_needs_doing(page: Page) -> None:
    attention = page.get_by_role("region", name="Needs your attention")
    expect(attention).to_contain_text(re.compile(r"4 pairs (are )?at risk", re.IGNORECASE))
    programs = page.get_by_role("region", name="Your programs")
    expect(programs.get_by_role("table")).to_be_visible()
    shot(page, "dashboards-1-coordinator-home")


def dashboard_draws_every_chart(page: Page, base: str, program_pk: int) -> None:
    page.goto(f"{base}/o/acme/programs/{program_pk}/")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dashboard")
    figures = page.locator("figure.chart")
    expect(figures.first).to_be_visible()
    drawn = page.locator("figure.chart.chart-drawn svg")
    expect(drawn.first).to_be_visible()
    # Every figure with data is drawn, none failed; each keeps its table (the accessible form).
    expect(page.locator("figure.chart.chart-failed")).to_have_count(0)
    assert page.locator("figure.chart table").count() >= 4
    shot(page, "dashboards-2-program-dashboard")


def filters_then_follows_an_at_risk_pair(page: Page) -> None:
    page.get_by_label("Department").select_option("Sales")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"department=Sales"))
    expect(page.locator("main")).to_contain_text("Showing")
    at_risk = page.get_by_role("table", name="Pairs at risk")
    expect(at_risk.get_by_role("row")).to_have_count(1 + 4)  # heading row and four pairs
    at_risk.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/o/acme/pairs/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def exports_the_sessions(page: Page, base: str, program_pk: int) -> str:
    page.goto(f"{base}/o/acme/programs/{program_pk}/exports/")
    page.get_by_label("What to export").select_option("sessions")
    page.get_by_label("CSV").check()
    page.get_by_role("button", name="Start the export").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Done", timeout=30_000)
    shot(page, "dashboards-3-export-done")
    with page.expect_download() as download:
        status.get_by_role("link", name=re.compile(r"^Download ")).click()
    path = download.value.path()
    return path.read_text(encoding="utf-8-sig")


def downloads_the_impact_report(page: Page, base: str, program_pk: int) -> bytes:
    page.goto(f"{base}/o/acme/programs/{program_pk}/dashboard/")
    page.get_by_role("link", name="Impact report", exact=True).click()
    expect(page).to_have_url(re.compile(r"/report/$"))
    expect(page.locator("main")).to_contain_text("Impact report")
    shot(page, "dashboards-4-impact-report")
    page.go_back()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="Download PDF", exact=True).click()
    return download.value.path().read_bytes()


def fits_a_phone(page: Page, base: str, program_pk: int) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    for name, url in (
        ("home", f"{base}/o/acme/"),
        ("dashboard", f"{base}/o/acme/programs/{program_pk}/dashboard/"),
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if name == "dashboard":
            expect(page.locator("figure.chart.chart-drawn svg").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        shot(page, f"dashboards-5-phone-{name}")


def test_coordinator_home_dashboard_filter_at_risk_pair_and_export(
    live_server: Any, org_a: Tenant, new_page: Callable[[], Page], celery_worker: CeleryWorker
) -> None:
    base = live_server.url
    problems = Problems()
    world = live_program(org_a, pairs=PAIRS)
    program_pk = world.program.pk
    celery_worker.start()

    coordinator = problems.watch(new_page(), "coordinator")
    coordinator.set_viewport_size({"width": 1280, "height": 900})
    sign_in(coordinator, base, org_a.coordinator.user)
    home_says_what_needs_doing(coordinator)
    dashboard_draws_every_chart(coordinator, base, program_pk)
    filters_then_follows_an_at_risk_pair(coordinator)

    body = exports_the_sessions(coordinator, base, program_pk)
    rows = list(csv.DictReader(io.StringIO(body)))
    with org_a.scope():
        assert len(rows) == SessionLog.objects.filter(pair__program_id=program_pk).count() > 0
        job = ExportJob.objects.get(program_id=program_pk)
        assert job.status == ExportStatus.DONE
        assert job.processed_rows == job.total_rows == len(rows)
    assert not any("learned" in heading.lower() for heading in rows[0])

    pdf = downloads_the_impact_report(coordinator, base, program_pk)
    assert pdf.startswith(b"%PDF-")

    fits_a_phone(coordinator, base, program_pk)
    assert problems.seen == []
