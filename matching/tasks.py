"""The matching round as a tenant task: it takes an id, claims its round with a conditional update
(``matching.rounds.run.run_round``), so a repeated message is a no-op."""

from __future__ import annotations

from celery import shared_task

from matching.rounds import run
from organizations.tasks import TenantTask


@shared_task(base=TenantTask, name="matching.run_round", ignore_result=True)
def run_round(*, round_id: int) -> str:
    return run.run_round(round_id=round_id)


@shared_task(base=TenantTask, name="matching.resume_paused_pairs", ignore_result=True)
def resume_paused_pairs() -> int:
    """Nightly per organisation: pairs whose pause is over become active again (idempotent)."""
    from matching.pairs import resume_due_pairs

    return resume_due_pairs()


@shared_task(name="matching.recover_stalled_rounds", ignore_result=True)
def recover_stalled_rounds() -> dict[str, int]:
    """Beat, every minute: rounds whose worker died are queued again or failed with a reason."""
    from matching.rounds.recovery import recover_stalled_rounds as recover

    return recover()
