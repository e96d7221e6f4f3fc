"""Enrolment API: permissions per role, other organisations' ids, validation, query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from participants.models import EnrollmentRole, RegistrationQuestion
from programs.models import Audience
from tests.conftest import Tenant, login
from tests.participants.test_enrollment_builders import (
    admitted,
    assign_coordinator,
    enrol,
    make_charter,
    make_people,
    make_person,
    make_program,
    make_topic,
    make_training,
)


def _api(tenant: Tenant, path: str) -> str:
    return f"/api/v1/o/{tenant.slug}/{path}"


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


@pytest.mark.parametrize(
    ("role", "list_status", "invite_status"),
    [("admin", 200, 201), ("coordinator", 200, 201), ("member", 200, 403)],
)
def test_roles_on_enrolments(
    org_a: Tenant, role: str, list_status: int, invite_status: int
) -> None:
    program = make_program(org_a)
    assign_coordinator(org_a, program)
    person = make_person(org_a)
    client = login(Client(), getattr(org_a, role).user)
    assert client.get(_api(org_a, "enrollments/")).status_code == list_status
    response = _send(
        client,
        "POST",
        _api(org_a, "enrollments/"),
        {"program": program.pk, "person_ids": [person.pk], "role": "mentor"},
    )
    assert response.status_code == invite_status


def test_member_lists_only_their_own_enrolments(org_a: Tenant) -> None:
    program = make_program(org_a)
    mine = enrol(org_a, program, make_person(org_a, user=org_a.member.user), EnrollmentRole.MENTEE)
    enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTOR)
    client = login(Client(), org_a.member.user)
    rows = client.get(_api(org_a, "enrollments/")).json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]


def test_other_organisation_gets_404(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    program = make_program(org_a)
    enrollment = enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTOR, "applied")
    client = login(Client(), org_b.admin.user)
    assert client.get(_api(org_a, "enrollments/")).status_code == 404
    assert client.get(_api(org_b, f"enrollments/{enrollment.pk}/")).status_code == 404
    assert (
        _send(client, "POST", _api(org_b, f"enrollments/{enrollment.pk}/approve/")).status_code
        == 404
    )


def test_ids_of_another_organisation_are_field_errors(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    program_a = make_program(org_a)
    program_b = make_program(org_b)
    stranger = make_person(org_b)
    client = login(Client(), org_a.admin.user)
    response = _send(
        client,
        "POST",
        _api(org_a, "enrollments/"),
        {"program": program_a.pk, "person_ids": [stranger.pk], "role": "mentor"},
    )
    assert response.status_code == 400
    assert response.json()["fields"]["person_ids"] == [f"Unknown person id(s): {stranger.pk}."]
    response = _send(
        client,
        "POST",
        _api(org_a, "enrollments/"),
        {"program": program_b.pk, "person_ids": [], "role": "mentor"},
    )
    assert set(response.json()["fields"]) == {"person_ids"}
    response = _send(
        client,
        "POST",
        _api(org_a, "enrollments/"),
        {"program": program_b.pk, "person_ids": [1], "role": "mentor"},
    )
    assert response.json() == {
        "detail": "Some fields are invalid.",
        "fields": {"program": ["Unknown program."]},
    }
    response = _send(
        client,
        "POST",
        _api(org_a, "registration-questions/"),
        {"program": program_b.pk, "text": "Q", "kind": "short_text"},
    )
    assert response.json()["fields"] == {"program": ["Unknown program."]}


def test_filters_and_bad_filter_values(org_a: Tenant) -> None:
    program = make_program(org_a)
    admitted(org_a, program, EnrollmentRole.MENTEE, 1)
    admitted(org_a, program, EnrollmentRole.MENTOR, 2)
    client = login(Client(), org_a.admin.user)
    rows = client.get(
        _api(org_a, f"enrollments/?program={program.pk}&role=mentor&status=waitlisted")
    ).json()
    assert len(rows["results"]) == 1
    assert client.get(_api(org_a, "enrollments/?status=happy")).status_code == 400
    assert client.get(_api(org_a, "enrollments/?program=abc")).json()["fields"] == {
        "program": ["Give a numeric id."]
    }


def test_approve_reject_withdraw_and_accept(org_a: Tenant) -> None:
    program = make_program(org_a)
    application = enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTEE, "applied")
    own = enrol(org_a, program, make_person(org_a, user=org_a.member.user), EnrollmentRole.MENTEE)
    admin = login(Client(), org_a.admin.user)
    member = login(Client(), org_a.member.user)
    assert _send(member, "POST", _api(org_a, f"enrollments/{own.pk}/approve/")).status_code == 403
    assert _send(admin, "POST", _api(org_a, f"enrollments/{own.pk}/accept/")).status_code == 403
    response = _send(admin, "POST", _api(org_a, f"enrollments/{application.pk}/approve/"))
    assert response.json()["status"] == "accepted"
    response = _send(admin, "POST", _api(org_a, f"enrollments/{application.pk}/reject/"))
    assert response.json() == {
        "detail": "Only an application can be rejected.",
        "fields": {},
    }
    assert response.status_code == 400
    assert (
        _send(member, "POST", _api(org_a, f"enrollments/{own.pk}/accept/")).json()["status"]
        == "accepted"
    )
    response = _send(
        member, "POST", _api(org_a, f"enrollments/{own.pk}/withdraw/"), {"reason": " "}
    )
    assert response.status_code == 400
    assert response.json()["fields"]["reason"] == ["Say why, so the program team can follow up."]
    response = _send(
        member, "POST", _api(org_a, f"enrollments/{own.pk}/withdraw/"), {"reason": "Too busy"}
    )
    assert response.json()["status"] == "withdrawn"


def test_list_query_count_is_pinned(org_a: Tenant) -> None:
    program = make_program(org_a)
    client = login(Client(), org_a.admin.user)
    admitted(org_a, program, EnrollmentRole.MENTEE, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(_api(org_a, "enrollments/"))
    for person in make_people(org_a, 15):
        enrol(org_a, program, person, EnrollmentRole.MENTOR)
    with CaptureQueriesContext(connection) as many:
        response = client.get(_api(org_a, "enrollments/"))
    assert len(response.json()["results"]) == 16
    assert len(many) == len(few) == 5


def test_registration_questions_crud_and_move(org_a: Tenant) -> None:
    program = make_program(org_a)
    client = login(Client(), org_a.coordinator.user)
    assign_coordinator(org_a, program)
    url = _api(org_a, "registration-questions/")
    bad = _send(
        client,
        "POST",
        url,
        {"program": program.pk, "text": "Pace?", "kind": "single_choice", "choices": ["Only"]},
    )
    assert bad.status_code == 400
    assert bad.json()["fields"] == {"choices": ["Give at least two choices."]}
    first = _send(
        client,
        "POST",
        url,
        {
            "program": program.pk,
            "text": "Pace?",
            "kind": "single_choice",
            "choices": ["Slow", "Fast"],
        },
    ).json()
    second = _send(
        client, "POST", url, {"program": program.pk, "text": "Why?", "kind": "short_text"}
    ).json()
    assert (first["position"], second["position"]) == (0, 1)
    patched = _send(client, "PATCH", f"{url}{first['id']}/", {"required": True})
    assert patched.json()["required"] is True
    assert patched.json()["choices"] == ["Slow", "Fast"]
    moved = _send(client, "POST", f"{url}{second['id']}/move/", {"direction": "up"})
    assert moved.json()["position"] == 0
    assert [q["text"] for q in client.get(f"{url}?program={program.pk}").json()] == [
        "Why?",
        "Pace?",
    ]
    assert client.delete(f"{url}{second['id']}/").status_code == 204
    member = login(Client(), org_a.member.user)
    assert member.get(url).status_code == 403


def test_apply_and_fill_in_my_registration(org_a: Tenant, org_b: Tenant) -> None:
    program = make_program(org_a, self_registration=True)
    foreign = make_program(org_b, self_registration=True)
    make_person(org_a, email=org_a.member.user.email)
    topic = make_topic(org_a, "Social media")
    with org_a.scope():
        question = RegistrationQuestion.objects.create(
            organization=org_a.organization,
            program=program,
            text="Scale?",
            kind="scale",
            required=True,
        )
    client = login(Client(), org_a.member.user)
    url = _api(org_a, "me/enrollments/")
    assert _send(client, "POST", url, {"program": foreign.pk, "role": "mentee"}).json()[
        "fields"
    ] == {"program": ["Unknown program."]}
    created = _send(client, "POST", url, {"program": program.pk, "role": "mentee"})
    assert created.status_code == 201
    assert created.json()["status"] == "applied"

    registration_url = f"{url}{program.pk}/registration/"
    body = client.get(registration_url).json()
    assert body["completeness"]["percent"] == 0
    bad = _send(
        client,
        "PUT",
        registration_url,
        {"answers": {str(question.pk): 9}, "learn": {str(topic.pk): 3}},
    )
    assert bad.status_code == 400
    assert bad.json()["fields"] == {f"answers.{question.pk}": ["Choose a number from 1 to 5."]}
    good = _send(
        client,
        "PUT",
        registration_url,
        {
            "answers": {str(question.pk): 3},
            "learn": {str(topic.pk): 3},
            "interests": [topic.pk],
            "availability": [{"weekday": 4, "start": "14:00", "end": "15:00"}],
            "languages": ["en"],
        },
    )
    assert good.status_code == 200, good.json()
    assert good.json()["completeness"] == {"percent": 100, "missing": []}
    assert good.json()["learn"] == {str(topic.pk): 3}


def test_my_charter_and_training(org_a: Tenant) -> None:
    program = make_program(org_a)
    enrol(
        org_a,
        program,
        make_person(org_a, user=org_a.member.user),
        EnrollmentRole.MENTOR,
        "accepted",
    )
    other = make_program(org_a)
    with org_a.scope():
        make_charter(program, 1)
        resource = make_training(program, "Basics", audience=Audience.BOTH)
        foreign_resource = make_training(other, "Elsewhere")
    client = login(Client(), org_a.member.user)
    base = _api(org_a, f"me/enrollments/{program.pk}/")
    assert client.get(f"{base}charter/").json()["needs_acceptance"] is True
    accepted = _send(client, "POST", f"{base}charter/").json()
    assert (accepted["needs_acceptance"], accepted["accepted_version"]) == (False, 1)
    bad = _send(client, "POST", f"{base}training/", {"resource": foreign_resource.pk})
    assert bad.json()["fields"] == {"resource": ["Unknown training resource."]}
    done = _send(client, "POST", f"{base}training/", {"resource": resource.pk}).json()
    assert done[0]["completed_at"] is not None
    assert client.get(_api(org_a, f"me/enrollments/{other.pk}/")).status_code == 404
