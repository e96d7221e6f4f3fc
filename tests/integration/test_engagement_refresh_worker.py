"""Engagement refreshes on committed data: many pairs through the real worker, and concurrent
refreshes that never leave a stale score behind."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from feedback import engagement
from feedback.models import EngagementSnapshot
from feedback.sessions import services as sessions
from matching import services
from matching.models import Pair
from organizations.scope import tenant_scope
from programs import services as program_services
from programs.models import Program
from tests.conftest import CeleryWorker, Tenant
from tests.feedback.test_engagement_builders import log_session, make_pair, running_program
from tests.matching.test_rounds_builders import matching_cohort, proposed_round

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def _reasons(tenant: Tenant, pair_id: int) -> dict[str, str]:
    with tenant.scope():
        snapshot = (
            EngagementSnapshot.objects.filter(pair_id=pair_id).order_by("-computed_on").first()
        )
    return {} if snapshot is None else {r["code"]: r["text"] for r in snapshot.reasons}


def test_published_pairs_are_scored_by_the_worker(
    org_a: Tenant, celery_worker: CeleryWorker
) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    # The worker starts once the round is proposed: the builder runs the round inline, and a
    # worker already running would race it for the round's queued run.
    celery_worker.start()
    with org_a.scope():
        published = services.round_publish(matching_round=matching_round, actor=org_a.admin.user)
    assert len(published) == 2
    _wait_for(lambda: all(_reasons(org_a, pair.pk) for pair in published))
    for pair in published:
        assert _reasons(org_a, pair.pk)["no_session_yet"].startswith(
            "No session yet; the pair started 0 days ago"
        )


def test_changing_the_programs_dates_rescores_its_pairs_in_the_worker(
    org_a: Tenant, worker: CeleryWorker
) -> None:
    today = timezone.localdate()
    program = running_program(
        org_a,
        start_date=today - timedelta(days=30),
        mid_review_date=today + timedelta(days=10),
        end_date=today + timedelta(days=30),
    )
    pair = make_pair(org_a, program, started=today - timedelta(days=30))
    log_session(org_a, pair, today - timedelta(days=2))
    with org_a.scope():
        engagement.refresh_pairs([pair.pk])
    assert _reasons(org_a, pair.pk)["no_goals"] == "No goals set with 50% of the term gone"
    with org_a.scope():
        program_services.program_update(
            actor=org_a.admin.user,
            program=Program.objects.get(pk=program.pk),
            values={"end_date": today + timedelta(days=90)},
        )
    _wait_for(
        lambda: _reasons(org_a, pair.pk).get("no_goals") == "No goals set with 25% of the term gone"
    )


def test_changing_the_session_cadence_rescores_its_pairs_in_the_worker(
    org_a: Tenant, worker: CeleryWorker
) -> None:
    today = timezone.localdate()
    program = running_program(
        org_a,
        start_date=today - timedelta(days=60),
        mid_review_date=today + timedelta(days=10),
        end_date=today + timedelta(days=60),
    )
    pair = make_pair(org_a, program, started=today - timedelta(days=60))
    log_session(org_a, pair, today - timedelta(days=25))
    with org_a.scope():
        Program.objects.filter(pk=program.pk).update(session_cadence_days=30)
        engagement.refresh_pairs([pair.pk])
    assert "no_recent_session" not in _reasons(org_a, pair.pk)
    with org_a.scope():
        program_services.program_update(
            actor=org_a.admin.user,
            program=Program.objects.get(pk=program.pk),
            values={"session_cadence_days": 7},
        )
    # Quiet for 25 days is now more than twice the cadence: the pair is flagged without waiting
    # for the nightly run.
    _wait_for(lambda: "no_recent_session" in _reasons(org_a, pair.pk))


def test_a_refresh_waiting_for_another_reads_what_was_committed_meanwhile(org_a: Tenant) -> None:
    """Two refreshes of a pair take turns on its row lock and read only once they hold it: the one
    that writes last has read everything committed before it, so no event is left unscored."""
    today = timezone.localdate()
    program = running_program(
        org_a, start_date=today - timedelta(days=40), end_date=today + timedelta(days=100)
    )
    pair = make_pair(org_a, program, started=today - timedelta(days=40))
    log_session(org_a, pair, today - timedelta(days=30))
    organization_id = org_a.organization.pk
    waiting = threading.Event()

    def refresh() -> None:
        try:
            with tenant_scope(organization_id):
                waiting.set()
                engagement.refresh_pairs([pair.pk])
        finally:
            connection.close()

    with org_a.scope(), transaction.atomic():
        # Another refresh (or the nightly run) holds the pair while a session is recorded.
        Pair.objects.select_for_update().get(pk=pair.pk)
        thread = threading.Thread(target=refresh)
        thread.start()
        assert waiting.wait(10)
        _wait_for(lambda: _blocked_on_a_lock() >= 1)
        log_session(org_a, pair, today - timedelta(days=1))
    thread.join(20)
    assert not thread.is_alive()
    assert _reasons(org_a, pair.pk)["recent_session"].startswith("Last session 1 day ago")


def test_concurrent_sessions_leave_the_score_of_the_last_one(org_a: Tenant) -> None:
    today = timezone.localdate()
    program = running_program(
        org_a, start_date=today - timedelta(days=40), end_date=today + timedelta(days=100)
    )
    pair = make_pair(org_a, program, started=today - timedelta(days=40))
    organization_id = org_a.organization.pk
    barrier = threading.Barrier(3)

    def log(by_mentor: bool, days_ago: int) -> None:
        try:
            with tenant_scope(organization_id):
                fresh = Pair.objects.select_related("program", "mentor", "mentee").get(pk=pair.pk)
                barrier.wait(10)
                sessions.session_log(
                    pair=fresh,
                    by=fresh.mentor if by_mentor else fresh.mentee,
                    actor=None,
                    held_on=today - timedelta(days=days_ago),
                    duration_minutes=60,
                )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=log, args=args) for args in ((True, 20), (False, 2), (True, 9))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    reasons = _reasons(org_a, pair.pk)
    assert reasons["recent_session"].startswith("Last session 2 days ago")
    # Awaiting sessions count once their week of grace is over: those of 20 and 9 days ago.
    assert reasons["confirmation_rate"] == "0 of 2 sessions confirmed by the partner"


def _blocked_on_a_lock() -> int:
    with connection.cursor() as cursor:
        # Statistics views are read once per transaction unless their snapshot is cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0
