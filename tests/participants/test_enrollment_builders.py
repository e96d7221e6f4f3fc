"""Builders for the enrolment tests (no tests here). Rows are created directly inside the
tenant's scope: the directory and program services belong to other modules."""

from __future__ import annotations

import itertools
from typing import Any

from accounts.models import User
from participants import enrollment as enrolment
from participants.models import Enrollment, Person
from programs.models import (
    CharterVersion,
    Program,
    ProgramCoordinator,
    ProgramStatus,
    Topic,
    TrainingResource,
)
from tests.conftest import Tenant

_counter = itertools.count(1)


def make_program(tenant: Tenant, **fields: Any) -> Program:
    fields.setdefault("name", f"Cohort {next(_counter)}")
    fields.setdefault("status", ProgramStatus.ENROLLING)
    with tenant.scope():
        return Program.objects.create(organization=tenant.organization, **fields)


def make_person(tenant: Tenant, user: User | None = None, **fields: Any) -> Person:
    number = next(_counter)
    fields.setdefault("full_name", f"Person {number}")
    fields.setdefault("email", user.email if user else f"person{number}@{tenant.slug}.test")
    with tenant.scope():
        return Person.objects.create(organization=tenant.organization, user=user, **fields)


def make_people(tenant: Tenant, count: int, **fields: Any) -> list[Person]:
    return [make_person(tenant, **fields) for _ in range(count)]


def make_topic(tenant: Tenant, name: str) -> Topic:
    with tenant.scope():
        return Topic.objects.create(organization=tenant.organization, name=name)


def make_charter(
    program: Program, version: int, body: str = "What is said stays."
) -> CharterVersion:
    return CharterVersion.objects.create(
        organization_id=program.organization_id, program=program, version=version, body=body
    )


def make_training(program: Program, title: str, **fields: Any) -> TrainingResource:
    fields.setdefault("url", "https://learn.example.test/" + title.lower().replace(" ", "-"))
    return TrainingResource.objects.create(
        organization_id=program.organization_id, program=program, title=title, **fields
    )


def assign_coordinator(tenant: Tenant, program: Program) -> None:
    with tenant.scope():
        ProgramCoordinator.objects.create(
            organization=tenant.organization, program=program, user=tenant.coordinator.user
        )


def enrol(
    tenant: Tenant, program: Program, person: Person, role: str, status: str = "invited"
) -> Enrollment:
    with tenant.scope():
        return Enrollment.objects.create(
            organization=tenant.organization,
            program=program,
            person=person,
            role=role,
            status=status,
        )


def admitted(tenant: Tenant, program: Program, role: str, count: int) -> list[Enrollment]:
    """``count`` new people who applied and were approved by the admin (capacity applies)."""
    result = []
    for _ in range(count):
        application = enrol(tenant, program, make_person(tenant), role, status="applied")
        with tenant.scope():
            result.append(
                enrolment.enrollment_approve(enrollment=application, actor=tenant.admin.user)
            )
    return result
