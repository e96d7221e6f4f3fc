"""Long jobs run on their own queue: a matching round occupying the long worker (and another round
waiting behind it) does not hold up check-in sends on the default queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from feedback import touchpoints
from matching.models import MatchingRound, RoundStatus
from matching.rounds.config import round_create
from matching.rounds.run import round_start
from mentoring.celery import app as celery_app
from tests.conftest import Tenant
from tests.feedback.test_checkins_builders import CheckInWorld
from tests.matching.test_rounds_builders import WEIGHTS, matching_cohort
from tests.resilience.processes import Worker, lines, wait_for

LONG = (
    "matching.run_round",
    "participants.validate_import",
    "participants.commit_import",
    "dashboards.run_export",
    "feedback.compute_engagement",
)
PROMPT = (
    "feedback.sweep_due_touchpoints",
    "feedback.send_touchpoints",
    "feedback.send_touchpoint",
    "feedback.send_partner_notice",
    "participants.send_invitation_batch",
    "matching.recover_stalled_rounds",
    "mentoring.heartbeat",
)


def _queue(name: str) -> str:
    return str(celery_app.amqp.router.route({}, name)["queue"].name)


def test_long_jobs_go_to_the_long_queue_and_sends_to_the_default_one() -> None:
    celery_app.loader.import_default_modules()
    assert set(settings.FLIPSIDE_LONG_TASKS) <= set(celery_app.tasks)  # no misspelt route
    assert {name: _queue(name) for name in LONG} == dict.fromkeys(LONG, "long")
    assert {name: _queue(name) for name in PROMPT} == dict.fromkeys(PROMPT, "celery")


def _round(tenant: Tenant) -> MatchingRound:
    cohort = matching_cohort(tenant, 2)
    with tenant.scope():
        matching_round = round_create(
            program=cohort.program, actor=tenant.admin.user, weights=WEIGHTS
        )
        return round_start(matching_round=matching_round, actor=tenant.admin.user)


def _status(tenant: Tenant, matching_round: MatchingRound) -> str:
    with tenant.scope():
        return MatchingRound.objects.get(pk=matching_round.pk).status


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_check_ins_go_out_while_the_long_worker_is_busy_with_a_round(
    world: CheckInWorld, tmp_path: Path, workers: list[Worker]
) -> None:
    tenant = world.tenant
    hold = tmp_path / "round-hold"
    hold.touch()
    workers.append(
        Worker(
            tmp_path,
            "long",
            queues="long",
            FLIPSIDE_TEST_ROUND_HOLD=str(hold),
            FLIPSIDE_TEST_ROUND_LOG=str(tmp_path / "round.log"),
        )
    )
    workers.append(Worker(tmp_path, "default", queues="celery"))
    busy, waiting = _round(tenant), _round(tenant)
    wait_for(lambda: bool(lines(tmp_path / "round.log")), 60, "the first round is computing")

    assert len(touchpoints.sweep_due()) == 2
    sent = [world.mentor_user.email, world.mentee_user.email]
    wait_for(
        lambda: sorted(line.split()[1] for line in lines(tmp_path / "mail.log")) == sorted(sent),
        60,
        "both check-ins sent",
    )
    # Both went out while the long worker was still on the first round, the second one queued.
    assert _status(tenant, busy) == RoundStatus.RUNNING
    assert _status(tenant, waiting) == RoundStatus.QUEUED

    hold.unlink()
    wait_for(
        lambda: _status(tenant, busy) == _status(tenant, waiting) == RoundStatus.PROPOSED,
        90,
        "both rounds proposed",
    )
