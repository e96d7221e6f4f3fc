"""How feedback follows changes made below it (connected in ``FeedbackConfig.ready``).

Check-ins are planned from a pair's dates and status and from its program's dates, cadence and time
zone, so each change re-plans them once it commits, in the changed object's organisation.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from feedback.checkins import plan_pair
from feedback.tasks import plan_pair_check_ins, plan_program_check_ins
from matching.models import Pair
from matching.signals import pair_changed, pairs_published
from organizations.scope import tenant_scope
from organizations.tasks import enqueue_on_commit
from programs.hooks import schedule_changed
from programs.models import Program


@receiver(schedule_changed, dispatch_uid="feedback.replan_program")
def replan_program(sender: type, *, program: Program, **kwargs: Any) -> None:
    """Every open pair of the program is re-planned in a task (there may be hundreds)."""
    enqueue_on_commit(
        plan_program_check_ins, organization_id=program.organization_id, program_id=program.pk
    )


@receiver(pairs_published, dispatch_uid="feedback.plan_published")
def plan_published(
    sender: type, *, organization_id: int, pair_ids: list[int], **kwargs: Any
) -> None:
    enqueue_on_commit(plan_pair_check_ins, organization_id=organization_id, pair_ids=pair_ids)


@receiver(pair_changed, dispatch_uid="feedback.replan_pair")
def replan_pair(sender: type, *, pair: Pair, **kwargs: Any) -> None:
    """Re-planned in the pair's organisation (the callback may run after the request's scope
    ended). A failure is logged, not raised: the change itself is committed, and the nightly
    re-plan catches up."""
    organization_id, pair_id = pair.organization_id, pair.pk

    def replan() -> None:
        with tenant_scope(organization_id):
            plan_pair(Pair.objects.select_related("program").get(pk=pair_id))

    transaction.on_commit(replan, robust=True)
