"""SIGKILL a real worker (its main process, or the pool process running the task) while it sends
check-ins and while it computes a matching round: afterwards every due item is done exactly once —
no email twice, none lost — and no round stays "running"."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone

from feedback import checkins, touchpoints
from feedback.models import CheckIn, CheckInStatus, Touchpoint, TouchpointStatus
from feedback.tasks import send_touchpoints
from matching.models import MatchingRound, ProposedPair, RoundStatus
from matching.rounds import recovery
from matching.rounds.config import round_create
from matching.rounds.run import round_start
from mentoring.celery import app as celery_app
from organizations.models import AuditEntry
from tests.conftest import Tenant
from tests.feedback.test_checkins_builders import CheckInWorld
from tests.matching.test_rounds_builders import WEIGHTS, matching_cohort
from tests.resilience.processes import Worker, lines, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_leases"),
]


def _sent(mail_log: Path) -> Counter[str]:
    return Counter(line.split()[1] for line in lines(mail_log) if line.startswith("sent "))


def _holding(mail_log: Path, address: str) -> bool:
    return any(line.startswith(f"holding {address}") for line in lines(mail_log))


def _statuses(world: CheckInWorld) -> list[str]:
    with world.tenant.scope():
        return sorted(
            Touchpoint.objects.filter(
                kind=checkins.CHECK_IN_KIND, due_at__lte=timezone.now()
            ).values_list("status", flat=True)
        )


def _lease_lapsed() -> None:
    time.sleep(2 * 2 + 0.5)  # two lease periods: the dead process's key has expired


def _sweep_until_done(world: CheckInWorld) -> None:
    """Beat's minute sweep, run by hand: it takes back what the dead process held and queues it."""
    _lease_lapsed()
    touchpoints.sweep_due()
    wait_for(lambda: _statuses(world) == [TouchpointStatus.DONE] * 2, 60, "both check-ins done")


@pytest.mark.parametrize("kill", ["pool_child", "main_process"])
def test_a_worker_killed_mid_send_leaves_every_check_in_sent_exactly_once(
    world: CheckInWorld, tmp_path: Path, workers: list[Worker], kill: str
) -> None:
    mail_log, hold = tmp_path / "mail.log", tmp_path / "hold"
    mentor, mentee = world.mentor_user.email, world.mentee_user.email
    workers.append(Worker(tmp_path, "first"))
    # The mentor's email is held inside the mail backend: the check-in is already marked sent.
    hold.write_text(mentor)
    assert len(touchpoints.sweep_due()) == 2
    wait_for(lambda: _holding(mail_log, mentor), 60, "the mentor's send started")
    with world.tenant.scope():
        assert CheckIn.objects.get(enrollment_id=world.pair.mentor_id, sent_at__isnull=False)
    if kill == "pool_child":
        workers[0].kill_child()  # the main process re-queues the task (reject_on_worker_lost)
    else:
        workers[0].kill_main()  # its pool goes with it; the message waits in Redis, unacked
        workers.append(Worker(tmp_path, "second"))
    hold.unlink()
    _sweep_until_done(world)
    time.sleep(1)  # room for a duplicate to show up
    assert _sent(mail_log) == {mentor: 1, mentee: 1}
    # The original message, when Redis hands it out again later, finds nothing left to do.
    with world.tenant.scope():
        ids = list(
            Touchpoint.objects.filter(kind=checkins.CHECK_IN_KIND).values_list("pk", flat=True)
        )
    send_touchpoints.apply_async(
        kwargs={"organization_id": world.tenant.organization.pk, "touchpoint_ids": ids}
    )
    time.sleep(3)
    assert _sent(mail_log) == {mentor: 1, mentee: 1}
    with world.tenant.scope():
        assert set(
            CheckIn.objects.filter(sent_at__isnull=False).values_list("status", flat=True)
        ) == {CheckInStatus.SENT}
        # One first reminder each, planned once.
        assert Touchpoint.objects.filter(kind=checkins.REMINDER_KIND).count() == 2


def _round_log_says_computing(tmp_path: Path) -> bool:
    return any(line.startswith("computing") for line in lines(tmp_path / "round.log"))


@pytest.mark.parametrize("kill", ["pool_child", "main_process"])
def test_a_round_whose_worker_is_killed_is_resumed_and_proposed_once(
    org_a: Tenant, tmp_path: Path, workers: list[Worker], kill: str
) -> None:
    cohort = matching_cohort(org_a, 3)
    celery_app.control.purge()
    hold = tmp_path / "round-hold"
    hold.touch()
    shim = {
        "FLIPSIDE_TEST_ROUND_HOLD": str(hold),
        "FLIPSIDE_TEST_ROUND_LOG": str(tmp_path / "round.log"),
    }
    workers.append(Worker(tmp_path, "long-1", queues="long", **shim))
    with org_a.scope():
        matching_round = round_create(
            program=cohort.program, actor=org_a.admin.user, weights=WEIGHTS
        )
        round_start(matching_round=matching_round, actor=org_a.admin.user)
    wait_for(lambda: _round_log_says_computing(tmp_path), 60, "the round is being computed")
    if kill == "pool_child":
        workers[0].kill_child()
    else:
        workers[0].kill_main()
        workers.append(Worker(tmp_path, "long-2", queues="long", **shim))
    hold.unlink()
    time.sleep(3)  # the redelivered message (pool child) finds the round running: skipped
    with org_a.scope():
        stuck = MatchingRound.objects.get(pk=matching_round.pk)
    assert stuck.status == RoundStatus.RUNNING
    _lease_lapsed()
    assert recovery.recover_stalled_rounds() == {"requeued": 1, "failed": 0}

    def proposed() -> bool:
        with org_a.scope():
            return MatchingRound.objects.get(pk=matching_round.pk).status == RoundStatus.PROPOSED

    wait_for(proposed, 60, "the round is proposed")
    with org_a.scope():
        done = MatchingRound.objects.get(pk=matching_round.pk)
        assert done.attempts == 2
        assert ProposedPair.objects.filter(round=done).count() == 3
        assert AuditEntry.objects.filter(action="matching.round_proposed").count() == 1
        [entry] = AuditEntry.objects.filter(action="matching.round_interrupted")
        assert entry.data == {"attempts": 1, "outcome": "requeued"}
    assert recovery.recover_stalled_rounds() == {"requeued": 0, "failed": 0}
