"""Enrolment actions: one function per action, shared by the pages, the API and the shell.

Each takes the acting membership and, in this order: refuses by role what the role can never do
(403, before any id is looked up), resolves the ids through the enrolment policy (``Http404`` when
invisible), asks the policy about the object (``Forbidden``: 403 with the same message on a page
and in the API), then runs the service, which checks its input (``ValidationError``: 400 with
field messages) and asks the policy again. Pages and API views parse, call one of these, render.

Enrolments are addressed by id; ``program_id`` is given by the staff pages, whose URLs sit under a
program, and then the program must be one the actor runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from organizations.models import Membership
from participants import access
from participants import enrollment as enrolment
from participants.models import Enrollment
from participants.onboarding import open_invitations
from participants.onboarding.sending import invitation_batch_create
from programs.access import managed_program
from programs.models import Program


def managed_enrollment_program(*, actor: Membership, program_id: int) -> Program:
    """The program whose enrolments a staff member opens (its list, waitlist and invitations)."""
    access.enrollment_access(actor).require(access.MANAGE)
    return managed_program(actor, program_id)


def invite_people(
    *, actor: Membership, program_id: int, person_ids: Sequence[Any], role: str
) -> list[Enrollment]:
    """Invite people (ids resolved inside the organisation) in one role: all of them or none.
    Each gets the invitation's email with its one-use link (queued after commit)."""
    program = managed_enrollment_program(actor=actor, program_id=program_id)
    with transaction.atomic():
        invited = enrolment.enrollment_invite(
            program=program, person_ids=person_ids, role=role, actor=actor.user
        )
        invitation_batch_create(
            organization=program.organization,
            actor=actor.user,
            program=program,
            role=role,
            person_ids=[e.person_id for e in invited],
        )
    return invited


def show_enrollment(
    *, actor: Membership, enrollment_id: int, program_id: int | None = None
) -> Enrollment:
    enrollment = access.visible_enrollment(actor, enrollment_id, program_id=program_id)
    access.enrollment_access(actor, enrollment).require(access.VIEW)
    return enrollment


def _act_on(
    actor: Membership, enrollment_id: int, program_id: int | None, permission: str
) -> Enrollment:
    access.enrollment_access(actor).require(permission)
    enrollment = access.visible_enrollment(actor, enrollment_id, program_id=program_id)
    access.enrollment_access(actor, enrollment).require(permission)
    return enrollment


def approve_application(
    *, actor: Membership, enrollment_id: int, program_id: int | None = None
) -> Enrollment:
    """Accept an application, or put a mentor on the waitlist when every mentor place is taken;
    or accept a waitlisted mentor anyway (staff overriding the waitlist)."""
    enrollment = _act_on(actor, enrollment_id, program_id, access.APPROVE)
    with transaction.atomic():
        return enrolment.enrollment_approve(enrollment=enrollment, actor=actor.user)


def reject_application(
    *, actor: Membership, enrollment_id: int, program_id: int | None = None
) -> Enrollment:
    enrollment = _act_on(actor, enrollment_id, program_id, access.REJECT)
    with transaction.atomic():
        return enrolment.enrollment_reject(enrollment=enrollment, actor=actor.user)


def accept_invitation(*, actor: Membership, enrollment_id: int) -> Enrollment:
    """The invited person accepts: accepted, or waitlisted as a mentor when places are full."""
    enrollment = _act_on(actor, enrollment_id, None, access.ACCEPT)
    with transaction.atomic():
        return enrolment.enrollment_accept(enrollment=enrollment, actor=actor.user)


def decline_invitation(*, actor: Membership, enrollment_id: int) -> Enrollment:
    enrollment = _act_on(actor, enrollment_id, None, access.DECLINE)
    with transaction.atomic():
        return enrolment.enrollment_decline(enrollment=enrollment, actor=actor.user)


def withdraw_enrollment(
    *, actor: Membership, enrollment_id: int, reason: str, program_id: int | None = None
) -> Enrollment:
    """Withdraw (the person, or the program's staff) with a reason; a freed mentor place goes to
    the head of the waitlist."""
    enrollment = _act_on(actor, enrollment_id, program_id, access.WITHDRAW)
    with transaction.atomic():
        return enrolment.enrollment_withdraw(enrollment=enrollment, actor=actor.user, reason=reason)


def my_enrollment(*, actor: Membership, program_id: int) -> Enrollment:
    """The actor's own enrolment in a program (404 when they are not in it)."""
    return access.own_enrollment(actor, program_id)


def decide_open_invitations(*, actor: Membership, program_id: int, decision: Any) -> str:
    """Close the open invitations or keep them open; returns what was done, in a sentence."""
    program = managed_enrollment_program(actor=actor, program_id=program_id)
    if decision == "close":
        closed = open_invitations.close_open_invitations(actor=actor.user, program=program)
        return f"{closed} open invitation{'s were' if closed != 1 else ' was'} closed."
    if decision == "keep":
        kept = open_invitations.keep_open_invitations(actor=actor.user, program=program)
        return (
            f"{kept.open_count} open invitation{'s stay' if kept.open_count != 1 else ' stays'} "
            "open: they can still be accepted during matching."
        )
    raise ValidationError({"decision": ["Choose to close the open invitations or keep them."]})
