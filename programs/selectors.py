"""Reads of program data, always inside the request's organisation scope.

Visibility (the one rule, tested in tests/programs/test_permissions.py): admins see every program of
the organisation; coordinators see the programs they are assigned to; members see none here (they
see their own enrolments on the participant pages).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from organizations.models import Membership, Role
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus, TrainingCompletion
from programs.models import (
    Audience,
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
    """The programs this member may manage (see the module docstring)."""
    programs = Program.objects.all()
    if membership.role == Role.ADMIN:
        return programs
    if membership.role == Role.COORDINATOR:
        assigned = ProgramCoordinator.objects.filter(user_id=membership.user_id)
        return programs.filter(pk__in=assigned.values("program_id"))
    return programs.none()


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


def accepted_counts(*, program: Program) -> dict[str, int]:
    """Accepted participants per enrolment role, in one query: {"mentor": n, "mentee": m}."""
    rows = (
        Enrollment.objects.filter(program=program, status=EnrollmentStatus.ACCEPTED)
        .values("role")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(EnrollmentRole.values, 0)
    counts.update({row["role"]: row["n"] for row in rows})
    return counts


@dataclass(frozen=True)
class TrainingRate:
    resource: TrainingResource
    completed: int
    enrolled: int

    @property
    def percent(self) -> int | None:
        if not self.enrolled:
            return None
        return round(100 * self.completed / self.enrolled)


def _audience_roles(audience: str) -> tuple[str, ...]:
    if audience == Audience.MENTORS:
        return (EnrollmentRole.MENTOR,)
    if audience == Audience.MENTEES:
        return (EnrollmentRole.MENTEE,)
    return (EnrollmentRole.MENTOR, EnrollmentRole.MENTEE)


def training_completion_rates(*, program: Program) -> list[TrainingRate]:
    """Completed / accepted participants of each resource's audience, in three queries whatever
    the number of resources and people."""
    resources = list(training_list(program=program))
    enrolled = accepted_counts(program=program)
    in_audience = (
        Q(resource__audience=Audience.BOTH)
        | Q(resource__audience=Audience.MENTORS, enrollment__role=EnrollmentRole.MENTOR)
        | Q(resource__audience=Audience.MENTEES, enrollment__role=EnrollmentRole.MENTEE)
    )
    completed = dict(
        TrainingCompletion.objects.filter(
            in_audience,
            resource__program=program,
            enrollment__status=EnrollmentStatus.ACCEPTED,
        )
        .values("resource")
        .annotate(n=Count("id"))
        .values_list("resource", "n")
    )
    return [
        TrainingRate(
            resource=resource,
            completed=completed.get(resource.pk, 0),
            enrolled=sum(enrolled[role] for role in _audience_roles(resource.audience)),
        )
        for resource in resources
    ]


def status_choices() -> list[tuple[str, str]]:
    return list(ProgramStatus.choices)
