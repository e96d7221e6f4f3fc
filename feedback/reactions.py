"""How feedback follows changes made below it (connected in ``FeedbackConfig.ready``).

Check-ins are planned from a pair's dates and status and from its program's dates, cadence and time
zone, and engagement is scored from the same facts, so each change re-plans the check-ins and
rescores the pairs once it commits, in the changed object's organisation: one pair inline (a fixed
handful of queries), many pairs in a task.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from feedback import engagement
from feedback.checkins import plan_pair
from feedback.tasks import (
    plan_pair_check_ins,
    plan_program_check_ins,
    refresh_engagement,
    refresh_program_engagement,
)
from matching.models import Pair
from matching.signals import pair_changed, pairs_published
from organizations.scope import tenant_scope
from organizations.tasks import enqueue_on_commit
from programs.hooks import schedule_changed
from programs.models import Program


@receiver(schedule_changed, dispatch_uid="feedback.replan_program")
def replan_program(sender: type, *, program: Program, **kwargs: Any) -> None:
    """Every open pair of the program is re-planned and rescored in tasks (there may be
    hundreds): its dates set the check-in calendar and the share of the term gone."""
    enqueue_on_commit(
        plan_program_check_ins, organization_id=program.organization_id, program_id=program.pk
    )
    enqueue_on_commit(
        refresh_program_engagement, organization_id=program.organization_id, program_id=program.pk
    )


@receiver(pairs_published, dispatch_uid="feedback.plan_published")
def plan_published(
    sender: type, *, organization_id: int, pair_ids: list[int], **kwargs: Any
) -> None:
    enqueue_on_commit(plan_pair_check_ins, organization_id=organization_id, pair_ids=pair_ids)
    enqueue_on_commit(refresh_engagement, organization_id=organization_id, pair_ids=pair_ids)


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


@receiver(pair_changed, dispatch_uid="feedback.rescore_pair")
def rescore_pair(sender: type, *, pair: Pair, **kwargs: Any) -> None:
    """A pair started, paused, resumed, was extended, completed or ended: its score follows (a
    pair no longer open is simply not scored again)."""
    engagement.refresh_on_commit(pair)
