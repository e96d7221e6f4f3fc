"""Program staff: who runs which program. The one policy every app asks about a program.

==========================================  =====  ==========================  ===========
permission                                   admin  coordinator (assigned)      others
==========================================  =====  ==========================  ===========
program.view / program.manage                yes    yes                         404
  (settings, objectives, charter, training,
  enrolment, matching, pairs, review)
program.assign_coordinators                  yes    403                         404
==========================================  =====  ==========================  ===========

A coordinator not assigned to a program, and a plain member, cannot tell it exists (404), exactly
like another organisation's program. Admins see every program of the organisation, and so does an
org-wide coordinator (``Membership.all_programs``, set by an admin on the members page): for them
every program counts as assigned. This module is the one place that rule is written.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from core.access import Access, Forbidden
from organizations.models import Membership, Role
from organizations.selectors import membership_of
from programs.models import Program, ProgramCoordinator

VIEW = "program.view"
MANAGE = "program.manage"
ASSIGN_COORDINATORS = "program.assign_coordinators"

_REFUSALS = {
    MANAGE: "Only the staff of this program do this.",
    ASSIGN_COORDINATORS: "Only an admin assigns a program's coordinators.",
}


def manages_every_program(membership: Membership) -> bool:
    """Admins, and coordinators an admin made org-wide (``all_programs``)."""
    return membership.role == Role.ADMIN or (
        membership.role == Role.COORDINATOR and membership.all_programs
    )


def managed_programs(membership: Membership) -> QuerySet[Program]:
    """Admins and org-wide coordinators: every program; coordinators: the programs assigned to
    them; members: none."""
    programs = Program.objects.all()
    if manages_every_program(membership):
        return programs
    if membership.role == Role.COORDINATOR:
        assigned = ProgramCoordinator.objects.filter(user_id=membership.user_id)
        return programs.filter(pk__in=assigned.values("program_id"))
    return programs.none()


def manages(membership: Membership, program_id: int) -> bool:
    if manages_every_program(membership):
        return True
    return managed_programs(membership).filter(pk=program_id).exists()


def program_access(membership: Membership, program: Program) -> Access:
    granted: set[str] = set()
    if manages(membership, program.pk):
        granted |= {VIEW, MANAGE}
        if membership.is_admin:
            granted.add(ASSIGN_COORDINATORS)
    return Access.of(granted, _REFUSALS)


def managed_program(membership: Membership, program_id: int) -> Program:
    """The program with this id among those ``membership`` manages; Http404 otherwise (another
    organisation's id and a program a coordinator is not assigned to look the same)."""
    program = managed_programs(membership).filter(pk=program_id).first()
    if program is None:
        raise Http404("No such program.")
    return program


def require(actor: User | None, program: Program, permission: str) -> None:
    """For services: refuse ``actor`` unless the policy grants ``permission`` on ``program``
    (``None`` is the system). A member who is not staff is refused (403); a coordinator of
    another program cannot see it (404)."""
    if actor is None:
        return
    membership = membership_of(actor)
    if membership is None or not membership.is_staff_role:
        raise Forbidden(_REFUSALS[MANAGE])
    if not manages(membership, program.pk):
        raise Http404("No such program.")
    program_access(membership, program).require(permission)


def require_program_staff(actor: User | None, program: Program) -> None:
    require(actor, program, MANAGE)
