"""Open invitations when a program moves to matching: shown, closed or kept by a clear choice,
never dropped silently."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from organizations.models import AuditEntry
from participants.models import EnrollmentRole, EnrollmentStatus
from programs.lifecycle import missing_preconditions, program_transition
from programs.models import ProgramStatus
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import enrol, make_person, make_program

pytestmark = pytest.mark.django_db


def _ready_program(tenant: Tenant, open_invitations: int):  # type: ignore[no-untyped-def]
    program = make_program(tenant)
    enrol(tenant, program, make_person(tenant), EnrollmentRole.MENTEE, EnrollmentStatus.ACCEPTED)
    enrol(tenant, program, make_person(tenant), EnrollmentRole.MENTOR, EnrollmentStatus.ACCEPTED)
    invited = [
        enrol(tenant, program, make_person(tenant), EnrollmentRole.MENTOR)
        for _ in range(open_invitations)
    ]
    return program, invited


def _decide(client: Client, tenant: Tenant, program_pk: int, decision: str) -> str:
    url = reverse("enrollment_open_invitations", args=(tenant.slug, program_pk))
    response = client.post(url, {"decision": decision}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_matching_waits_for_a_choice_about_open_invitations(org_a: Tenant) -> None:
    program, _ = _ready_program(org_a, 2)
    with org_a.scope():
        missing = missing_preconditions(program, ProgramStatus.MATCHING)
        assert [m.field for m in missing] == ["open_invitations"]
        assert "2 invitations are still open" in missing[0].message
        with pytest.raises(ValidationError) as error:
            program_transition(actor=org_a.admin.user, program=program, to=ProgramStatus.MATCHING)
    assert "open_invitations" in error.value.message_dict


def test_closing_withdraws_each_open_invitation_and_lets_matching_start(
    client_for, org_a: Tenant
) -> None:  # type: ignore[no-untyped-def]
    program, invited = _ready_program(org_a, 2)
    client = client_for(org_a.admin.user)
    page = client.get(reverse("enrollment_manage", args=(org_a.slug, program.pk))).content.decode()
    assert "2 people have not answered their invitation yet" in page
    assert "Keep them open" in page
    assert "2 open invitations were closed." in _decide(client, org_a, program.pk, "close")
    with org_a.scope():
        for enrollment in invited:
            enrollment.refresh_from_db()
            assert enrollment.status == EnrollmentStatus.WITHDRAWN
            assert enrollment.withdrawn_reason == "The invitation was closed when matching started."
        assert AuditEntry.objects.filter(action="enrollment.withdrawn").count() == 2
        assert AuditEntry.objects.filter(action="enrollment.open_invitations_closed").exists()
        program_transition(actor=org_a.admin.user, program=program, to=ProgramStatus.MATCHING)


def test_keeping_them_open_lets_matching_start_and_a_later_invitation_asks_again(
    client_for, org_a: Tenant
) -> None:  # type: ignore[no-untyped-def]
    program, invited = _ready_program(org_a, 1)
    client = client_for(org_a.admin.user)
    html = _decide(client, org_a, program.pk, "keep")
    assert "1 open invitation stays open" in html
    assert "You chose to keep them open through matching" in html
    with org_a.scope():
        invited[0].refresh_from_db()
        assert invited[0].status == EnrollmentStatus.INVITED
        assert not missing_preconditions(program, ProgramStatus.MATCHING)
    enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTOR)  # invited after the choice
    with org_a.scope():
        assert [m.field for m in missing_preconditions(program, ProgramStatus.MATCHING)] == [
            "open_invitations"
        ]


def test_no_decision_is_a_message_and_members_are_refused(client_for, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    program, _ = _ready_program(org_a, 1)
    html = _decide(client_for(org_a.admin.user), org_a, program.pk, "")
    assert "Choose to close the open invitations or keep them." in html
    url = reverse("enrollment_open_invitations", args=(org_a.slug, program.pk))
    assert client_for(org_a.member.user).post(url, {"decision": "close"}).status_code == 403
