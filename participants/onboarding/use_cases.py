"""Bulk invitation by email: one function per action, shared by the page and the API.

Each refuses a member by role first (403, before any id is looked up: the enrolment policy's
``enrollment.manage``), resolves the program among those the actor runs (404 otherwise), checks
the input (field messages), then calls the service, which asks the policy again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from organizations.models import Membership
from participants import access
from participants import enrollment as enrolment
from participants.models import InvitationBatch
from participants.onboarding import selection, sending
from participants.use_cases import managed_enrollment_program
from programs.access import managed_programs
from programs.models import Program


def invitable_programs(*, actor: Membership) -> QuerySet[Program]:
    """The programs this staff member may invite people to now (draft or enrolling)."""
    access.enrollment_access(actor).require(access.MANAGE)
    return (
        managed_programs(actor)
        .filter(status__in=enrolment.INVITABLE_PROGRAM_STATUSES, archived_at__isnull=True)
        .order_by("name", "id")
    )


def parse_program_id(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"program": ["Choose a program."]}) from None
    if number < 1:
        raise ValidationError({"program": ["Choose a program."]})
    return number


def invite_by_email(
    *,
    actor: Membership,
    program_id: Any,
    role: Any,
    filters: Mapping[str, Any],
    select_all: bool,
    person_ids: list[int],
    resend: bool = False,
) -> InvitationBatch:
    """Invite the chosen people (ticked, or every match of the filters) and queue their emails."""
    access.enrollment_access(actor).require(access.MANAGE)
    program = managed_enrollment_program(actor=actor, program_id=parse_program_id(program_id))
    cleaned = selection.clean_filters(filters)
    ids = selection.chosen_people(
        program, filters=cleaned, select_all=select_all, person_ids=person_ids
    )
    return sending.invitation_batch_create(
        organization=program.organization,
        actor=actor.user,
        program=program,
        role=role,
        person_ids=ids,
        resend=resend,
        filters=cleaned.as_json() if select_all else None,
    )


def visible_batches(*, actor: Membership) -> QuerySet[InvitationBatch]:
    access.enrollment_access(actor).require(access.MANAGE)
    return InvitationBatch.objects.filter(program__in=managed_programs(actor)).select_related(
        "program", "requested_by"
    )


def show_batch(*, actor: Membership, batch_id: int) -> InvitationBatch:
    batch = visible_batches(actor=actor).filter(pk=batch_id).first()
    if batch is None:
        raise Http404("No such invitation batch.")
    return batch
