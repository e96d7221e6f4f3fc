"""Nightly engagement: beat starts one run per active organisation; each run scores its pairs."""

from __future__ import annotations

from celery import shared_task

from feedback import engagement
from feedback.checkins import plan_program
from matching.models import OPEN_PAIR_STATUSES
from matching.pairs import resume_due_pairs
from organizations.models import Organization
from organizations.tasks import TenantTask
from programs.models import Program

# A run still queued after this long is dropped: the next night's run replaces it.
RUN_EXPIRES_SECONDS = 6 * 3600


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
    resume_due_pairs()
    for program in Program.objects.filter(pairs__status__in=OPEN_PAIR_STATUSES).distinct():
        plan_program(program)
    return len(engagement.compute_all())
