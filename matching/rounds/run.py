"""Running a round: queue it (one queued or running round per program), then the task body that
claims it, runs the engine and stores the proposals with their explanations."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from core import leases
from matching import engine
from matching.loading import load_cohort
from matching.models import MatchingRound, ProposedPair, RoundStatus, UnmatchedEntry
from matching.rounds import access
from matching.rounds.config import ROUND_PROGRAM_STATUSES
from organizations.audit import log_action
from organizations.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_SECONDS = 0.5
STALE_RUN_AFTER = timedelta(minutes=30)
STARTABLE = (RoundStatus.DRAFT, RoundStatus.FAILED, RoundStatus.PROPOSED)
KEEP_SWAPS = "pin"
DISCARD_SWAPS = "discard"
SWAP_CHOICES = (KEEP_SWAPS, DISCARD_SWAPS)


def swapped_count(matching_round: MatchingRound) -> int:
    """How many proposals of an unpublished round an administrator swapped (0 once published)."""
    if matching_round.status != RoundStatus.PROPOSED:
        return 0
    return ProposedPair.objects.filter(round=matching_round, swapped=True).count()


def swaps_question(count: int) -> str:
    pairs = "1 pair" if count == 1 else f"{count} pairs"
    return (
        f"You swapped the mentors of {pairs} in this round. A re-run computes every pair again: "
        "choose to keep your swaps (they become pins) or to discard them."
    )


def mark_queued(round_id: int) -> None:
    """The round waits for a worker. The database refuses a second queued or running round of one
    program (``IntegrityError``)."""
    MatchingRound.objects.filter(pk=round_id).update(
        status=RoundStatus.QUEUED,
        progress=0,
        progress_message="Waiting for a worker",
        error="",
        started_at=None,
        finished_at=None,
        worker="",
        attempts=0,
    )


def round_start(
    *, matching_round: MatchingRound, actor: User | None, swaps: str = ""
) -> MatchingRound:
    """Queue the round's task. The database refuses a second queued or running round.

    A re-run never drops an administrator's swaps silently: when the round has swapped pairs,
    ``swaps`` must say what becomes of them — ``"pin"`` pins them first (so the re-run keeps
    them), ``"discard"`` lets the re-run recompute them; anything else is refused with the
    question."""
    from matching import tasks
    from matching.rounds import editing

    access.require(actor, matching_round, access.RUN)
    with transaction.atomic():
        locked = (
            MatchingRound.objects.select_for_update(of=("self",))
            .select_related("program")
            .get(pk=matching_round.pk)
        )
        if locked.program.status not in ROUND_PROGRAM_STATUSES:
            raise ValidationError("The program is no longer matching or active: no round can run.")
        if locked.status not in STARTABLE:
            raise ValidationError(f"A {locked.get_status_display().lower()} round cannot be run.")
        swapped = swapped_count(locked)
        pinned = 0
        if swapped and swaps not in SWAP_CHOICES:
            raise ValidationError({"swaps": swaps_question(swapped)})
        if swapped and swaps == KEEP_SWAPS:
            pinned = len(editing.pin_swapped(matching_round=locked, actor=actor))
        try:
            with transaction.atomic():
                mark_queued(locked.pk)
        except IntegrityError:
            raise ValidationError(
                "Another round of this program is already queued or running. Wait for it to finish."
            ) from None
        log_action(
            actor=actor,
            action="matching.round_start",
            target=locked,
            data={"swapped": swapped, "swaps": swaps if swapped else "", "pinned": pinned},
        )
        enqueue_on_commit(
            tasks.run_round, organization_id=locked.organization_id, round_id=locked.pk
        )
    matching_round.refresh_from_db()
    return matching_round


def alternatives_payload(items: tuple[engine.Alternative, ...]) -> list[dict[str, Any]]:
    """Runners-up as stored in ``ProposedPair.alternatives``."""
    return [{"enrollment_id": a.enrollment_id, "name": a.name, "score": a.score} for a in items]


def round_stats(scores: list[float], unmatched: int, timings: dict[str, float]) -> dict[str, Any]:
    """A round's figures as stored in ``MatchingRound.stats``."""
    total = float(sum(scores))
    return {
        "matched": len(scores),
        "unmatched": unmatched,
        "total": total,
        "mean": total / len(scores) if scores else 0.0,
        "minimum": min(scores) if scores else 0.0,
        "timings": timings,
    }


def run_round(*, round_id: int) -> str:
    """Task body: claim the queued round, run the engine, store the proposals. Idempotent: a round
    that is no longer queued (claimed by a live worker, finished or published) is left alone."""
    now = timezone.now()
    # A round left "running" by a worker that died long ago may be claimed again (the message is
    # redelivered: acks_late); the old worker, if it ever wakes up, no longer matches ``mine``.
    claimable = Q(status=RoundStatus.QUEUED) | Q(
        status=RoundStatus.RUNNING, started_at__lt=now - STALE_RUN_AFTER
    )
    claimed = MatchingRound.objects.filter(claimable, pk=round_id).update(
        status=RoundStatus.RUNNING,
        started_at=now,
        progress=1,
        progress_message="Loading profiles",
        worker=leases.process_token(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped"
    matching_round = MatchingRound.objects.select_related("program", "rematch_for").get(pk=round_id)
    mine = MatchingRound.objects.filter(pk=round_id, status=RoundStatus.RUNNING, started_at=now)
    last_write = [0.0]

    def progress(stage: str, fraction: float) -> None:
        moment = time.monotonic()
        if fraction < 1 and moment - last_write[0] < PROGRESS_INTERVAL_SECONDS:
            return
        last_write[0] = moment
        mine.update(progress=10 + int(80 * fraction), progress_message=f"Finished: {stage}")

    try:
        loaded = load_cohort(matching_round.program, rematch_for=matching_round.rematch_for)
        mine.update(progress=10, progress_message="Scoring")
        result = engine.run_round(
            loaded.cohort,
            config=engine.ScoringConfig(weights=matching_round.weights),
            rules=engine.HardRules(**matching_round.rules),
            constraints=loaded.constraints,
            mode=engine.Mode(matching_round.mode),
            progress=progress,
        )
    except engine.MatchingError as exc:
        mine.update(
            status=RoundStatus.FAILED, error=str(exc), progress=100, finished_at=timezone.now()
        )
        return "failed"
    except Exception:
        logger.exception("matching round %s failed", round_id)
        mine.update(
            status=RoundStatus.FAILED,
            error="The round could not be computed. Try again or contact support.",
            progress=100,
            finished_at=timezone.now(),
        )
        raise
    assert result.explanations is not None
    store_result(matching_round, result, mine)
    return "proposed"


def store_result(
    matching_round: MatchingRound, result: engine.RoundResult, mine: QuerySet[MatchingRound]
) -> None:
    """Replace the round's proposals and unmatched people with the engine's, unless another worker
    took the round over (``mine`` no longer matches it): its result wins."""
    explanations = result.explanations
    assert explanations is not None
    organization_id = matching_round.organization_id
    with transaction.atomic():
        if not mine.select_for_update().exists():
            return
        ProposedPair.objects.filter(round=matching_round).delete()
        UnmatchedEntry.objects.filter(round=matching_round).delete()
        ProposedPair.objects.bulk_create(
            ProposedPair(
                organization_id=organization_id,
                round=matching_round,
                mentor_id=pair.mentor_id,
                mentee_id=pair.mentee_id,
                score=pair.score,
                breakdown=pair.contributions,
                rationale=pair.rationale,
                alternatives={
                    "mentee": alternatives_payload(pair.mentee_alternatives),
                    "mentor": alternatives_payload(pair.mentor_alternatives),
                },
                pinned=pair.pinned,
            )
            for pair in explanations.pairs
        )
        UnmatchedEntry.objects.bulk_create(
            UnmatchedEntry(
                organization_id=organization_id,
                round=matching_round,
                enrollment_id=entry.enrollment_id,
                reason_code=entry.code,
                reason=entry.reason,
            )
            for entry in explanations.unmatched
        )
        mine.update(
            status=RoundStatus.PROPOSED,
            stats=round_stats(
                [pair.score for pair in explanations.pairs],
                len(explanations.unmatched),
                result.timings,
            ),
            progress=100,
            progress_message="Proposals ready",
            finished_at=timezone.now(),
        )
        log_action(
            actor=None,
            action="matching.round_proposed",
            target=matching_round,
            data={"matched": len(explanations.pairs), "unmatched": len(explanations.unmatched)},
        )
