"""Rounds left running by a worker that died (SIGKILL, out of memory, a lost machine).

Beat runs ``recover_stalled_rounds`` every minute across organisations (a sanctioned use of the
escape hatch, like the touchpoint sweeper). A running round whose worker's lease lapsed
(``core.leases``) — or, for a round started before leases were recorded, one running for longer
than ``run.STALE_RUN_AFTER`` — is queued again and its task sent, so it resumes from the start (a
round's result is written in one transaction: a dead worker left nothing half-stored). After
``MAX_ATTEMPTS`` starts it fails instead, with a reason the round's page shows, because a round
that kills its worker each time (memory) would otherwise loop.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import leases
from matching.models import MatchingRound, RoundStatus
from matching.rounds.run import STALE_RUN_AFTER
from organizations.audit import log_action
from organizations.scope import dangerously_unscoped, tenant_scope
from organizations.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
REQUEUED_MESSAGE = (
    "The worker computing this round stopped before it finished; the round is queued again "
    "(start {attempt} of {limit})."
)
FAILED_MESSAGE = (
    "The worker computing this round stopped {attempts} times before it finished (it may run out "
    "of memory on a cohort this size). Run the round again, or contact support if it keeps "
    "happening."
)


def recover_stalled_rounds(*, now: datetime | None = None) -> dict[str, int]:
    """Queue again or fail every running round whose worker is gone. Returns counts."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.FLIPSIDE_WORKER_LEASE_SECONDS)
    with dangerously_unscoped():
        running = list(
            MatchingRound.dangerously_unscoped_objects.filter(
                status=RoundStatus.RUNNING, started_at__lt=now - lease
            ).values_list("pk", "organization_id", "worker", "started_at")
        )
    gone = leases.dead(worker for _, _, worker, _ in running)
    counts = {"requeued": 0, "failed": 0}
    for round_id, organization_id, worker, started_at in running:
        stalled = worker in gone if worker else started_at < now - STALE_RUN_AFTER
        if stalled:
            with tenant_scope(organization_id):
                outcome = _recover(round_id, worker, started_at)
            if outcome:
                counts[outcome] += 1
    if any(counts.values()):
        logger.warning("stalled matching rounds: %s", counts)
    return counts


def _recover(round_id: int, worker: str, started_at: datetime) -> str | None:
    from matching import tasks

    with transaction.atomic():
        matching_round = (
            MatchingRound.objects.select_for_update(skip_locked=True)
            .filter(pk=round_id, status=RoundStatus.RUNNING, worker=worker, started_at=started_at)
            .first()
        )
        if matching_round is None:
            return None  # finished, or taken over, since we looked
        attempts = matching_round.attempts
        if attempts >= MAX_ATTEMPTS:
            matching_round.status = RoundStatus.FAILED
            matching_round.error = FAILED_MESSAGE.format(attempts=attempts)
            matching_round.progress = 100
            matching_round.finished_at = timezone.now()
            outcome = "failed"
        else:
            matching_round.status = RoundStatus.QUEUED
            matching_round.progress = 0
            matching_round.progress_message = REQUEUED_MESSAGE.format(
                attempt=attempts + 1, limit=MAX_ATTEMPTS
            )
            matching_round.started_at = None
            matching_round.worker = ""
            outcome = "requeued"
            enqueue_on_commit(
                tasks.run_round, organization_id=matching_round.organization_id, round_id=round_id
            )
        matching_round.save(
            update_fields=[
                "status",
                "error",
                "progress",
                "progress_message",
                "started_at",
                "finished_at",
                "worker",
            ]
        )
        log_action(
            actor=None,
            action="matching.round_interrupted",
            target=matching_round,
            data={"attempts": attempts, "outcome": outcome},
        )
    return outcome
