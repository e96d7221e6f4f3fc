"""Feedback's Celery tasks: touchpoint sending, check-in planning, and pair care (the nightly
engagement run and the refreshes queued when many pairs change at once). Task names are stable:
beat and queued messages refer to them."""

from __future__ import annotations

from celery import shared_task

from feedback import engagement, touchpoints
from organizations.models import Organization
from organizations.tasks import TenantTask

# A nightly run still queued after this long is dropped: the next night's run replaces it.
RUN_EXPIRES_SECONDS = 6 * 3600


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


# --- Pair care: engagement ------------------------------------------------------------------------


@shared_task(name="feedback.engagement_nightly", ignore_result=True)
def engagement_nightly() -> int:
    """Beat, nightly: queue one engagement run per active organisation. Returns how many."""
    organization_ids = list(
        Organization.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    for organization_id in organization_ids:
        compute_engagement.apply_async(
            kwargs={"organization_id": organization_id}, expires=RUN_EXPIRES_SECONDS
        )
    return len(organization_ids)


@shared_task(base=TenantTask, name="feedback.compute_engagement", ignore_result=True)
def compute_engagement() -> int:
    """The organisation's nightly pair care, each step idempotent: pauses whose date came resume,
    every open pair's check-ins are re-planned (a safety net: changes re-plan at once), then every
    started pair is scored for its program's local today (one snapshot per pair and day, each
    nudge and digest email once). Returns pairs scored."""
    from feedback.checkins import plan_program
    from matching.models import OPEN_PAIR_STATUSES
    from matching.pairs import resume_due_pairs
    from programs.models import Program

    resume_due_pairs()
    for program in Program.objects.filter(pairs__status__in=OPEN_PAIR_STATUSES).distinct():
        plan_program(program)
    return len(engagement.compute_all())


@shared_task(base=TenantTask, name="feedback.refresh_engagement", ignore_result=True)
def refresh_engagement(*, pair_ids: list[int]) -> int:
    """Rescore these pairs (newly published ones: many at once, off the request). Returns pairs
    scored."""
    return len(engagement.refresh_pairs(pair_ids))


@shared_task(base=TenantTask, name="feedback.refresh_program_engagement", ignore_result=True)
def refresh_program_engagement(*, program_id: int) -> int:
    """Rescore every open pair of the program after its dates changed. Returns pairs scored."""
    from programs.models import Program

    program = Program.objects.filter(pk=program_id).first()
    return len(engagement.refresh_program(program)) if program is not None else 0


@shared_task(
    base=TenantTask,
    name="feedback.send_partner_notice",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def send_partner_notice(*, pair_id: int, by_id: int, kind: str, object_id: int) -> str:
    """Email the partner about a session to confirm or a shared note (``feedback.notices``)."""
    from feedback.notices.partner import partner_notice

    return partner_notice(pair_id=pair_id, by_id=by_id, kind=kind, object_id=object_id)


@shared_task(
    base=TenantTask,
    name="feedback.send_session_invitation",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def send_session_invitation(*, session_id: int, sequence: int, method: str) -> str:
    """Email both members a planned session's invitation or cancellation (``.ics`` attached)."""
    from feedback.sessions.planned import send_invitation

    return send_invitation(session_id=session_id, sequence=sequence, method=method)
