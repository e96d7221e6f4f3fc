"""Enrolment use cases: a refused actor hears the same status and reason from the use case, the
page and the API; invisible enrolments are 404 everywhere; the services refuse on their own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.utils.html import escape

from core.access import Forbidden
from organizations.models import AuditEntry, Role
from participants import access, use_cases
from participants import enrollment as enrolment
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus
from tests.conftest import Tenant, login
from tests.factories import make_member
from tests.participants.test_enrollment_builders import (
    assign_coordinator,
    enrol,
    make_person,
    make_program,
)


def _post(client: Client, url: str, body: Any = None) -> Any:
    if url.startswith("/api/"):
        return client.post(url, json.dumps(body or {}), content_type="application/json")
    return client.post(url, body or {})


def _status(tenant: Tenant, enrollment: Enrollment) -> str:
    with tenant.scope():
        return Enrollment.objects.values_list("status", flat=True).get(pk=enrollment.pk)


@pytest.mark.parametrize(
    ("action", "page", "api"),
    [
        ("approve", "approve/", "approve/"),
        ("reject", "reject/", "reject/"),
    ],
)
def test_a_member_is_refused_staff_actions_alike_everywhere(
    org_a: Tenant, action: str, page: str, api: str
) -> None:
    program = make_program(org_a)
    # The member's own application: they see it, yet answering it is the staff's.
    own = enrol(
        org_a, program, make_person(org_a, user=org_a.member.user), EnrollmentRole.MENTEE, "applied"
    )
    call = {"approve": use_cases.approve_application, "reject": use_cases.reject_application}
    with org_a.scope(), pytest.raises(Forbidden) as refused:
        call[action](actor=org_a.member, enrollment_id=own.pk)
    assert refused.value.message == access.STAFF_ONLY

    client = login(Client(), org_a.member.user)
    response = _post(client, f"/o/{org_a.slug}/programs/{program.pk}/enrollments/{own.pk}/{page}")
    assert response.status_code == 403
    assert escape(access.STAFF_ONLY) in response.content.decode()
    response = _post(client, f"/api/v1/o/{org_a.slug}/enrollments/{own.pk}/{api}")
    assert response.status_code == 403
    assert response.json() == {"detail": access.STAFF_ONLY, "fields": {}}
    assert _status(org_a, own) == EnrollmentStatus.APPLIED


def test_a_member_is_refused_the_management_page_and_invitations_alike(org_a: Tenant) -> None:
    program = make_program(org_a)
    person = make_person(org_a)
    with org_a.scope(), pytest.raises(Forbidden) as refused:
        use_cases.invite_people(
            actor=org_a.member, program_id=program.pk, person_ids=[person.pk], role="mentor"
        )
    assert refused.value.message == access.STAFF_ONLY
    client = login(Client(), org_a.member.user)
    response = _post(
        client,
        f"/o/{org_a.slug}/programs/{program.pk}/enrollments/",
        {"role": "mentor", "person_ids": [person.pk]},
    )
    assert response.status_code == 403
    assert escape(access.STAFF_ONLY) in response.content.decode()
    response = _post(
        client,
        f"/api/v1/o/{org_a.slug}/enrollments/",
        {"program": program.pk, "person_ids": [person.pk], "role": "mentor"},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == access.STAFF_ONLY
    with org_a.scope():
        assert not Enrollment.objects.exists()


def test_staff_are_refused_answering_someone_elses_invitation_alike(org_a: Tenant) -> None:
    program = make_program(org_a)
    invitation = enrol(
        org_a, program, make_person(org_a, user=org_a.member.user), EnrollmentRole.MENTEE
    )
    for call in (use_cases.accept_invitation, use_cases.decline_invitation):
        with org_a.scope(), pytest.raises(Forbidden) as refused:
            call(actor=org_a.admin, enrollment_id=invitation.pk)
        assert refused.value.message == access.PERSON_ONLY
    client = login(Client(), org_a.admin.user)
    for verb in ("accept", "decline"):
        response = _post(client, f"/api/v1/o/{org_a.slug}/enrollments/{invitation.pk}/{verb}/")
        assert response.status_code == 403
        assert response.json()["detail"] == access.PERSON_ONLY
        # The participant's pages address one's own enrolment: the admin has none here.
        response = _post(client, f"/o/{org_a.slug}/me/programs/{program.pk}/{verb}/")
        assert response.status_code == 404
    assert _status(org_a, invitation) == EnrollmentStatus.INVITED


def test_a_coordinator_of_other_programs_finds_nothing_anywhere(org_a: Tenant) -> None:
    program = make_program(org_a)
    application = enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTEE, "applied")
    for call in (use_cases.approve_application, use_cases.reject_application):
        with org_a.scope(), pytest.raises(Http404):
            call(actor=org_a.coordinator, enrollment_id=application.pk)
        with org_a.scope(), pytest.raises(Http404):
            call(actor=org_a.coordinator, enrollment_id=application.pk, program_id=program.pk)
    with org_a.scope(), pytest.raises(Http404):
        use_cases.withdraw_enrollment(
            actor=org_a.coordinator, enrollment_id=application.pk, reason="Busy"
        )
    client = login(Client(), org_a.coordinator.user)
    base = f"/o/{org_a.slug}/programs/{program.pk}/enrollments/"
    assert client.get(base).status_code == 404
    for verb in ("approve", "reject", "withdraw"):
        assert _post(client, f"{base}{application.pk}/{verb}/").status_code == 404
        url = f"/api/v1/o/{org_a.slug}/enrollments/{application.pk}/{verb}/"
        assert _post(client, url, {"reason": "Busy"}).status_code == 404
    assert _status(org_a, application) == EnrollmentStatus.APPLIED


def test_an_enrolled_coordinator_of_other_programs_may_not_answer_their_own_application(
    org_a: Tenant,
) -> None:
    program = make_program(org_a)
    own = enrol(
        org_a,
        program,
        make_person(org_a, user=org_a.coordinator.user),
        EnrollmentRole.MENTOR,
        "applied",
    )
    with org_a.scope(), pytest.raises(Forbidden) as refused:
        use_cases.approve_application(actor=org_a.coordinator, enrollment_id=own.pk)
    assert refused.value.message == access.STAFF_ONLY
    client = login(Client(), org_a.coordinator.user)
    response = _post(client, f"/api/v1/o/{org_a.slug}/enrollments/{own.pk}/approve/")
    assert (response.status_code, response.json()["detail"]) == (403, access.STAFF_ONLY)
    assert _status(org_a, own) == EnrollmentStatus.APPLIED


def test_the_services_refuse_by_themselves(org_a: Tenant) -> None:
    program = make_program(org_a)
    application = enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTEE, "applied")
    elsewhere = make_member(
        org_a.organization, role=Role.COORDINATOR, email="elsewhere@acme.test"
    ).user
    with org_a.scope():
        with pytest.raises(Forbidden):
            enrolment.enrollment_approve(enrollment=application, actor=org_a.member.user)
        with pytest.raises(Forbidden):
            enrolment.enrollment_reject(enrollment=application, actor=elsewhere)
        with pytest.raises(Forbidden):
            enrolment.enrollment_withdraw(enrollment=application, actor=elsewhere, reason="x")
        with pytest.raises(Forbidden):
            enrolment.enrollment_invite(
                program=program, person_ids=[application.person_id], role="mentor", actor=elsewhere
            )
        assert not AuditEntry.objects.filter(action__startswith="enrollment.").exists()
    assert _status(org_a, application) == EnrollmentStatus.APPLIED


def test_staff_and_the_person_act_through_the_use_cases(org_a: Tenant) -> None:
    program = make_program(org_a)
    assign_coordinator(org_a, program)
    applicant = enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTEE, "applied")
    invited = enrol(
        org_a, program, make_person(org_a, user=org_a.member.user), EnrollmentRole.MENTOR
    )
    with org_a.scope():
        approved = use_cases.approve_application(
            actor=org_a.coordinator, enrollment_id=applicant.pk, program_id=program.pk
        )
        assert approved.status == EnrollmentStatus.ACCEPTED
        accepted = use_cases.accept_invitation(actor=org_a.member, enrollment_id=invited.pk)
        assert accepted.status == EnrollmentStatus.ACCEPTED
        assert use_cases.my_enrollment(actor=org_a.member, program_id=program.pk) == invited
        withdrawn = use_cases.withdraw_enrollment(
            actor=org_a.member, enrollment_id=invited.pk, reason="New job"
        )
        assert withdrawn.status == EnrollmentStatus.WITHDRAWN
        with pytest.raises(Http404):
            use_cases.my_enrollment(actor=org_a.coordinator, program_id=program.pk)
