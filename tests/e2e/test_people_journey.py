"""Issue 12's participants' journey in a real browser, with a real Celery worker:

1. the mentor (the junior) logs a session with a shared note on the pair page;
2. the worker emails the mentee (the executive) a link straight to that session;
3. the mentee follows the link: the pair page puts "confirm the session" first, one click confirms
   it, and the list of what to do updates without a reload;
4. the mentee's home, program page, registration, email settings and check-ins pass axe, and no
   page shows the mentee the raw match score;
5. the same pages on a 390 px phone: the menus fold behind "Menu", nothing scrolls sideways.

Clicks are counted (a click on a link or button; typing is not a click). Before this issue the
mentee heard nothing: they had to sign in, open "My pairs", open the pair and find the session
among the others (3 clicks, if they thought of looking); now the email's link and one button
confirm it (2 clicks). Screenshots at 1280 px and 390 px go where the other journeys put theirs.
No console, CSP or HTTP errors on the way.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Locator, Page, expect

from feedback.models import SessionLog, SessionStatus
from feedback.sessions.services import session_topics
from programs.lifecycle import program_today
from tests.conftest import CeleryWorker, Tenant
from tests.e2e.axe import assert_accessible
from tests.e2e.test_program_journey import Problems, labelled, shot, sign_in
from tests.feedback.builders import live_pair

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHARED = "Next time: the meeting summary feature"
LINK = re.compile(r"http://\S+/pairs/\d+/#session-\d+")
MAIL_WAIT_SECONDS = 20


@dataclass
class Clicks:
    """Counts the clicks a person makes (following an email's link counts as one)."""

    count: int = 0

    def click(self, target: Locator) -> None:
        self.count += 1
        target.click()

    def follow(self, page: Page, url: str) -> None:
        self.count += 1
        page.goto(url)


def mentor_logs_a_session(page: Page, pair_url: str, topic: str, clicks: Clicks) -> None:
    page.goto(pair_url)
    todo = page.get_by_role("region", name="What to do now")
    expect(todo).to_contain_text("Plan your first session together")
    clicks.click(todo.get_by_role("link", name="Log a session"))
    log = page.get_by_role("form", name="Log a session")
    labelled(log, "Length (minutes)").fill("45")
    clicks.click(log.get_by_role("group", name="Topics").get_by_label(topic))
    labelled(log, "Shared note").fill(SHARED)
    clicks.click(log.get_by_role("button", name="Log the session"))
    expect(page.locator("#pair-life-status")).to_contain_text("Session logged.")
    # Guidance is current: a session exists, so no "first session" any more.
    expect(todo).not_to_contain_text("first session")
    shot(page, "people-1-mentor-logged")


def the_partner_is_emailed(mentee_email: str) -> str:
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if message.to == [mentee_email] and "please confirm it" in message.subject:
                found = LINK.search(message.body)
                assert found, message.body
                assert "with a note for you" in message.body
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"No email to {mentee_email}: {[m.subject for m in mail.outbox]}")


def mentee_confirms_from_the_email(page: Page, link: str, clicks: Clicks) -> None:
    clicks.follow(page, link)
    todo = page.get_by_role("region", name="What to do now")
    expect(todo).to_contain_text("logged your session of")
    # Executives see why they were paired, not the engine's figures.
    why = page.locator("details.why-paired")
    expect(why).not_to_have_attribute("open", "")
    expect(page.get_by_text("out of 100")).to_have_count(0)
    expect(page.get_by_role("region", name="Notes")).to_contain_text(SHARED)
    assert_accessible(page)
    shot(page, "people-2-mentee-from-email")
    clicks.click(todo.get_by_role("button", name=re.compile("^Confirm the session")))
    expect(page.locator("#pair-life-status")).to_contain_text("Session confirmed.")
    expect(todo).not_to_contain_text("logged your session of")
    sessions = page.get_by_role("region", name="Sessions", exact=True)
    expect(sessions.get_by_text("Confirmed", exact=True)).to_be_visible()
    shot(page, "people-3-mentee-confirmed")


PARTICIPANT_PAGES = (
    ("home", "/o/acme/"),
    ("program", "/o/acme/me/programs/{program}/"),
    ("registration", "/o/acme/me/programs/{program}/registration/"),
    ("emails", "/o/acme/me/emails/"),
    ("check-ins", "/o/acme/me/check-ins/"),
    ("pairs", "/o/acme/me/pairs/"),
    ("pair", "/o/acme/pairs/{pair}/"),
)


def participant_pages_pass_axe(page: Page, base: str, ids: dict[str, int]) -> None:
    for name, path in PARTICIPANT_PAGES:
        page.goto(base + path.format(**ids))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.get_by_text("out of 100").count() == 0, name
        assert_accessible(page)
        shot(page, f"people-4-{name}-1280")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="API tokens")).to_have_count(0)  # not staff


def phone_pages_fold_and_fit(page: Page, base: str, ids: dict[str, int]) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in PARTICIPANT_PAGES:
        page.goto(base + path.format(**ids))
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_be_visible()
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
        width = page.evaluate("document.documentElement.scrollWidth")
        widest = page.evaluate(
            "() => [...document.querySelectorAll('body *')].map(e => [Math.round("
            "e.getBoundingClientRect().right), e.tagName + '.' + e.className + '#' + e.id])"
            ".filter(x => x[0] > 390 && !x[1].startsWith('T')).sort((a, b) => b[0] - a[0]).slice(0, 8)"
        )
        assert width <= 390, f"{name} is {width} px wide at 390 px: {widest}"
        shot(page, f"people-5-{name}-390")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="My pairs")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    shot(page, "people-6-menu-open-390")
    page.keyboard.press("Escape")
    expect(main_nav).to_be_hidden()
    expect(menu).to_be_focused()


def test_partners_log_and_confirm_with_a_notification_between(
    live_server: Any, org_a: Tenant, new_page: Callable[[], Page], worker: CeleryWorker
) -> None:
    base = live_server.url
    problems = Problems()
    live = live_pair(org_a)
    with org_a.scope():
        topic = session_topics(live.program).order_by("name").first()
        assert topic is not None
        assert program_today(live.program) - timedelta(days=1)  # the program runs
    pair_url = f"{base}/o/acme/pairs/{live.pair.pk}/"
    ids = {"program": live.program.pk, "pair": live.pair.pk}

    mentor_clicks = Clicks()
    mentor = problems.watch(new_page(), "mentor")
    sign_in(mentor, base, live.mentor_user)
    mentor_logs_a_session(mentor, pair_url, topic.name, mentor_clicks)

    # The email's link, on this test's server rather than the configured site address.
    link = the_partner_is_emailed(live.mentee.person.email).replace(settings.SITE_URL, base)

    mentee_clicks = Clicks()
    mentee = problems.watch(new_page(), "mentee")
    sign_in(mentee, base, live.mentee_user)
    mentee_confirms_from_the_email(mentee, link, mentee_clicks)

    with org_a.scope():
        session = SessionLog.objects.get(pair=live.pair)
        assert session.status == SessionStatus.CONFIRMED
        assert session.confirmed_by_id == live.mentee.pk
    # Log a session (link, topic, button) and confirm it from the email (link, button).
    assert (mentor_clicks.count, mentee_clicks.count) == (3, 2)

    participant_pages_pass_axe(mentee, base, ids)
    phone_pages_fold_and_fit(mentee, base, ids)
    assert problems.seen == [], "\n".join(problems.seen)
