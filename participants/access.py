"""Enrolments: who may see one and what they may do to it. The one policy that the enrolment pages,
the API and the enrolment services ask.

Someone looking at an enrolment is its **person** (the enrolled person, through their account), its
program's **staff** (admins; coordinators assigned to the program, per ``programs.access``), or
nobody: every other member of the organisation gets 404, as for another organisation's enrolment.
One person can be both (an admin who is a mentee): they get the union.

=============================================  =====  ======  ===========  ======
permission                                     staff  person  coordinator  member
                                                              elsewhere
=============================================  =====  ======  ===========  ======
enrollment.view                                yes    yes     404          404
enrollment.manage (a program's enrolments:     yes    —       404          403
  the list, the waitlist, inviting people)
enrollment.approve / enrollment.reject         yes    403     404          403
  (answer an application: approve accepts,
  or waitlists a mentor when places are full)
enrollment.accept / enrollment.decline         403    yes     404          404
  (answer one's own invitation)
enrollment.withdraw (a reason is required)     yes    yes     404          404
enrollment.edit_registration                   403    yes     404          404
=============================================  =====  ======  ===========  ======

"Coordinator elsewhere" is a coordinator not assigned to the enrolment's program; "member" a member
who is not the enrolled person.

The staff actions (manage, approve, reject) are refused to a **member** by role, before any id is
looked up (``enrollment_access(membership)`` without an enrolment): a member knows their role, and
the answer never tells whether an enrolment exists. Whether an action fits the enrolment's state
(approving what is not an application, withdrawing twice) is not access: the services refuse it
with a validation error.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from core.access import Access
from organizations.models import Membership
from organizations.selectors import membership_of
from participants.models import Enrollment
from programs.access import managed_program, managed_programs, manages
from programs.models import Program

VIEW = "enrollment.view"
MANAGE = "enrollment.manage"
APPROVE = "enrollment.approve"
REJECT = "enrollment.reject"
ACCEPT = "enrollment.accept"
DECLINE = "enrollment.decline"
WITHDRAW = "enrollment.withdraw"
EDIT_REGISTRATION = "enrollment.edit_registration"
PERMISSIONS = (VIEW, MANAGE, APPROVE, REJECT, ACCEPT, DECLINE, WITHDRAW, EDIT_REGISTRATION)

STAFF_PERMISSIONS = frozenset({VIEW, MANAGE, APPROVE, REJECT, WITHDRAW})
PERSON_PERMISSIONS = frozenset({VIEW, ACCEPT, DECLINE, WITHDRAW, EDIT_REGISTRATION})

STAFF_ONLY = "Only the program's admins and coordinators can do this."
PERSON_ONLY = "Only the enrolled person can do this."
_REFUSALS = {
    MANAGE: STAFF_ONLY,
    APPROVE: STAFF_ONLY,
    REJECT: STAFF_ONLY,
    ACCEPT: PERSON_ONLY,
    DECLINE: PERSON_ONLY,
    EDIT_REGISTRATION: "Only the enrolled person can fill in their registration.",
}


def enrollment_access(
    membership: Membership | None, enrollment: Enrollment | None = None
) -> Access:
    """What ``membership`` may do to ``enrollment``; without one, what its role could ever do to an
    enrolment it sees (asked before an id is looked up)."""
    if membership is None:
        return Access.of((), _REFUSALS)
    if enrollment is None:
        granted = set(PERSON_PERMISSIONS)
        if membership.is_staff_role:
            granted |= STAFF_PERMISSIONS
        return Access.of(granted, _REFUSALS)
    granted = set()
    if enrollment.person.user_id == membership.user_id:
        granted |= PERSON_PERMISSIONS
    if membership.is_staff_role and manages(membership, enrollment.program_id):
        granted |= STAFF_PERMISSIONS
    return Access.of(granted, _REFUSALS)


def program_enrollment_access(membership: Membership | None, program: Program) -> Access:
    """Managing enrolment is done in a program: its staff may (``enrollment.manage``), nobody
    else (the use cases answer 404 to a coordinator not assigned to it, as ``programs.access``)."""
    staff = membership is not None and membership.is_staff_role and manages(membership, program.pk)
    return Access.of({MANAGE} if staff else (), _REFUSALS)


def user_enrollment_access(actor: User, enrollment: Enrollment) -> Access:
    """The same answer for a user, through their membership in the organisation in scope (for the
    services, which take the acting user)."""
    return enrollment_access(membership_of(actor), enrollment)


def user_program_enrollment_access(actor: User, program: Program) -> Access:
    return program_enrollment_access(membership_of(actor), program)


# --- Enrolments resolved through the policy (404 when invisible) -----------------------------------


def _enrollments() -> QuerySet[Enrollment]:
    return Enrollment.objects.select_related("person", "program")


def visible_enrollments(membership: Membership) -> QuerySet[Enrollment]:
    """One's own enrolments, plus every enrolment of the programs one runs."""
    visible = Q(person__user_id=membership.user_id)
    if membership.is_staff_role:
        visible |= Q(program__in=managed_programs(membership))
    return _enrollments().filter(visible)


def visible_enrollment(
    membership: Membership, enrollment_id: int, *, program_id: int | None = None
) -> Enrollment:
    """An enrolment this member may see. With ``program_id`` (the staff pages, whose URLs sit under
    a program) the program must be one they run and the enrolment one of its own."""
    if program_id is not None:
        enrollments = _enrollments().filter(program=managed_program(membership, program_id))
    else:
        enrollments = visible_enrollments(membership)
    enrollment = enrollments.filter(pk=enrollment_id).first()
    if enrollment is None:
        raise Http404("No such enrolment.")
    return enrollment


def own_enrollment(membership: Membership, program_id: int) -> Enrollment:
    """The member's own enrolment in a program (the participant's pages address it by program)."""
    enrollment = _enrollments().filter(person__user_id=membership.user_id, program_id=program_id)
    found = enrollment.first()
    if found is None:
        raise Http404("You are not in this program.")
    return found
