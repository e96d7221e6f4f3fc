"""``programs.selectors.program_contacts``: the one rule for who is told about a program's people
(a pair ended or a re-match to offer, a contact request, the engagement digest)."""

from __future__ import annotations

import pytest

from organizations.models import Membership, Role
from programs.models import ProgramCoordinator
from programs.selectors import program_contacts
from tests.conftest import Tenant
from tests.factories import make_member
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db


def _emails(tenant: Tenant, program: object) -> list[str]:
    with tenant.scope():
        return [user.email for user in program_contacts(program=program)]  # type: ignore[arg-type]


def test_without_coordinators_the_admins_are_told(org_a: Tenant) -> None:
    program = make_program(org_a)
    assert _emails(org_a, program) == [org_a.admin.user.email]


def test_assigned_and_org_wide_coordinators_are_told_not_the_admins(
    org_a: Tenant, org_b: Tenant
) -> None:
    program = make_program(org_a)
    other = make_program(org_a, name="Another program")
    org_wide = make_member(
        org_a.organization, role=Role.COORDINATOR, email="wide@acme.test", full_name="Wendy Wide"
    )
    elsewhere = make_member(
        org_b.organization, role=Role.COORDINATOR, email="wide@bolt.test", full_name="Bo Bolt"
    )
    with org_a.scope():
        Membership.objects.filter(pk=org_wide.pk).update(all_programs=True)
        ProgramCoordinator.objects.create(
            organization=org_a.organization, program=program, user=org_a.coordinator.user
        )
    with org_b.scope():
        Membership.objects.filter(pk=elsewhere.pk).update(all_programs=True)
    assert sorted(_emails(org_a, program)) == sorted(
        [org_a.coordinator.user.email, "wide@acme.test"]
    )
    assert _emails(org_a, other) == ["wide@acme.test"]


def test_an_inactive_account_is_not_told(org_a: Tenant) -> None:
    program = make_program(org_a)
    with org_a.scope():
        ProgramCoordinator.objects.create(
            organization=org_a.organization, program=program, user=org_a.coordinator.user
        )
    org_a.coordinator.user.is_active = False
    org_a.coordinator.user.save(update_fields=["is_active"])
    assert _emails(org_a, program) == [org_a.admin.user.email]
