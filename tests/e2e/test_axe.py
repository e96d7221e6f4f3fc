"""The axe helper finds what it should (so a journey's ``assert_accessible`` can fail) and passes
the sign-in page, under the site's own Content-Security-Policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.axe import assert_accessible, axe_violations
from tests.e2e.test_program_journey import Problems

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_axe_reports_an_unlabelled_field(page: Page) -> None:
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head>'
        '<body><main><h1>Form</h1><input type="text" name="x"></main></body></html>'
    )
    violations = axe_violations(page)
    assert any(line.startswith("label ") for line in violations), violations


def test_sign_in_page_passes_axe_under_csp(page: Page, live_server) -> None:  # type: ignore[no-untyped-def]
    problems = Problems()
    problems.watch(page, "visitor")
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    assert problems.seen == []
