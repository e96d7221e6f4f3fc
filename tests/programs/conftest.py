"""Program fixtures: built through the services, in org A unless a test says otherwise."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from participants.models import Enrollment, EnrollmentStatus, Person
from programs import content, services
from programs.models import Program, Topic
from tests.conftest import Tenant

_people = itertools.count(1)


def make_topic(tenant: Tenant, name: str = "AI tools", **extra: Any) -> Topic:
    with tenant.scope():
        return services.topic_create(
            organization=tenant.organization, actor=tenant.admin.user, name=name, **extra
        )


def make_program(tenant: Tenant, name: str = "Digital fluency", **values: Any) -> Program:
    with tenant.scope():
        return services.program_create(
            organization=tenant.organization,
            actor=tenant.admin.user,
            values={"name": name, **values},
        )


def make_ready_program(tenant: Tenant, name: str = "Ready to enrol") -> Program:
    """Dates, one objective and a charter: everything draft → enrolling needs."""
    program = make_program(tenant, name, start_date=date(2030, 3, 1), end_date=date(2030, 9, 1))
    with tenant.scope():
        content.objective_create(
            actor=tenant.admin.user,
            program=program,
            values={"statement": "Leaders use AI tools weekly", "measure": "Q3", "target": 60},
        )
        content.charter_publish(
            actor=tenant.admin.user, program=program, body="What is said here stays here."
        )
    return program


def enroll(
    tenant: Tenant, program: Program, role: str, status: str = EnrollmentStatus.ACCEPTED
) -> Enrollment:
    n = next(_people)
    with tenant.scope():
        person = Person.objects.create(
            organization=tenant.organization, email=f"p{n}@{tenant.slug}.test", full_name=f"P {n}"
        )
        return Enrollment.objects.create(
            organization=tenant.organization,
            program=program,
            person=person,
            role=role,
            status=status,
        )


@pytest.fixture
def program(org_a: Tenant) -> Program:
    return make_program(org_a)
