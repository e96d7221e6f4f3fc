"""Engagement follows events: each change to a pair's facts rescores it once it commits, inline,
in a fixed number of queries, without sending anything (nudges and the digest stay nightly)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback import engagement, goals
from feedback.checkins import Answer, check_in_answer
from feedback.models import EngagementSnapshot, Touchpoint
from feedback.review import level_counts
from feedback.sessions import services as sessions
from matching import pairs as lifecycle
from matching.models import Pair, PairStatus
from tests.conftest import Tenant
from tests.feedback.test_engagement_builders import (
    END,
    add_goal,
    check_in,
    log_session,
    make_pair,
    running_program,
)

pytestmark = pytest.mark.django_db
DAY = date(2030, 3, 1)

Commit = Callable[..., Any]


@pytest.fixture
def on_day() -> Iterator[None]:
    with time_machine.travel(f"{DAY.isoformat()} 10:00Z", tick=False):
        yield


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Commit) -> Commit:
    """Runs the callbacks registered while inside, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _snapshot(tenant: Tenant, pair: Pair) -> EngagementSnapshot | None:
    with tenant.scope():
        return EngagementSnapshot.objects.filter(pair=pair, computed_on=DAY).first()


def _codes(tenant: Tenant, pair: Pair) -> dict[str, str]:
    snapshot = _snapshot(tenant, pair)
    assert snapshot is not None, "the event did not rescore the pair"
    return {reason["code"]: reason["text"] for reason in snapshot.reasons}


def test_logging_confirming_editing_and_deleting_a_session_rescore_the_pair(
    org_a: Tenant, on_day: None, commit: Commit
) -> None:
    program = running_program(org_a)
    pair = make_pair(org_a, program)
    with org_a.scope(), commit():
        session = sessions.session_log(
            pair=pair,
            by=pair.mentor,
            actor=None,
            held_on=DAY - timedelta(days=3),
            duration_minutes=45,
        )
    codes = _codes(org_a, pair)
    assert codes["recent_session"] == "Last session 3 days ago (cadence 14 days)"
    assert "confirmation_rate" not in codes  # awaiting, still within the grace

    with org_a.scope(), commit():
        sessions.session_update(
            session=session,
            by=pair.mentor,
            actor=None,
            held_on=DAY - timedelta(days=20),
            duration_minutes=45,
            format=session.format,
        )
    codes = _codes(org_a, pair)
    assert codes["session_overdue"] == "No session for 20 days (cadence 14 days)"
    assert codes["confirmation_rate"] == "0 of 1 sessions confirmed by the partner"

    with org_a.scope(), commit():
        sessions.session_confirm(session=session, by=pair.mentee, actor=None)
    assert _codes(org_a, pair)["confirmation_rate"] == "1 of 1 sessions confirmed by the partner"

    with org_a.scope(), commit():
        second = sessions.session_log(
            pair=pair, by=pair.mentee, actor=None, held_on=DAY, duration_minutes=30
        )
    assert _codes(org_a, pair)["recent_session"].startswith("Last session 0 days ago")
    with org_a.scope(), commit():
        sessions.session_delete(session=second, by=pair.mentee, actor=None)
    assert "session_overdue" in _codes(org_a, pair)
    with org_a.scope():
        assert EngagementSnapshot.objects.filter(pair=pair).count() == 1  # one row a day


def test_a_we_met_draft_changes_nothing_until_it_is_completed(
    org_a: Tenant, on_day: None, commit: Commit
) -> None:
    program = running_program(org_a)
    pair = make_pair(org_a, program)
    with org_a.scope(), commit():
        sessions.session_we_met(pair=pair, by=pair.mentor, held_on=DAY - timedelta(days=1))
    assert _snapshot(org_a, pair) is None


def test_answering_a_check_in_rescores_the_pair(
    org_a: Tenant, on_day: None, commit: Commit
) -> None:
    program = running_program(org_a)
    pair = make_pair(org_a, program)
    waiting = check_in(org_a, pair, DAY - timedelta(days=2), mentee=True)
    with org_a.scope(), commit():
        check_in_answer(
            check_in=waiting,
            answer=Answer(rating=2, blockers="No time.", wants_contact=True),
            actor=None,
        )
    codes = _codes(org_a, pair)
    assert codes["check_ins_answered"] == "1 of 1 check-ins answered"
    assert codes["low_pulse"] == "Low pulse: mean rating 2.0 of 5"
    assert "wants_contact" in codes
    snapshot = _snapshot(org_a, pair)
    assert snapshot is not None
    assert snapshot.level == "at_risk"


def test_setting_and_moving_a_goal_rescore_the_pair(
    org_a: Tenant, on_day: None, commit: Commit
) -> None:
    program = running_program(org_a)
    pair = make_pair(org_a, program)
    with org_a.scope(), commit():
        goal = goals.goal_create(
            pair=pair, by=pair.mentee, actor=None, owner="mentee", description="Weekly AI summary"
        )
    assert _codes(org_a, pair)["goals_behind"] == (
        "Goals at 0% on average with 33% of the term gone"
    )
    with org_a.scope(), commit():
        goals.goal_progress(goal=goal, by=pair.mentee, actor=None, progress=40)
    assert _codes(org_a, pair)["goal_progress"] == (
        "Goals at 40% on average with 33% of the term gone"
    )


def test_pausing_resuming_and_extending_rescore_the_pair_and_ending_takes_it_off_the_page(
    org_a: Tenant, on_day: None, commit: Commit
) -> None:
    program = running_program(org_a)
    pair = make_pair(org_a, program)
    with org_a.scope(), commit():
        lifecycle.pair_pause(pair=pair, actor=None, resume_on=DAY + timedelta(days=10))
    assert _codes(org_a, pair)["paused"] == (
        "Paused until 11 Mar 2030: no session expected meanwhile"
    )

    with org_a.scope(), commit():
        lifecycle.pair_resume(pair=pair, actor=None)
    assert "paused" not in _codes(org_a, pair)

    add_goal(org_a, pair, 10)
    with org_a.scope(), commit():
        lifecycle.pair_extend(pair=pair, actor=None, ends_on=END + timedelta(days=181))
    # 59 days of a term from 1 Jan to the extended end, 29 Dec 2030 (362 days).
    assert _codes(org_a, pair)["goal_progress"] == (
        "Goals at 10% on average with 16% of the term gone"
    )

    with org_a.scope():
        assert level_counts(program)["at_risk"] == 1  # never met in 59 days
    with org_a.scope(), commit():
        lifecycle.pair_end(pair=pair, actor=None, reason="Moved abroad.")
    with org_a.scope():
        assert level_counts(program) == {"healthy": 0, "watch": 0, "at_risk": 0, "none": 0}
        # Not scored once ended; its history stays for the pair's review page.
        assert EngagementSnapshot.objects.filter(pair=pair).count() == 1


def test_a_refresh_sends_no_email_and_keeps_the_nightly_nudge_count(
    org_a: Tenant, on_day: None, commit: Commit
) -> None:
    program = running_program(org_a)
    idle = make_pair(org_a, program)
    log_session(org_a, idle, DAY - timedelta(days=40))
    with org_a.scope():
        engagement.compute_program(program, today=DAY)  # the night: nudges and the digest
        emails = Touchpoint.objects.count()
    assert emails == 3

    waiting = check_in(org_a, idle, DAY - timedelta(days=1))
    with org_a.scope(), commit():
        check_in_answer(
            check_in=waiting, answer=Answer(rating=3, blockers="", wants_contact=False), actor=None
        )
    snapshot = _snapshot(org_a, idle)
    assert snapshot is not None
    assert snapshot.level == "at_risk"  # still no session for 40 days
    assert "check_ins_answered" in {reason["code"] for reason in snapshot.reasons}
    assert snapshot.nudges_sent == 1
    with org_a.scope():
        assert Touchpoint.objects.count() == emails


def test_a_pair_refresh_costs_the_same_queries_however_much_it_holds(
    org_a: Tenant, on_day: None
) -> None:
    program = running_program(org_a)
    small, large = make_pair(org_a, program), make_pair(org_a, program)
    log_session(org_a, small, DAY - timedelta(days=2))
    for week in range(8):
        log_session(org_a, large, DAY - timedelta(days=7 * week + 1))
        check_in(org_a, large, DAY - timedelta(days=7 * week + 1), rating=4)
        check_in(org_a, large, DAY - timedelta(days=7 * week + 1), rating=3, mentee=True)
        add_goal(org_a, large, 10 * week)

    def queries(pair: Pair) -> int:
        with org_a.scope(), CaptureQueriesContext(connection) as captured:
            [outcome] = engagement.refresh_pairs([pair.pk])
        assert outcome.snapshot.computed_on == DAY
        return len(captured.captured_queries)

    # Lock the pair with its program, read every fact (sessions, check-ins, goals, nudges, the
    # latest level) in one statement, upsert the day's row; the savepoint and its release (a
    # transaction of its own outside tests).
    assert queries(small) == queries(large) == 5
    assert queries(large) == 5  # and again, rewriting the day's row


def test_one_pairs_refresh_scores_as_the_program_wide_run_does(org_a: Tenant, on_day: None) -> None:
    """The one-pair path reads its facts with its own statement: same facts, same score."""
    program = running_program(org_a)
    quiet, busy, lapsed = (make_pair(org_a, program) for _ in range(3))
    for week in range(6):
        held_on = DAY - timedelta(days=7 * week + 1)
        log_session(org_a, busy, held_on, status="awaiting" if week % 2 else "confirmed")
        check_in(org_a, busy, held_on, rating=2 + week % 3, wants_contact=week == 0)
        check_in(org_a, busy, held_on, mentee=True)  # sent, never answered
        add_goal(org_a, busy, 15 * week, status="achieved" if week == 5 else "open")
    log_session(org_a, busy, DAY - timedelta(days=2), status="draft")
    log_session(org_a, busy, DAY + timedelta(days=1))  # after the day scored
    log_session(org_a, lapsed, DAY - timedelta(days=45))
    add_goal(org_a, lapsed, 80, status="dropped")
    with org_a.scope():
        engagement.compute_program(program, today=DAY)  # the night: nudges for the lapsed pair
        one = {pair.pk: engagement.refresh_pairs([pair.pk])[0] for pair in (quiet, busy, lapsed)}
        wide = {outcome.pair.pk: outcome for outcome in engagement.refresh_program(program)}
    for pair_id, outcome in one.items():
        assert outcome.result == wide[pair_id].result
        assert outcome.snapshot.nudges_sent == wide[pair_id].snapshot.nudges_sent
    assert one[lapsed.pk].snapshot.nudges_sent == 1
    assert {"wants_contact", "confirmation_rate", "goal_progress"} <= one[busy.pk].result.codes


def test_refreshing_another_organisations_pair_finds_nothing(
    tenants: tuple[Tenant, Tenant], on_day: None
) -> None:
    org_a, org_b = tenants
    theirs = make_pair(org_b, running_program(org_b))
    with org_a.scope():
        assert engagement.refresh_pairs([theirs.pk]) == []
    assert _snapshot(org_b, theirs) is None


def test_pending_pairs_are_not_scored(org_a: Tenant, on_day: None) -> None:
    program = running_program(org_a)
    pending = make_pair(org_a, program, status=PairStatus.PENDING)
    with org_a.scope():
        assert engagement.refresh_pairs([pending.pk]) == []
        assert not EngagementSnapshot.objects.exists()
