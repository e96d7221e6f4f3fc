"""Builders for the program dashboard tests (no tests here): a live program written with the ORM
inside the tenant's scope, whose every figure can be counted by hand from the recipe below.

Per pair i (0-based), mentor in Sales (i even) or IT (i odd) at level 3, mentee in Sales at level 8,
both accepted, charter accepted, the required training done, the pair active with score 0.8:

- i % 3 == 0: one confirmed 60-minute session 3 days ago; engagement today healthy (yesterday at risk)
- i % 3 == 1: one confirmed 30-minute session 20 days ago; healthy
- i % 3 == 2: never met; today at risk ("No session yet"), yesterday healthy

Every mentee answered one check-in 5 days ago with rating 4. Besides the pairs, in Sales: two
invited mentees, one waitlisted mentee, one accepted mentor with the charter but no training, one
accepted, trained mentee without a pair. The first mentor enrols again, as a mentor, in a program
that starts later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from feedback.models import (
    CheckIn,
    CheckInStatus,
    EngagementLevel,
    EngagementSnapshot,
    SessionLog,
    SessionStatus,
)
from matching.models import Pair, PairStatus
from participants.models import CharterAcceptance, Enrollment, Person, TrainingCompletion
from programs.models import Program, ProgramStatus
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import (
    assign_coordinator,
    enrol,
    make_charter,
    make_person,
    make_program,
    make_training,
)


@dataclass
class World:
    program: Program
    pairs: list[Pair] = field(default_factory=list)
    mentors: list[Enrollment] = field(default_factory=list)
    mentees: list[Enrollment] = field(default_factory=list)


def live_program(tenant: Tenant, pairs: int) -> World:
    today = date.today()
    program = make_program(
        tenant,
        status=ProgramStatus.ACTIVE,
        start_date=today - timedelta(days=120),
        end_date=today + timedelta(days=60),
    )
    assign_coordinator(tenant, program)
    world = World(program)
    with tenant.scope():
        charter = make_charter(program, 1)
        training = make_training(program, "Listening well", required=True)

        def onboard(enrollment: Enrollment, *, trained: bool = True) -> Enrollment:
            CharterAcceptance.objects.create(
                organization_id=program.organization_id,
                enrollment=enrollment,
                charter_version=charter,
            )
            if trained:
                TrainingCompletion.objects.create(
                    organization_id=program.organization_id,
                    enrollment=enrollment,
                    resource=training,
                )
            return enrollment

        for i in range(pairs):
            mentor = onboard(
                enrol(
                    tenant,
                    program,
                    make_person(tenant, department="Sales" if i % 2 == 0 else "IT", level=3),
                    "mentor",
                    "accepted",
                )
            )
            mentee = onboard(
                enrol(
                    tenant,
                    program,
                    make_person(tenant, department="Sales", level=8),
                    "mentee",
                    "accepted",
                )
            )
            pair = Pair.objects.create(
                organization_id=program.organization_id,
                program=program,
                mentor=mentor,
                mentee=mentee,
                status=PairStatus.ACTIVE,
                score=0.8,
                activated_at=timezone.now() - timedelta(days=90),
            )
            world.pairs.append(pair)
            world.mentors.append(mentor)
            world.mentees.append(mentee)
            if i % 3 in (0, 1):
                SessionLog.objects.create(
                    organization_id=program.organization_id,
                    pair=pair,
                    logged_by=mentor,
                    held_on=today - timedelta(days=3 if i % 3 == 0 else 20),
                    duration_minutes=60 if i % 3 == 0 else 30,
                    status=SessionStatus.CONFIRMED,
                )
            CheckIn.objects.create(
                organization_id=program.organization_id,
                pair=pair,
                enrollment=mentee,
                due_on=today - timedelta(days=5),
                status=CheckInStatus.ANSWERED,
                rating=4,
                answered_at=timezone.now() - timedelta(days=5),
            )
            at_risk_today = i % 3 == 2
            for day, at_risk in ((today - timedelta(days=1), i % 3 == 0), (today, at_risk_today)):
                EngagementSnapshot.objects.create(
                    organization_id=program.organization_id,
                    pair=pair,
                    computed_on=day,
                    score=30 if at_risk else 90,
                    level=EngagementLevel.AT_RISK if at_risk else EngagementLevel.HEALTHY,
                    reasons=[{"code": "no_recent_session", "text": "No session yet", "points": -40}]
                    if at_risk
                    else [],
                )

        def sales(level: int = 5) -> Person:
            return make_person(tenant, department="Sales", level=level)

        for _ in range(2):
            enrol(tenant, program, sales(), "mentee", "invited")
        enrol(tenant, program, sales(), "mentee", "waitlisted")
        onboard(enrol(tenant, program, sales(), "mentor", "accepted"), trained=False)
        onboard(enrol(tenant, program, sales(), "mentee", "accepted"))

        if world.mentors:
            later = make_program(tenant, start_date=today + timedelta(days=90))
            Enrollment.objects.create(
                organization_id=program.organization_id,
                program=later,
                person=world.mentors[0].person,
                role="mentor",
                status="applied",
            )
    return world
