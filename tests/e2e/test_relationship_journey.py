"""Issue 5's pair life in a real browser: the mentor logs a session with a shared and a private
note (htmx swaps the sessions section in and announces it), the mentee sees the shared note but not
the private one and confirms the session, and the program's coordinator sees that the session
happened (date, length, topics, confirmed) without a word of the notes, then records a mid-program
review decision for the pair. No console, CSP or HTTP errors on the way."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from feedback.models import ReviewDecision, SessionLog, SessionStatus
from feedback.sessions.services import session_topics
from programs.models import Program
from tests.conftest import Tenant
from tests.e2e.test_program_journey import Problems, labelled, shot, sign_in
from tests.feedback.builders import live_pair
from tests.participants.test_enrollment_builders import assign_coordinator

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LEARNED = "Prompting an assistant for a first draft"
SHARED = "Next time: try the meeting summary feature"
PRIVATE = "I should prepare examples from my own team"


def mentor_logs_a_session(page: Page, pair_url: str, topic: str, held_on: date) -> None:
    page.goto(pair_url)
    log = page.get_by_role("form", name="Log a session")
    labelled(log, "Date of the session").fill(held_on.isoformat())
    labelled(log, "Length (minutes)").fill("45")
    labelled(log, "Format").select_option(label="Video call")
    log.get_by_role("group", name="Topics").get_by_label(topic).check()
    labelled(log, "What was learned").fill(LEARNED)
    labelled(log, "Shared note").fill(SHARED)
    labelled(log, "Private note").fill(PRIVATE)
    # No screenshot before an htmx swap: the capture leaves style="" on the inputs, which htmx's
    # settle step would copy onto the new ones (a CSP report that no person would cause).
    log.get_by_role("button", name="Log the session").click()

    expect(page.locator("#pair-life-status")).to_contain_text("Session logged.")
    sessions = page.get_by_role("region", name="Sessions", exact=True)
    expect(sessions).to_contain_text(re.compile(r"Awaiting .+'s confirmation"))
    expect(sessions).to_contain_text(LEARNED)
    notes = page.get_by_role("region", name="Notes")
    expect(notes).to_contain_text(PRIVATE)
    expect(notes).to_contain_text("Private: only you see this")
    expect(notes).to_contain_text(SHARED)
    shot(page, "pair-1-mentor-logged")


def mentee_confirms(page: Page, pair_url: str) -> None:
    page.goto(pair_url)
    notes = page.get_by_role("region", name="Notes")
    expect(notes).to_contain_text(SHARED)
    expect(page.get_by_text(PRIVATE)).to_have_count(0)
    sessions = page.get_by_role("region", name="Sessions", exact=True)
    expect(sessions).to_contain_text("Awaiting your confirmation")
    sessions.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.locator("#pair-life-status")).to_contain_text("Session confirmed.")
    expect(sessions).to_contain_text("0.8 confirmed hours")
    expect(sessions.get_by_text("Confirmed", exact=True)).to_be_visible()
    shot(page, "pair-2-mentee-confirmed")


def coordinator_sees_facts_and_decides(
    page: Page, base: str, pair_url: str, program: Program, topic: str, held_on: date
) -> None:
    page.goto(pair_url)
    sessions = page.get_by_role("region", name="Sessions", exact=True)
    expect(sessions).to_contain_text(held_on.strftime("%-d %B %Y"))
    expect(sessions).to_contain_text("45 min")
    expect(sessions).to_contain_text(topic)
    expect(sessions.get_by_text("Confirmed", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Notes")).to_contain_text(
        "Notes are private to the pair"
    )
    html = page.content()
    for secret in (LEARNED, SHARED, PRIVATE):
        assert secret not in html
    shot(page, "pair-3-coordinator-facts")

    page.goto(f"{base}/o/acme/programs/{program.pk}/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mid-program review: {program.name}")
    row = page.locator("tr", has=page.get_by_role("link", name=re.compile(" and ")))
    expect(row).to_contain_text("1 session, 0.8 h")
    row.get_by_label(re.compile("^Decision")).select_option(label="Continue")
    row.get_by_role("button", name=re.compile("^Record decision")).click()
    expect(page.get_by_role("status").filter(has_text="Recorded.")).to_be_visible()
    expect(page.locator("tr", has_text="Recorded.")).to_contain_text("Continue")
    shot(page, "pair-4-coordinator-decided")


def test_session_logged_confirmed_and_reviewed(
    live_server: Any, org_a: Tenant, new_page: Callable[[], Page]
) -> None:
    base = live_server.url
    problems = Problems()
    live = live_pair(org_a)
    assign_coordinator(org_a, live.program)
    with org_a.scope():
        program = live.program
        program.mid_review_date = date.today()
        program.save(update_fields=["mid_review_date"])
        topic = session_topics(program).order_by("name").first()
        assert topic is not None
    held_on = date.today() - timedelta(days=2)
    pair_url = f"{base}/o/acme/pairs/{live.pair.pk}/"

    mentor = problems.watch(new_page(), "mentor")
    sign_in(mentor, base, live.mentor_user)
    mentor_logs_a_session(mentor, pair_url, topic.name, held_on)

    mentee = problems.watch(new_page(), "mentee")
    sign_in(mentee, base, live.mentee_user)
    mentee_confirms(mentee, pair_url)

    coordinator = problems.watch(new_page(), "coordinator")
    sign_in(coordinator, base, org_a.coordinator.user)
    coordinator_sees_facts_and_decides(coordinator, base, pair_url, program, topic.name, held_on)

    with org_a.scope():
        session = SessionLog.objects.get(pair=live.pair)
        assert session.status == SessionStatus.CONFIRMED
        assert session.confirmed_by_id == live.mentee.pk
        decision = ReviewDecision.objects.get(pair=live.pair)
        assert decision.decision == "continue"
    assert problems.seen == []
