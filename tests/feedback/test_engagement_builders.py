"""Builders for the engagement and review tests (no tests here): a running program with pairs,
sessions, check-ins and goals created directly in the tenant's scope."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from accounts.models import User
from feedback.models import (
    CheckIn,
    CheckInStatus,
    Goal,
    GoalOwner,
    GoalStatus,
    SessionLog,
    SessionStatus,
)
from matching.models import Pair, PairStatus
from participants.models import EnrollmentRole, EnrollmentStatus
from programs.models import Program, ProgramStatus
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import (
    assign_coordinator,
    enrol,
    make_person,
    make_program,
)

START = date(2030, 1, 1)
MID_REVIEW = date(2030, 4, 1)
END = date(2030, 7, 1)
_counter = itertools.count(1)


def running_program(tenant: Tenant, *, coordinated: bool = True, **fields: Any) -> Program:
    """An active program from 1 Jan to 1 Jul 2030, mid-review 1 Apr, sessions every 14 days."""
    fields.setdefault("status", ProgramStatus.ACTIVE)
    fields.setdefault("start_date", START)
    fields.setdefault("mid_review_date", MID_REVIEW)
    fields.setdefault("end_date", END)
    fields.setdefault("session_cadence_days", 14)
    program = make_program(tenant, **fields)
    if coordinated:
        assign_coordinator(tenant, program)
    return program


def make_pair(
    tenant: Tenant,
    program: Program,
    *,
    status: str = PairStatus.ACTIVE,
    started: date = START,
    mentor_user: User | None = None,
    mentee_user: User | None = None,
) -> Pair:
    """A junior mentor and an executive mentee, accepted in ``program`` and paired."""
    n = next(_counter)
    mentor = enrol(
        tenant,
        program,
        make_person(tenant, user=mentor_user, full_name=f"Mina Mentor {n}", level=2),
        EnrollmentRole.MENTOR,
        EnrollmentStatus.ACCEPTED,
    )
    mentee = enrol(
        tenant,
        program,
        make_person(tenant, user=mentee_user, full_name=f"Eve Executive {n}", level=9),
        EnrollmentRole.MENTEE,
        EnrollmentStatus.ACCEPTED,
    )
    # Published and started the same morning (a pair is never activated before it exists).
    published = datetime(started.year, started.month, started.day, 9, tzinfo=UTC)
    with tenant.scope():
        return Pair.objects.create(
            organization=tenant.organization,
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=status,
            created_at=published,
            activated_at=published,
        )


def log_session(
    tenant: Tenant,
    pair: Pair,
    held_on: date,
    *,
    status: str = SessionStatus.CONFIRMED,
    minutes: int = 60,
) -> SessionLog:
    with tenant.scope():
        return SessionLog.objects.create(
            organization=tenant.organization,
            pair=pair,
            logged_by=pair.mentor,
            held_on=held_on,
            duration_minutes=minutes,
            status=status,
        )


def check_in(
    tenant: Tenant,
    pair: Pair,
    due_on: date,
    *,
    rating: int | None = None,
    wants_contact: bool = False,
    mentee: bool = False,
) -> CheckIn:
    """Answered when a rating is given, otherwise sent and waiting."""
    answered = rating is not None
    with tenant.scope():
        return CheckIn.objects.create(
            organization=tenant.organization,
            pair=pair,
            enrollment=pair.mentee if mentee else pair.mentor,
            due_on=due_on,
            status=CheckInStatus.ANSWERED if answered else CheckInStatus.SENT,
            rating=rating,
            wants_contact=wants_contact,
            answered_at=datetime(due_on.year, due_on.month, due_on.day, 12, tzinfo=UTC)
            if answered
            else None,
        )


def add_goal(tenant: Tenant, pair: Pair, progress: int, *, status: str = GoalStatus.OPEN) -> Goal:
    with tenant.scope():
        return Goal.objects.create(
            organization=tenant.organization,
            pair=pair,
            owner=GoalOwner.MENTEE,
            description=f"Goal {next(_counter)}",
            progress=progress,
            status=status,
        )
