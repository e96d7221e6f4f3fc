"""axe-core (installed from npm into node_modules) run against a page Playwright has open.

``axe_violations(page)`` injects axe through the DevTools protocol (``page.evaluate``), which the
page's Content-Security-Policy does not govern, so the page under test keeps its strict policy, and
returns the violations as readable lines: rule id, impact, help text and the offending elements.
``assert_accessible(page)`` fails the test with those lines.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA plus axe's best practices (landmarks, one main, headings in order…).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def _source() -> str:
    if not AXE_SOURCE.exists():
        raise RuntimeError(f"{AXE_SOURCE} is missing: run ./flip (it installs the npm packages)")
    return AXE_SOURCE.read_text(encoding="utf-8")


def axe_violations(page: Page, *, disable: tuple[str, ...] = ()) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    # Only the violations are read: axe then keeps one node per pass (much quicker on long pages).
    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": TAGS},
        "resultTypes": ["violations"],
    }
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    result = page.evaluate("options => window.axe.run(document, options)", options)
    lines = []
    for violation in result["violations"]:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return lines


def assert_accessible(page: Page, *, disable: tuple[str, ...] = ()) -> None:
    violations = axe_violations(page, disable=disable)
    assert not violations, f"axe on {page.url}:\n" + "\n".join(violations)
