"""A matching round end to end on a real Celery worker (embedded, consuming from real Redis)."""

from __future__ import annotations

import time

import pytest

from matching.models import MatchingRound, ProposedPair, RoundStatus
from matching.rounds.config import round_create
from matching.rounds.run import round_start
from tests.conftest import CeleryWorker, Tenant
from tests.matching.test_rounds_builders import WEIGHTS, matching_cohort

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_worker_runs_a_round_to_its_proposals(org_a: Tenant, worker: CeleryWorker) -> None:
    cohort = matching_cohort(org_a, 4)
    with org_a.scope():
        matching_round = round_create(
            program=cohort.program, actor=org_a.admin.user, weights=WEIGHTS
        )
        round_start(matching_round=matching_round, actor=org_a.admin.user)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with org_a.scope():
            current = MatchingRound.objects.get(pk=matching_round.pk)
        if current.status in (RoundStatus.PROPOSED, RoundStatus.FAILED):
            break
        time.sleep(0.1)
    assert current.status == RoundStatus.PROPOSED, current.error
    assert current.progress == 100
    assert current.stats["matched"] == 4
    assert set(current.stats["timings"]) == {"score", "rules", "solve", "explain"}
    with org_a.scope():
        assert ProposedPair.objects.filter(round=current).count() == 4
