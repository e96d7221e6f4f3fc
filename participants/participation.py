"""What a participant does in their program: accept the charter and complete the training; and
what the program's staff read of it (accepted counts, training completion rates).

The current charter is the latest published version. Accepting records that exact version, so
publishing a new version asks everyone again (``needs_charter_acceptance`` turns true). Only the
enrolled person accepts or marks training done; both are idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q

from accounts.models import User
from organizations.audit import log_action
from participants.models import (
    CharterAcceptance,
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
    TrainingCompletion,
)
from participants.signals import charter_accepted
from programs import selectors
from programs.models import Audience, CharterVersion, Program, TrainingResource

PARTICIPATING_STATUSES = (
    EnrollmentStatus.INVITED,
    EnrollmentStatus.APPLIED,
    EnrollmentStatus.ACCEPTED,
    EnrollmentStatus.WAITLISTED,
)


def audience_of(role: str) -> str:
    return Audience.MENTORS if role == EnrollmentRole.MENTOR else Audience.MENTEES


# --- Charter ------------------------------------------------------------------------------------


def current_charter(program: Program) -> CharterVersion | None:
    """The latest published version (the rule lives in ``programs.selectors``)."""
    return selectors.current_charter(program=program)


@dataclass(frozen=True)
class CharterState:
    current: CharterVersion | None
    accepted_version: int | None  # the newest version this participant accepted

    @property
    def needs_acceptance(self) -> bool:
        return self.current is not None and self.accepted_version != self.current.version

    @property
    def new_version_published(self) -> bool:
        """They accepted an earlier version; a newer one was published since."""
        return self.needs_acceptance and self.accepted_version is not None


def charter_state(enrollment: Enrollment) -> CharterState:
    accepted = (
        CharterAcceptance.objects.filter(enrollment=enrollment)
        .order_by("-charter_version__version")
        .values_list("charter_version__version", flat=True)
        .first()
    )
    return CharterState(current=current_charter(enrollment.program), accepted_version=accepted)


def needs_charter_acceptance(enrollment: Enrollment) -> bool:
    return charter_state(enrollment).needs_acceptance


def _require_participant(enrollment: Enrollment, actor: User) -> None:
    if enrollment.person.user_id != actor.pk:
        raise PermissionDenied("Only the enrolled person can do this.")
    if enrollment.status not in PARTICIPATING_STATUSES:
        raise ValidationError(
            f"Your enrolment is {enrollment.get_status_display().lower()}; there is nothing to do."
        )


def charter_accept(*, enrollment: Enrollment, actor: User) -> CharterAcceptance:
    """Accept the current charter version (accepting it again changes nothing)."""
    _require_participant(enrollment, actor)
    with transaction.atomic():
        charter = current_charter(enrollment.program)
        if charter is None:
            raise ValidationError("This program has no charter to accept yet.")
        acceptance, created = CharterAcceptance.objects.get_or_create(
            enrollment=enrollment,
            charter_version=charter,
            defaults={"organization_id": enrollment.organization_id},
        )
        if created:
            log_action(
                actor=actor,
                action="charter.accepted",
                target=acceptance,
                data={"program": enrollment.program_id, "version": charter.version},
            )
            # Inside the transaction: a published pair starts once both people accepted.
            charter_accepted.send(sender=Enrollment, enrollment=enrollment, actor=actor)
    return acceptance


# --- Staff figures -------------------------------------------------------------------------------


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
    resources = list(selectors.training_list(program=program))
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


# --- Training -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingItem:
    resource: TrainingResource
    completed_at: datetime | None

    @property
    def done(self) -> bool:
        return self.completed_at is not None


def training_for_role(program: Program, role: str) -> list[TrainingResource]:
    return list(
        TrainingResource.objects.filter(
            program=program, audience__in=(Audience.BOTH, audience_of(role))
        ).order_by("position", "id")
    )


def training_for(enrollment: Enrollment) -> list[TrainingItem]:
    """The training this participant should do (their role's and everyone's), with completion."""
    done = dict(
        TrainingCompletion.objects.filter(enrollment=enrollment).values_list(
            "resource_id", "completed_at"
        )
    )
    return [
        TrainingItem(resource=resource, completed_at=done.get(resource.pk))
        for resource in training_for_role(enrollment.program, enrollment.role)
    ]


def required_training_left(items: list[TrainingItem]) -> int:
    return sum(1 for item in items if item.resource.required and not item.done)


def training_complete(
    *, enrollment: Enrollment, resource: TrainingResource, actor: User
) -> TrainingCompletion:
    """Mark a training resource done (marking it again changes nothing)."""
    _require_participant(enrollment, actor)
    if resource.program_id != enrollment.program_id or resource.audience not in (
        Audience.BOTH,
        audience_of(enrollment.role),
    ):
        raise ValidationError({"resource": "This training is not part of your program."})
    with transaction.atomic():
        completion, created = TrainingCompletion.objects.get_or_create(
            enrollment=enrollment,
            resource=resource,
            defaults={"organization_id": enrollment.organization_id},
        )
        if created:
            log_action(
                actor=actor,
                action="training.completed",
                target=completion,
                data={"program": enrollment.program_id, "resource": resource.pk},
            )
    return completion
