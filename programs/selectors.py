"""Reads of program data, always inside the request's organisation scope.

Visibility (the one rule, tested in tests/programs/test_permissions.py): admins see every program of
the organisation; coordinators see the programs they are assigned to; members see none here (they
see their own enrolments on the participant pages).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from organizations.models import Membership, Role
from programs.access import managed_programs
from programs.models import (
    CharterVersion,
    Objective,
    Program,
    ProgramCoordinator,
    ProgramStatus,
    Topic,
    TrainingResource,
)


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(is_active=True)


def program_list(*, membership: Membership) -> QuerySet[Program]:
    """The programs this member may manage (the rule: ``programs.access``)."""
    return managed_programs(membership)


def program_overview_list(
    *, membership: Membership, status: str | None = None, archived: bool = False
) -> QuerySet[Program]:
    """The list page: filtered, with counts and topics fetched in a fixed number of queries."""
    programs = program_list(membership=membership).filter(archived_at__isnull=not archived)
    if status:
        programs = programs.filter(status=status)
    return (
        programs.annotate(objective_count=Count("objectives", distinct=True))
        .prefetch_related("focus_topics")
        .order_by("-created_at", "-id")
    )


def objective_list(*, program: Program) -> QuerySet[Objective]:
    return Objective.objects.filter(program=program)


def charter_versions(*, program: Program) -> QuerySet[CharterVersion]:
    return CharterVersion.objects.filter(program=program).select_related("published_by")


def current_charter(*, program: Program) -> CharterVersion | None:
    """The latest published version is the one participants accept."""
    return charter_versions(program=program).order_by("-version").first()


def training_list(*, program: Program) -> QuerySet[TrainingResource]:
    return TrainingResource.objects.filter(program=program)


def coordinator_list(*, program: Program) -> QuerySet[ProgramCoordinator]:
    return ProgramCoordinator.objects.filter(program=program).select_related("user")


def program_contacts(*, program: Program) -> list[User]:
    """Who is told about a program's people (a pair ended, someone asks to be contacted, the
    engagement digest): its coordinators, assigned to it or org-wide (``all_programs``), or the
    organisation's admins when it has none. Active accounts, in a stable order."""
    assigned = ProgramCoordinator.objects.filter(program=program).values("user_id")
    org_wide = Membership.objects.filter(role=Role.COORDINATOR, all_programs=True).values("user_id")
    users = User.objects.filter(is_active=True).order_by("pk")
    coordinators = list(users.filter(Q(pk__in=assigned) | Q(pk__in=org_wide)))
    if coordinators:
        return coordinators
    return list(users.filter(pk__in=Membership.objects.filter(role=Role.ADMIN).values("user_id")))


def member_users() -> QuerySet[User]:
    """Users with a membership in this organisation (ids from outside resolve against this)."""
    return User.objects.filter(pk__in=Membership.objects.values("user_id"))


def coordinator_candidates(*, program: Program | None = None) -> QuerySet[User]:
    """Users of this organisation with the coordinator role (not yet assigned to ``program``)."""
    coordinators = Membership.objects.filter(role=Role.COORDINATOR).values("user_id")
    users = User.objects.filter(pk__in=coordinators, is_active=True).order_by("full_name", "email")
    if program is not None:
        assigned = ProgramCoordinator.objects.filter(program=program).values("user_id")
        users = users.exclude(pk__in=assigned)
    return users


def status_choices() -> list[tuple[str, str]]:
    return list(ProgramStatus.choices)
