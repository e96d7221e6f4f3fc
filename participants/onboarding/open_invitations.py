"""Invitations still open when a program moves to matching: shown, then closed or kept by a clear
choice of the program's staff, never dropped silently.

Moving from enrolling to matching waits (``programs.hooks.transition_checks``, registered in
``participants/program_hooks.py``) while an unanswered invitation is not covered by a "keep"
decision. The enrolment page offers the choice:

- **close**: each open invitation is withdrawn with a reason (audited one by one, like a withdrawal
  by the staff); its link then says the invitation is closed;
- **keep**: a decision row records who kept how many open, and when; those people can still accept
  during matching (and join a later round). An invitation sent after the decision asks again.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet

from accounts.models import User
from organizations.audit import log_action
from participants import access
from participants import enrollment as enrolment
from participants.models import Enrollment, EnrollmentStatus, InvitationsKeptOpen
from programs.models import Program, ProgramStatus

CLOSED_REASON = "The invitation was closed when matching started."
# The choice staff make about open invitations at matching (the page's radio buttons, the API's
# ``decision``).
DECISIONS = (("close", "Close them"), ("keep", "Keep them open through matching"))
DECIDABLE = (ProgramStatus.DRAFT, ProgramStatus.ENROLLING, ProgramStatus.MATCHING)


def open_invitations(program: Program) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(program=program, status=EnrollmentStatus.INVITED)


def undecided_count(program: Program) -> int:
    """Open invitations that no "keep" decision covers (sent, or re-sent, after the last one)."""
    invitations = open_invitations(program)
    decided = InvitationsKeptOpen.objects.filter(program=program).aggregate(at=Max("decided_at"))
    if decided["at"] is not None:
        invitations = invitations.filter(status_changed_at__gt=decided["at"])
    return invitations.count()


def _require_staff(actor: User, program: Program) -> None:
    access.user_program_enrollment_access(actor, program).require(access.MANAGE)
    if program.status not in DECIDABLE:
        raise ValidationError(
            {"decision": [f"The program is {program.get_status_display().lower()}."]}
        )


def close_open_invitations(*, actor: User, program: Program) -> int:
    """Withdraw every open invitation of the program (their links stop working). Audited."""
    _require_staff(actor, program)
    closed = 0
    with transaction.atomic():
        for enrollment in open_invitations(program).select_related("person", "program"):
            enrolment.enrollment_withdraw(enrollment=enrollment, actor=actor, reason=CLOSED_REASON)
            closed += 1
        log_action(
            actor=actor,
            action="enrollment.open_invitations_closed",
            target=program,
            data={"program": program.pk, "closed": closed},
        )
    return closed


def keep_open_invitations(*, actor: User, program: Program) -> InvitationsKeptOpen:
    """Record that the open invitations stay open through matching. Audited."""
    _require_staff(actor, program)
    with transaction.atomic():
        count = open_invitations(program).count()
        decision = InvitationsKeptOpen.objects.create(
            organization_id=program.organization_id,
            program=program,
            decided_by=actor,
            open_count=count,
        )
        log_action(
            actor=actor,
            action="enrollment.open_invitations_kept",
            target=program,
            data={"program": program.pk, "kept": count},
        )
    return decision
