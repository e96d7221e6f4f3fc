"""Builders for the round and matching API tests (no tests here): a program in its matching phase
with accepted mentors (juniors) and mentees (executives) whose skills line up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import User
from matching.models import MatchingRound
from matching.rounds.config import round_create
from matching.rounds.run import round_start, run_round
from participants.models import (
    CharterAcceptance,
    Enrollment,
    EnrollmentInterest,
    EnrollmentRole,
    EnrollmentSkill,
    EnrollmentStatus,
    Person,
)
from programs.models import Program, ProgramStatus, Topic
from programs.selectors import current_charter
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import (
    enrol,
    make_charter,
    make_person,
    make_program,
)

WEIGHTS: dict[str, float] = {"complementarity": 5, "interests": 2, "time_zone": 1}


@dataclass
class Cohort:
    program: Program
    mentors: list[Enrollment]
    mentees: list[Enrollment]
    topics: list[Topic]


def add_person(
    tenant: Tenant,
    program: Program,
    role: str,
    *,
    topics: list[Topic],
    levels: dict[int, int],
    user: User | None = None,
    **person: Any,
) -> Enrollment:
    """An accepted enrolment whose skills (teach for mentors, learn for mentees) are ``levels``
    keyed by position in ``topics``."""
    person.setdefault("level", 1 if role == EnrollmentRole.MENTOR else 6)
    people: Person = make_person(tenant, user=user, **person)
    enrollment = enrol(tenant, program, people, role, EnrollmentStatus.ACCEPTED)
    direction = "teach" if role == EnrollmentRole.MENTOR else "learn"
    with tenant.scope():
        for position, level in levels.items():
            EnrollmentSkill.objects.create(
                organization=tenant.organization,
                enrollment=enrollment,
                topic=topics[position],
                direction=direction,
                level=level,
            )
            EnrollmentInterest.objects.create(
                organization=tenant.organization, enrollment=enrollment, topic=topics[position]
            )
    return enrollment


def accept_charter(tenant: Tenant, program: Program, enrollments: list[Enrollment]) -> None:
    """Publish a charter (v1) unless there is one, and have these people accept the current one."""
    with tenant.scope():
        charter = current_charter(program=program) or make_charter(program, 1)
        for enrollment in enrollments:
            CharterAcceptance.objects.get_or_create(
                organization_id=program.organization_id,
                enrollment=enrollment,
                charter_version=charter,
            )


def matching_cohort(
    tenant: Tenant, size: int = 3, *, topic_count: int = 3, charter_accepted: bool = True
) -> Cohort:
    """``size`` mentors and ``size`` mentees; mentor k teaches topic k best, mentee k wants it.

    With ``charter_accepted`` everyone accepted the program's charter, so published pairs start
    active; otherwise they wait for it (pending).
    """
    program = make_program(tenant, status=ProgramStatus.MATCHING)
    with tenant.scope():
        topics = [
            Topic.objects.create(organization=tenant.organization, name=f"Topic {program.pk}-{k}")
            for k in range(max(topic_count, size))
        ]
    mentors = [
        add_person(
            tenant, program, EnrollmentRole.MENTOR, topics=topics, levels={k: 5, (k + 1) % size: 1}
        )
        for k in range(size)
    ]
    mentees = [
        add_person(tenant, program, EnrollmentRole.MENTEE, topics=topics, levels={k: 5})
        for k in range(size)
    ]
    if charter_accepted:
        accept_charter(tenant, program, [*mentors, *mentees])
    return Cohort(program, mentors, mentees, topics)


def proposed_round(tenant: Tenant, cohort: Cohort, **config: Any) -> MatchingRound:
    """A round run synchronously (the task body) up to its proposals."""
    config.setdefault("weights", WEIGHTS)
    with tenant.scope():
        matching_round = round_create(program=cohort.program, actor=tenant.admin.user, **config)
        round_start(matching_round=matching_round, actor=tenant.admin.user)
        assert run_round(round_id=matching_round.pk) == "proposed"
        matching_round.refresh_from_db()
    return matching_round
