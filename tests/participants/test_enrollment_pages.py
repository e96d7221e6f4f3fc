"""Enrolment management pages (admins and coordinators): roles, invite, approve, withdraw."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from organizations.models import AuditEntry
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus
from tests.conftest import Tenant, login
from tests.participants.test_enrollment_builders import (
    admitted,
    assign_coordinator,
    enrol,
    make_people,
    make_person,
    make_program,
)


def _url(tenant: Tenant, program_pk: int, rest: str = "") -> str:
    return f"/o/{tenant.slug}/programs/{program_pk}/enrollments/{rest}"


@pytest.mark.parametrize(
    ("role", "assigned", "status"),
    [
        ("admin", False, 200),
        ("coordinator", True, 200),
        ("coordinator", False, 404),
        ("member", False, 403),
    ],
)
def test_who_may_manage_enrolment(org_a: Tenant, role: str, assigned: bool, status: int) -> None:
    program = make_program(org_a)
    if assigned:
        assign_coordinator(org_a, program)
    client = login(Client(), getattr(org_a, role).user)
    assert client.get(_url(org_a, program.pk)).status_code == status


def test_bulk_invite_from_the_page(org_a: Tenant) -> None:
    program = make_program(org_a)
    people = make_people(org_a, 2)
    client = login(Client(), org_a.admin.user)
    response = client.post(
        _url(org_a, program.pk),
        {"role": "mentor", "person_ids": [p.pk for p in people]},
        follow=True,
    )
    assert "Invited 2 as mentor" in response.content.decode()
    with org_a.scope():
        assert Enrollment.objects.filter(program=program, status="invited").count() == 2


def test_invite_with_a_person_of_another_organisation_is_a_field_error(
    tenants: tuple[Tenant, Tenant],
) -> None:
    org_a, org_b = tenants
    program = make_program(org_a)
    stranger = make_person(org_b, full_name="Bolt Stranger")
    client = login(Client(), org_a.admin.user)
    response = client.post(_url(org_a, program.pk), {"role": "mentee", "person_ids": [stranger.pk]})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Unknown person id(s): {stranger.pk}." in html
    assert "Bolt Stranger" not in html


def test_invite_without_people_or_with_garbage_ids(org_a: Tenant) -> None:
    program = make_program(org_a)
    client = login(Client(), org_a.admin.user)
    assert (
        "Choose at least one person"
        in client.post(_url(org_a, program.pk), {"role": "mentor"}).content.decode()
    )
    response = client.post(_url(org_a, program.pk), {"role": "mentor", "person_ids": ["abc"]})
    assert response.status_code == 400
    assert "Choose people from the list." in response.content.decode()


def test_candidates_search_and_exclude_enrolled_people(org_a: Tenant) -> None:
    program = make_program(org_a)
    enrolled = make_person(org_a, full_name="Erin Enrolled")
    make_person(org_a, full_name="Sam Searchable", department="Finance")
    enrol(org_a, program, enrolled, EnrollmentRole.MENTOR)
    client = login(Client(), org_a.admin.user)
    html = client.get(_url(org_a, program.pk) + "?q=finance").content.decode()
    assert "Sam Searchable" in html
    assert 'value="' + str(enrolled.pk) + '"' not in html


def test_approve_reject_and_withdraw_from_the_page(org_a: Tenant) -> None:
    program = make_program(org_a)
    first = enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTEE, "applied")
    second = enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTEE, "applied")
    client = login(Client(), org_a.coordinator.user)
    assign_coordinator(org_a, program)
    client.post(_url(org_a, program.pk, f"{first.pk}/approve/"))
    client.post(_url(org_a, program.pk, f"{second.pk}/reject/"))
    response = client.post(
        _url(org_a, program.pk, f"{first.pk}/withdraw/"), {"reason": ""}, follow=True
    )
    assert "Say why" in response.content.decode()
    client.post(_url(org_a, program.pk, f"{first.pk}/withdraw/"), {"reason": "Parental leave"})
    with org_a.scope():
        first.refresh_from_db()
        second.refresh_from_db()
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert (first.status, first.withdrawn_reason) == (EnrollmentStatus.WITHDRAWN, "Parental leave")
    assert second.status == EnrollmentStatus.DECLINED
    assert {"enrollment.approved", "enrollment.rejected", "enrollment.withdrawn"} <= actions


def test_page_shows_counts_and_the_waitlist_in_order(org_a: Tenant) -> None:
    program = make_program(org_a)
    first, second = admitted(org_a, program, EnrollmentRole.MENTOR, 2)
    html = login(Client(), org_a.admin.user).get(_url(org_a, program.pk)).content.decode()
    waitlist = html.split('id="waitlist-heading"')[1].split("</ol>")[0]
    assert waitlist.index(first.person.full_name) < waitlist.index(second.person.full_name)
    assert "Mentor places: 0" in html


def test_waitlist_says_why_and_staff_can_accept_a_mentor_anyway(org_a: Tenant) -> None:
    program = make_program(org_a, max_mentees_per_mentor=3)
    admitted(org_a, program, EnrollmentRole.MENTEE, 2)
    mentors = admitted(org_a, program, EnrollmentRole.MENTOR, 3)
    assert [m.status for m in mentors] == ["accepted", "accepted", "waitlisted"]
    client = login(Client(), org_a.admin.user)
    html = client.get(_url(org_a, program.pk)).content.decode()
    assert "Mentor places: 2, one per accepted mentee" in html
    assert "“at most 3 mentees per mentor” only caps how many each one takes" in html
    assert "the program has 2 accepted mentees and as many accepted mentors" in html
    waiting = mentors[2]
    assert f'Accept now<span class="visually-hidden"> {waiting.person.full_name}' in html
    response = client.post(_url(org_a, program.pk, f"{waiting.pk}/approve/"))
    assert response.status_code == 302
    with org_a.scope():
        waiting.refresh_from_db()
        assert (waiting.status, waiting.waitlist_position) == ("accepted", None)
        assert AuditEntry.objects.filter(action="enrollment.promoted").count() == 1


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_manage_page_query_count_does_not_grow_with_enrolments(org_a: Tenant) -> None:
    program = make_program(org_a)
    client = login(Client(), org_a.admin.user)
    admitted(org_a, program, EnrollmentRole.MENTOR, 2)
    few = _queries(client, _url(org_a, program.pk))
    admitted(org_a, program, EnrollmentRole.MENTOR, 8)
    for person in make_people(org_a, 10):
        enrol(org_a, program, person, EnrollmentRole.MENTEE, "applied")
    make_people(org_a, 10)
    assert _queries(client, _url(org_a, program.pk)) == few
    # 11, plus the open-invitations notice (two counts and the kept-open choice) since onboarding;
    # entering and leaving the organisation's scope costs no query since RLS is per transaction.
    assert few == 14
