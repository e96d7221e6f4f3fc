"""Playwright driving Debian's chromium against pytest-django's live server.

Playwright's own browser download is not available here, so the system chromium is launched by
path (``./flip test`` installs it with apt when missing, see ``mentoring.runner.ensure_chromium``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.db import connections

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Playwright

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the ORM
# calls that the tests and fixtures make around it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("FLIPSIDE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No chromium at {CHROMIUM}: run `apt-get install chromium` (./flip test does)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            yield playwright
        finally:
            # While Playwright's event loop runs in this thread, Django hands the thread a separate
            # set of database connections (asgiref's Local is context-aware); close them before
            # leaving, or the idle one would stop the test database from being dropped.
            connections.close_all()


@pytest.fixture
def new_page(playwright: Playwright, tmp_path: Path) -> Iterator[Callable[[], Page]]:
    """Opens a page in a fresh chromium profile (its own user-data dir, so its own cookies: one
    signed-in person per page); every profile is closed after the test."""
    contexts: list[BrowserContext] = []

    def _new_page() -> Page:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / f"chromium-profile-{len(contexts)}"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            locale="en-GB",
            viewport={"width": 1280, "height": 900},
        )
        contexts.append(context)
        context.set_default_timeout(15_000)
        return context.pages[0] if context.pages else context.new_page()

    try:
        yield _new_page
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    """A page in a fresh chromium profile, closed after the test."""
    return new_page()
