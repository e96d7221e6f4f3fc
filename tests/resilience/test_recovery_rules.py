"""The rules behind the crash tests, in-process: what the sweeps take back from a dead worker and
what they leave to a live one, the round that fails after too many starts, the cache that keeps
answering with Redis gone, and the 503 for an unreachable database."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import timezone

from core import leases
from core.cache import ResilientRedisCache
from feedback import touchpoints
from feedback.models import Touchpoint, TouchpointStatus
from matching.models import MatchingRound, RoundStatus
from matching.rounds import recovery
from mentoring.views import server_error
from organizations.models import AuditEntry
from tests.conftest import Tenant
from tests.matching.test_rounds_builders import matching_cohort, proposed_round

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_leases")]

DEAD = "gone-host:4242:deadbeef"


def test_a_lease_is_alive_while_its_process_renews_it_and_dead_once_it_lapses() -> None:
    mine = leases.process_token()
    assert leases.process_token() == mine  # one per process
    assert leases.dead([mine, DEAD, ""]) == {DEAD}
    caches["strict"].delete(f"flipside:lease:{mine}")
    assert leases.dead([mine]) == {mine}
    leases._renew(mine)
    assert leases.dead([mine]) == set()


def _held(tenant: Tenant, status: str, token: str, *, key: str, attempts: int = 1) -> int:
    long_ago = timezone.now() - timedelta(seconds=30)
    with tenant.scope():
        return Touchpoint.objects.create(
            kind="email",
            idempotency_key=key,
            due_at=timezone.now() + timedelta(days=1),  # not due again by itself
            status=status,
            claimed_at=long_ago,
            claimed_by=token,
            attempts=attempts,
            payload={"to": "x@acme.test", "subject": "s", "body": "b"},
        ).pk


def test_the_sweep_takes_back_only_what_a_dead_process_held(org_a: Tenant) -> None:
    alive = leases.process_token()
    sending_dead = _held(org_a, TouchpointStatus.SENDING, DEAD, key="a")
    queued_dead = _held(org_a, TouchpointStatus.QUEUED, DEAD, key="b")
    worn_out = _held(
        org_a, TouchpointStatus.SENDING, DEAD, key="c", attempts=touchpoints.MAX_ATTEMPTS
    )
    sending_alive = _held(org_a, TouchpointStatus.SENDING, alive, key="d")
    touchpoints.sweep_due(enqueue=False)
    with org_a.scope():
        rows = {row.pk: row for row in Touchpoint.objects.all()}
    assert (rows[sending_dead].status, rows[sending_dead].interrupted) == ("pending", True)
    assert (rows[queued_dead].status, rows[queued_dead].interrupted) == ("pending", False)
    assert rows[worn_out].status == TouchpointStatus.FAILED
    assert "stopped while sending, 5 times" in rows[worn_out].last_error
    assert rows[sending_alive].status == TouchpointStatus.SENDING  # slow, not dead: left alone


def test_an_interrupted_row_is_sent_and_its_mark_cleared(org_a: Tenant, mailoutbox: list) -> None:
    pk = _held(org_a, TouchpointStatus.SENDING, DEAD, key="e")
    with org_a.scope():
        Touchpoint.objects.filter(pk=pk).update(due_at=timezone.now() - timedelta(minutes=1))
    # Taken back, and due: the same sweep queues it again.
    assert touchpoints.sweep_due(enqueue=False) == [(pk, org_a.organization.pk)]
    with org_a.scope():
        assert touchpoints.deliver(touchpoint_id=pk) == "done"
        row = Touchpoint.objects.get(pk=pk)
    assert (row.status, row.interrupted, row.attempts) == ("done", False, 2)
    assert len(mailoutbox) == 1


def _running(tenant: Tenant, worker: str, attempts: int) -> MatchingRound:
    matching_round = proposed_round(tenant, matching_cohort(tenant, 2))
    with tenant.scope():
        MatchingRound.objects.filter(pk=matching_round.pk).update(
            status=RoundStatus.RUNNING,
            worker=worker,
            attempts=attempts,
            started_at=timezone.now() - timedelta(seconds=30),
        )
    return matching_round


def test_a_round_whose_worker_died_too_often_fails_with_a_reason(org_a: Tenant) -> None:
    matching_round = _running(org_a, DEAD, recovery.MAX_ATTEMPTS)
    assert recovery.recover_stalled_rounds() == {"requeued": 0, "failed": 1}
    with org_a.scope():
        failed = MatchingRound.objects.get(pk=matching_round.pk)
        assert AuditEntry.objects.filter(action="matching.round_interrupted").count() == 1
    assert failed.status == RoundStatus.FAILED
    assert failed.error.startswith("The worker computing this round stopped 3 times")


def test_a_round_computed_by_a_live_worker_is_left_alone(org_a: Tenant) -> None:
    matching_round = _running(org_a, leases.process_token(), 1)
    assert recovery.recover_stalled_rounds() == {"requeued": 0, "failed": 0}
    with org_a.scope():
        assert MatchingRound.objects.get(pk=matching_round.pk).status == RoundStatus.RUNNING


def test_the_cache_answers_misses_while_redis_is_unreachable() -> None:
    down = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    assert down.get("k", "default") == "default"
    assert down.get_many(["k"]) == {}
    down.set("k", 1)
    assert down.add("k", 1) is True  # as if stored: a lock taken with add() does not refuse
    assert down.set_many({"a": 1}) == ["a"]


def test_an_unreachable_database_is_a_503_page_or_body_not_a_500() -> None:
    factory = RequestFactory()
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        page = server_error(factory.get("/o/acme/"))
        body = server_error(factory.get("/api/v1/o/acme/programs/"))
    assert (page.status_code, page["Retry-After"]) == (503, "10")
    assert b"Briefly unavailable" in page.content
    assert body.status_code == 503
    assert json.loads(body.content)["detail"].startswith("The service is briefly unavailable")
    try:
        raise ValueError("a defect")
    except ValueError:
        assert server_error(factory.get("/o/acme/")).status_code == 500
