"""Program API: same roles and visibility as the pages, 400 bodies with field messages, cursor
pagination and pinned query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from organizations.models import AuditEntry
from participants.models import EnrollmentRole
from programs import services
from programs.models import CharterVersion, Objective, Program, ProgramStatus
from tests.conftest import Tenant, login
from tests.programs.conftest import enroll, make_program, make_ready_program, make_topic


def _api(tenant: Tenant, role: str = "admin") -> Client:
    return login(Client(), getattr(tenant, role).user)


def _post(client: Client, url: str, data: Any = None, method: str = "post") -> Any:
    return client.generic(
        method.upper(), url, data=json.dumps(data or {}), content_type="application/json"
    )


def _url(tenant: Tenant, path: str) -> str:
    return f"/api/v1/o/{tenant.slug}/{path}"


VALID = {"name": "Spring cohort", "time_zone": "Europe/London"}


def test_create_read_update_program(org_a: Tenant) -> None:
    topic = make_topic(org_a, "AI tools")
    client = _api(org_a)
    response = _post(client, _url(org_a, "programs/"), {**VALID, "focus_topics": [topic.pk]})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["focus_topics"] == [topic.pk]
    detail = client.get(_url(org_a, f"programs/{body['id']}/")).json()
    assert [t["to"] for t in detail["transitions"]] == ["enrolling"]
    assert {m["field"] for m in detail["transitions"][0]["missing"]} == {
        "start_date",
        "end_date",
        "objectives",
        "charter",
    }
    response = _post(
        client,
        _url(org_a, f"programs/{body['id']}/"),
        {"terminology": {"program": "upward mentoring"}},
        "patch",
    )
    assert response.status_code == 200
    assert response.json()["terminology"] == {"program": "upward mentoring"}
    assert response.json()["focus_topics"] == [topic.pk]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"start_date": "2030-05-01", "end_date": "2030-04-01"},
            "end_date",
            "The end date must be after the start date.",
        ),
        (
            {"start_date": "2030-05-01", "end_date": "2030-09-01", "mid_review_date": "2030-10-01"},
            "mid_review_date",
            "The mid-review date must be before the end date.",
        ),
        (
            {"max_mentees_per_mentor": 0},
            "max_mentees_per_mentor",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            {"time_zone": "Europe/Atlantis"},
            "time_zone",
            "“Europe/Atlantis” is not a time zone. Use a name like Europe/Berlin.",
        ),
        ({"focus_topics": ["x"]}, "focus_topics", "Give an id (a number), not str."),
        (
            {"terminology": {"ceo": "boss"}},
            "terminology",
            "Unknown terms: ceo. Allowed: program, mentor, mentee, pair, session, check_in.",
        ),
        ({"name": ""}, "name", "This field may not be blank."),
    ],
)
def test_bad_input_is_a_400_with_field_messages(
    org_a: Tenant, payload: dict[str, Any], field: str, message: str
) -> None:
    response = _post(_api(org_a), _url(org_a, "programs/"), {**VALID, **payload})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Some fields are invalid."
    assert body["fields"] == {field: [message]}
    with org_a.scope():
        assert not Program.objects.exists()


def test_a_topic_id_of_another_organisation_is_a_field_error(
    tenants: tuple[Tenant, Tenant],
) -> None:
    org_a, org_b = tenants
    foreign = make_topic(org_b, "Foreign")
    response = _post(_api(org_a), _url(org_a, "programs/"), {**VALID, "focus_topics": [foreign.pk]})
    assert response.status_code == 400
    assert response.json()["fields"] == {"focus_topics": [f"Unknown id {foreign.pk}."]}


def test_transition_400_lists_the_missing_preconditions(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    client = _api(org_a)
    url = _url(org_a, f"programs/{program.pk}/transition/")
    assert _post(client, url, {"to": "enrolling"}).json()["status"] == "enrolling"
    response = _post(client, url, {"to": "matching"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The program cannot move to matching yet.",
        "fields": {
            "mentors": ["Accept at least one mentor."],
            "mentees": ["Accept at least one mentee."],
            "non_field_errors": ["The program cannot move to matching yet."],
        },
    }
    enroll(org_a, program, EnrollmentRole.MENTOR)
    enroll(org_a, program, EnrollmentRole.MENTEE)
    assert _post(client, url, {"to": "matching"}).status_code == 200
    response = _post(client, url, {"to": "flying"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"to": ['"flying" is not a valid choice.']}


def test_duplicate_archive_unarchive(org_a: Tenant) -> None:
    program = make_ready_program(org_a, "Cohort")
    client = _api(org_a)
    response = _post(client, _url(org_a, f"programs/{program.pk}/duplicate/"))
    assert response.status_code == 201
    assert response.json()["name"] == "Cohort (copy)"
    assert response.json()["duplicated_from"] == program.pk
    response = _post(client, _url(org_a, f"programs/{program.pk}/archive/"))
    assert response.json()["archived_at"] is not None
    ids = [p["id"] for p in client.get(_url(org_a, "programs/")).json()["results"]]
    assert program.pk not in ids
    archived = client.get(_url(org_a, "programs/?archived=true")).json()["results"]
    assert [p["id"] for p in archived] == [program.pk]
    assert client.get(_url(org_a, "programs/?status=bogus")).status_code == 400
    response = _post(client, _url(org_a, f"programs/{program.pk}/unarchive/"))
    assert response.json()["archived_at"] is None


def test_objectives_charter_training_coordinators(org_a: Tenant, program: Program) -> None:
    client = _api(org_a)
    base = _url(org_a, f"programs/{program.pk}/")
    ids = []
    for statement in ("A", "B"):
        response = _post(
            client,
            base + "objectives/",
            {"statement": statement, "measure": "Q1", "target": "4.5", "audience": "mentors"},
        )
        assert response.status_code == 201, response.json()
        ids.append(response.json()["id"])
    response = _post(client, base + "objectives/reorder/", {"order": ids[::-1]})
    assert [o["statement"] for o in response.json()] == ["B", "A"]
    listed = client.get(base + "objectives/").json()["results"]
    assert [o["statement"] for o in listed] == ["B", "A"]
    assert _post(client, base + "objectives/reorder/", {"order": ids[:1]}).status_code == 400

    assert _post(client, base + "charter-versions/", {"body": "One."}).status_code == 201
    response = _post(client, base + "charter-versions/", {"body": "Two."})
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "change_note": ["Say what changed: participants are asked to accept it again."]
    }
    response = _post(client, base + "charter-versions/", {"body": "Two.", "change_note": "v2"})
    assert response.json()["version"] == 2
    versions = client.get(base + "charter-versions/").json()["results"]
    assert [v["version"] for v in versions] == [2, 1]
    assert (
        _post(client, base + f"charter-versions/{versions[0]['id']}/", {}, "patch").status_code
        == 405
    )

    response = _post(client, base + "training/", {"title": "Nothing"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"url": ["Give a link, a text, or both."]}
    response = _post(
        client, base + "training/", {"title": "Guide", "url": "https://example.test/guide"}
    )
    assert response.status_code == 201
    resource = response.json()["id"]
    assert (
        _post(client, base + f"training/{resource}/", {"required": False}, "patch").json()[
            "required"
        ]
        is False
    )

    response = _post(client, base + "coordinators/", {"user": org_a.member.user.pk})
    assert response.json()["fields"] == {
        "user": ["Only members with the coordinator role can coordinate a program."]
    }
    response = _post(client, base + "coordinators/", {"user": org_a.coordinator.user.pk})
    assert response.status_code == 201
    assert response.json()["email"] == org_a.coordinator.user.email
    with org_a.scope():
        assert Objective.objects.count() == 2
        assert CharterVersion.objects.count() == 2
        assert AuditEntry.objects.filter(action="program.coordinator_assigned").exists()


def test_a_user_of_another_organisation_is_unknown(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    program = make_program(org_a)
    response = _post(
        _api(org_a),
        _url(org_a, f"programs/{program.pk}/coordinators/"),
        {"user": org_b.coordinator.user.pk},
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"user": [f"Unknown id {org_b.coordinator.user.pk}."]}


@pytest.mark.parametrize(
    ("role", "assigned", "expected"),
    [
        ("admin", False, {"list": 200, "detail": 200, "objectives": 200, "coordinator_add": 201}),
        (
            "coordinator",
            True,
            {"list": 200, "detail": 200, "objectives": 200, "coordinator_add": 403},
        ),
        (
            "coordinator",
            False,
            {"list": 200, "detail": 404, "objectives": 404, "coordinator_add": 403},
        ),
        ("member", False, {"list": 403, "detail": 403, "objectives": 403, "coordinator_add": 403}),
    ],
)
def test_api_roles(org_a: Tenant, role: str, assigned: bool, expected: dict[str, int]) -> None:
    program = make_program(org_a)
    if assigned:
        with org_a.scope():
            services.coordinator_assign(
                actor=org_a.admin.user, program=program, user=org_a.coordinator.user
            )
    client = _api(org_a, role)
    listing = client.get(_url(org_a, "programs/"))
    statuses = {
        "list": listing.status_code,
        "detail": client.get(_url(org_a, f"programs/{program.pk}/")).status_code,
        "objectives": client.get(_url(org_a, f"programs/{program.pk}/objectives/")).status_code,
        "coordinator_add": _post(
            client,
            _url(org_a, f"programs/{program.pk}/coordinators/"),
            {"user": org_a.coordinator.user.pk},
        ).status_code,
    }
    assert statuses == expected
    if listing.status_code == 200:
        visible = [p["id"] for p in listing.json()["results"]]
        assert visible == ([program.pk] if expected["detail"] == 200 else [])


def test_topics_staff_read_admins_write(org_a: Tenant) -> None:
    assert (
        _post(_api(org_a, "coordinator"), _url(org_a, "topics/"), {"name": "X"}).status_code == 403
    )
    assert _api(org_a, "coordinator").get(_url(org_a, "topics/")).status_code == 200
    client = _api(org_a)
    response = _post(client, _url(org_a, "topics/"), {"name": "AI tools"})
    assert response.status_code == 201
    assert _post(client, _url(org_a, "topics/"), {"name": "ai tools"}).json()["fields"] == {
        "name": ["The vocabulary already has “ai tools”."]
    }
    topic = response.json()["id"]
    response = _post(client, _url(org_a, f"topics/{topic}/"), {"is_active": False}, "patch")
    assert response.json()["is_active"] is False


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_program_list_query_count_does_not_grow(org_a: Tenant) -> None:
    topic = make_topic(org_a, "Shared")
    client = _api(org_a)
    url = _url(org_a, "programs/")
    make_program(org_a, "P0")
    client.get(url)
    few = _count(client, url)
    for i in range(1, 12):
        program = make_program(org_a, f"P{i}")
        with org_a.scope():
            services.program_update(
                actor=org_a.admin.user, program=program, values={}, focus_topics=[topic]
            )
    assert _count(client, url) == few
    assert few <= 8


def test_cursor_pagination_of_programs(org_a: Tenant) -> None:
    for i in range(5):
        make_program(org_a, f"P{i}")
    client = _api(org_a)
    first = client.get(_url(org_a, "programs/?page_size=3")).json()
    assert len(first["results"]) == 3
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert second["next"] is None


def test_status_filter(org_a: Tenant) -> None:
    draft = make_program(org_a, "Draft")
    active = make_program(org_a, "Active")
    with org_a.scope():
        Program.objects.filter(pk=active.pk).update(status=ProgramStatus.ACTIVE)
    rows = _api(org_a).get(_url(org_a, "programs/?status=draft")).json()["results"]
    assert [r["id"] for r in rows] == [draft.pk]
