"""The enrolment policy, viewer by viewer, as the table in ``participants.access`` says."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.http import Http404

from core.access import Forbidden
from organizations.models import Membership, Role
from participants import access
from participants.models import Enrollment, EnrollmentRole
from tests.conftest import Tenant
from tests.factories import make_member
from tests.participants.test_enrollment_builders import (
    assign_coordinator,
    enrol,
    make_person,
    make_program,
)

YES = "yes"
# permission → viewer → answer (the module docstring's table, as data). "person" is the enrolled
# member; "admin person" an admin enrolled in the program (the union of staff and person).
VIEWERS = ("admin", "coordinator", "coordinator elsewhere", "member", "person", "admin person")
TABLE: dict[str, dict[str, str | int]] = {
    access.VIEW: {
        "admin": YES,
        "coordinator": YES,
        "coordinator elsewhere": 404,
        "member": 404,
        "person": YES,
        "admin person": YES,
    },
    access.MANAGE: {
        "admin": YES,
        "coordinator": YES,
        "coordinator elsewhere": 404,
        "member": 403,
        "person": 403,
        "admin person": YES,
    },
    access.APPROVE: {
        "admin": YES,
        "coordinator": YES,
        "coordinator elsewhere": 404,
        "member": 403,
        "person": 403,
        "admin person": YES,
    },
    access.REJECT: {
        "admin": YES,
        "coordinator": YES,
        "coordinator elsewhere": 404,
        "member": 403,
        "person": 403,
        "admin person": YES,
    },
    access.ACCEPT: {
        "admin": 403,
        "coordinator": 403,
        "coordinator elsewhere": 404,
        "member": 404,
        "person": YES,
        "admin person": YES,
    },
    access.DECLINE: {
        "admin": 403,
        "coordinator": 403,
        "coordinator elsewhere": 404,
        "member": 404,
        "person": YES,
        "admin person": YES,
    },
    access.WITHDRAW: {
        "admin": YES,
        "coordinator": YES,
        "coordinator elsewhere": 404,
        "member": 404,
        "person": YES,
        "admin person": YES,
    },
    access.EDIT_REGISTRATION: {
        "admin": 403,
        "coordinator": 403,
        "coordinator elsewhere": 404,
        "member": 404,
        "person": YES,
        "admin person": YES,
    },
}


@dataclass
class Scene:
    tenant: Tenant
    viewer: Membership
    enrollment: Enrollment


def _scene(tenant: Tenant, viewer: str) -> Scene:
    program = make_program(tenant)
    assign_coordinator(tenant, program)
    someone = make_person(tenant)
    memberships = {
        "admin": tenant.admin,
        "coordinator": tenant.coordinator,
        "coordinator elsewhere": make_member(
            tenant.organization, role=Role.COORDINATOR, email=f"elsewhere@{tenant.slug}.test"
        ),
        "member": tenant.member,
        "person": tenant.member,
        "admin person": tenant.admin,
    }
    membership = memberships[viewer]
    if viewer in ("person", "admin person"):
        someone = make_person(tenant, user=membership.user)
    return Scene(tenant, membership, enrol(tenant, program, someone, EnrollmentRole.MENTEE))


def test_the_table_names_every_permission_and_viewer() -> None:
    assert set(TABLE) == set(access.PERMISSIONS)
    assert all(set(answers) == set(VIEWERS) for answers in TABLE.values())


@pytest.mark.parametrize("viewer", VIEWERS)
def test_enrollment_policy_per_viewer(org_a: Tenant, viewer: str) -> None:
    scene = _scene(org_a, viewer)
    with org_a.scope():
        enrollment = Enrollment.objects.select_related("person").get(pk=scene.enrollment.pk)
        by_role = access.enrollment_access(scene.viewer)
        answer = access.enrollment_access(scene.viewer, enrollment)
        visible = access.visible_enrollments(scene.viewer).filter(pk=enrollment.pk).exists()
        for permission, answers in TABLE.items():
            expected = answers[viewer]
            if expected == 403 and not by_role.allows(permission):
                # Refused by role, before any id is looked up.
                with pytest.raises(Forbidden):
                    by_role.require(permission)
                continue
            if expected == 404:
                assert not visible, permission
                assert not answer.allows(permission), permission
                with pytest.raises(Http404):
                    access.visible_enrollment(scene.viewer, enrollment.pk)
                continue
            assert visible, permission
            if expected == YES:
                assert by_role.allows(permission), permission
                assert answer.allows(permission), permission
            else:
                with pytest.raises(Forbidden):
                    answer.require(permission)


def test_refusals_name_who_may(org_a: Tenant) -> None:
    with pytest.raises(Forbidden, match="Only the program's admins and coordinators"):
        access.enrollment_access(org_a.member).require(access.APPROVE)
    scene = _scene(org_a, "admin")
    with org_a.scope(), pytest.raises(Forbidden, match="Only the enrolled person"):
        access.enrollment_access(org_a.admin, scene.enrollment).require(access.ACCEPT)


def test_no_membership_may_do_nothing(org_a: Tenant) -> None:
    scene = _scene(org_a, "admin")
    with org_a.scope():
        answer = access.enrollment_access(None, scene.enrollment)
    assert not any(answer.allows(permission) for permission in access.PERMISSIONS)


def test_staff_pages_resolve_only_inside_a_program_one_runs(org_a: Tenant) -> None:
    scene = _scene(org_a, "coordinator")
    other = make_program(org_a)
    with org_a.scope():
        found = access.visible_enrollment(
            org_a.coordinator, scene.enrollment.pk, program_id=scene.enrollment.program_id
        )
        assert found == scene.enrollment
        with pytest.raises(Http404):
            access.visible_enrollment(org_a.coordinator, scene.enrollment.pk, program_id=other.pk)
        with pytest.raises(Http404):
            access.visible_enrollment(org_a.admin, scene.enrollment.pk, program_id=other.pk)
