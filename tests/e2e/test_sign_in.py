"""The demo admin signs in through a real browser and reaches the organisation home."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import ConsoleMessage, Page, Response, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_ADMIN = "admin@demo.flipside.test"
DEMO_PASSWORD = "flipside-demo"
SCREENSHOT = Path(tempfile.gettempdir()) / "flipside-e2e-organization-home.png"


def test_demo_admin_signs_in_and_sees_the_organisation_home(live_server: Any, page: Page) -> None:
    assert "localhost" in settings.ALLOWED_HOSTS
    assert "127.0.0.1" in settings.ALLOWED_HOSTS
    call_command("seed_demo", stdout=io.StringIO())
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # Chromium reports CSP violations as console errors ("… violates the following Content
        # Security Policy directive …"), as it does failed loads and uncaught script errors.
        if message.type not in ("error", "warning"):
            return
        problems.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on("response", on_response)

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page).to_have_title(re.compile("Sign In"))
    page.get_by_label("Email").fill(DEMO_ADMIN)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # One organisation for the demo admin: the picker sends them straight to its home.
    expect(page).to_have_url(f"{live_server.url}/o/demo/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Demo")
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Members")).to_be_visible()
    expect(main_nav.get_by_role("link", name="Invitations")).to_be_visible()
    expect(main_nav.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text(DEMO_ADMIN)).to_be_visible()
    # htmx is a deferred script: it runs once the document is parsed, which can be after the
    # assertions above have seen the page's text. Wait for the page to load, then ask.
    page.wait_for_load_state("load")
    assert page.evaluate("typeof htmx") == "object"
    page.screenshot(path=SCREENSHOT, full_page=True)

    assert problems == []
