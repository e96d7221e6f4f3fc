from __future__ import annotations

from celery import shared_task

from feedback import touchpoints
from organizations.tasks import TenantTask


@shared_task(name="feedback.sweep_due_touchpoints", ignore_result=True)
def sweep_due_touchpoints() -> int:
    """Beat, every minute: claim due touchpoints in every organisation and queue their sends."""
    return len(touchpoints.sweep_due())


@shared_task(base=TenantTask, name="feedback.send_touchpoint", ignore_result=True)
def send_touchpoint(*, touchpoint_id: int) -> str:
    return touchpoints.deliver(touchpoint_id=touchpoint_id)


@shared_task(base=TenantTask, name="feedback.send_touchpoints", ignore_result=True)
def send_touchpoints(*, touchpoint_ids: list[int]) -> dict[str, int]:
    """Perform a chunk of one organisation's claimed rows (``deliver_many`` claims them again, so a
    redelivered message skips the rows already done). Returns outcome counts."""
    return dict(touchpoints.deliver_many(touchpoint_ids=touchpoint_ids))


@shared_task(base=TenantTask, name="feedback.plan_program_check_ins", ignore_result=True)
def plan_program_check_ins(*, program_id: int) -> None:
    """Re-plan every open pair's check-ins after the program's dates or cadence changed."""
    from feedback.checkins import plan_program
    from programs.models import Program

    program = Program.objects.filter(pk=program_id).first()
    if program is not None:
        plan_program(program)


@shared_task(base=TenantTask, name="feedback.plan_pair_check_ins", ignore_result=True)
def plan_pair_check_ins(*, pair_ids: list[int]) -> int:
    """Plan the check-ins of newly published pairs (many at once: off the request)."""
    from feedback.checkins import plan_pair
    from matching.models import Pair

    planned = 0
    for pair in Pair.objects.filter(pk__in=pair_ids).select_related("program"):
        plan_pair(pair)
        planned += 1
    return planned
