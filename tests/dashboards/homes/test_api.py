"""GET /api/v1/o/<slug>/home/: the page's data for the caller, from the same selector."""

from __future__ import annotations

import json
from datetime import timedelta

from django.test import Client
from django.urls import reverse

from participants.models import EnrollmentRole
from tests.conftest import Tenant
from tests.dashboards.homes.builders import live_program, people_pair, today
from tests.feedback.test_engagement_builders import add_goal, check_in
from tests.participants.test_enrollment_builders import enrol, make_person


def _get(client: Client, tenant: Tenant) -> dict:  # type: ignore[type-arg]
    response = client.get(reverse("api-organization-home", kwargs={"org_slug": tenant.slug}))
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_staff_get_their_programs_and_what_needs_attention(client_for, org_a: Tenant) -> None:
    program = live_program(org_a, name="Cohort API")
    live_program(org_a, name="Cohort Hidden", coordinated=False)
    enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTEE, "applied")
    body = _get(client_for(org_a.coordinator.user), org_a)
    assert body["role"] == "coordinator"
    (row,) = body["staff"]["programs"]
    assert (row["name"], row["enrolled"], row["awaiting_approval"]) == ("Cohort API", 1, 1)
    assert row["response_rate"] == {"invited": 0, "answered": 0, "percent": None}
    (item,) = body["staff"]["attention"]
    assert item["kind"] == "approvals"
    assert item["program"] == program.pk
    assert item["url"] == (
        reverse("enrollment_manage", args=(org_a.slug, program.pk)) + "?status=applied"
    )
    assert body["participant"] == {"enrollments": []}


def test_participant_gets_pair_next_step_and_goals(client_for, org_a: Tenant) -> None:
    program = live_program(org_a, name="Cohort Mine")
    people = people_pair(org_a, program)
    check_in(org_a, people.pair, today() - timedelta(days=1))
    add_goal(org_a, people.pair, 25)
    body = _get(client_for(people.mentor_user), org_a)
    assert body["role"] == "member"
    assert body["staff"] is None
    (card,) = body["participant"]["enrollments"]
    assert (card["program_name"], card["role"], card["status"]) == (
        "Cohort Mine",
        "mentor",
        "accepted",
    )
    assert card["next_step"]["code"] == "answer_check_in"
    assert card["next_step"]["url"].startswith(f"/o/{org_a.slug}/me/check-ins/")
    (pair,) = card["pairs"]
    assert pair["partner_name"] == people.pair.mentee.person.full_name
    assert pair["partner_role"] == "mentee"
    assert [(g["status"], g["progress"]) for g in pair["goals"]] == [("open", 25)]


def test_another_organisations_member_gets_404(client_for, org_a: Tenant, org_b: Tenant) -> None:
    response = client_for(org_b.admin.user).get(
        reverse("api-organization-home", kwargs={"org_slug": org_a.slug})
    )
    assert response.status_code == 404


def test_schema_documents_the_home(db: None) -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    operation = schema["paths"]["/api/v1/o/{org_slug}/home/"]["get"]
    assert operation["operationId"] == "organization_home"
    body = schema["components"]["schemas"]["Home"]["properties"]
    assert {"role", "staff", "participant"} <= set(body)
