"""The engagement page's figures agree with each other, with fixed dates: "days since the last
session" and "last session <date>", "started N days ago" and the pair's publication, "% of the
term gone" and the program's dates — each computed from the program's clock and the same facts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from feedback import engagement
from feedback.sessions import services as sessions
from matching.models import Pair
from tests.conftest import Tenant, login
from tests.feedback.test_engagement_builders import (
    START,
    add_goal,
    log_session,
    make_pair,
    running_program,
)

pytestmark = pytest.mark.django_db
DAY = date(2030, 3, 1)


def _reasons(tenant: Tenant, pair: Pair, today: date = DAY) -> dict[str, str]:
    with tenant.scope():
        [outcome] = engagement.refresh_pairs([pair.pk], today=today)
    return {reason.code: reason.text for reason in outcome.result.reasons}


def test_a_pair_published_six_weeks_ago_started_six_weeks_ago(org_a: Tenant) -> None:
    """It was "started 0 days ago" when the start was read from a later, unrelated timestamp."""
    program = running_program(org_a)
    pair = make_pair(org_a, program, started=DAY - timedelta(days=42))
    assert _reasons(org_a, pair)["no_recent_session"].startswith(
        "No session logged in the 42 days since the pair started"
    )
    assert pair.activated_at is not None
    assert engagement.pair_started_on(pair, program) == pair.activated_at.date()


def test_a_pair_published_before_the_program_starts_counts_from_the_programs_start(
    org_a: Tenant,
) -> None:
    program = running_program(org_a)
    early = make_pair(org_a, program, started=START - timedelta(days=10))
    reasons = _reasons(org_a, early, today=START + timedelta(days=5))
    assert reasons["no_session_yet"] == (
        "No session yet; the pair started 5 days ago (cadence 14 days)"
    )


def test_the_share_of_the_term_gone_is_read_from_the_programs_dates(org_a: Tenant) -> None:
    """It was "0 % of the term gone" when the term was counted from the pair's own start."""
    program = running_program(org_a)  # 1 Jan to 1 Jul 2030: 181 days
    late = make_pair(org_a, program, started=DAY)  # re-matched two months in
    add_goal(org_a, late, 0)
    # 1 Jan to 1 Apr is 90 of the term's 181 days, whenever the pair itself started.
    reasons = _reasons(org_a, late, today=date(2030, 4, 1))
    assert reasons["goals_behind"] == "Goals at 0% on average with 50% of the term gone"


def test_days_and_dates_are_the_programs_not_utcs(org_a: Tenant) -> None:
    """In Auckland it is already 11 March at 20:00 UTC on the 10th: a session held on 10 March
    was "1 day ago", as the page's own date of it says, and the pair started on its local day."""
    program = running_program(org_a, time_zone="Pacific/Auckland")
    pair = make_pair(org_a, program)
    with org_a.scope():
        Pair.objects.filter(pk=pair.pk).update(
            created_at=datetime(2030, 1, 31, 20, tzinfo=UTC),
            activated_at=datetime(2030, 1, 31, 20, tzinfo=UTC),  # 1 February in Auckland
        )
        pair.refresh_from_db()
    assert engagement.pair_started_on(pair, program) == date(2030, 2, 1)
    log_session(org_a, pair, date(2030, 3, 10))
    with time_machine.travel("2030-03-10 20:00Z", tick=False), org_a.scope():
        [outcome] = engagement.refresh_pairs([pair.pk])
    assert outcome.snapshot.computed_on == date(2030, 3, 11)
    assert outcome.result.reasons[0].text == "Last session 1 day ago (cadence 14 days)"


def test_the_page_shows_the_score_of_the_session_just_logged_beside_its_date(
    org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    """It said "no session for 42 days" beside "last session 1 Dec" when scores waited for the
    night: now logging the session rescores the pair before the page is read."""
    program = running_program(org_a)
    pair = make_pair(org_a, program)
    log_session(org_a, pair, DAY - timedelta(days=42))
    with org_a.scope():
        engagement.compute_program(program, today=DAY)  # last night's run
    with time_machine.travel(f"{DAY.isoformat()} 15:00Z", tick=False):
        with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
            sessions.session_log(
                pair=pair, by=pair.mentee, actor=None, held_on=DAY, duration_minutes=60
            )
        url = reverse(
            "program_engagement", kwargs={"org_slug": org_a.slug, "program_pk": program.pk}
        )
        html = login(Client(), org_a.coordinator.user).get(url).content.decode()
    row = _row(html, pair)
    assert "Last session 0 days ago (cadence 14 days)" in row
    assert "1 Mar 2030" in row  # the last session column, and the day it was scored
    assert "No session for" not in row


def _row(html: str, pair: Pair) -> str:
    match = re.search(
        rf'<tr>\s*<th scope="row"><a href="[^"]*/pairs/{pair.pk}/">.*?</tr>', html, re.S
    )
    assert match is not None, "the pair's row is not on the page"
    return match.group(0)
