"""Engagement snapshots and review decisions in the API: staff of the program only, other
organisations' ids are field errors or 404, bad input is a 400 with field messages."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from feedback import engagement
from feedback.models import ReviewDecision
from matching.models import Pair
from organizations.models import AuditEntry, Role
from programs.models import Program
from tests.conftest import Tenant, login
from tests.factories import make_member
from tests.feedback.test_engagement_builders import (
    check_in,
    log_session,
    make_pair,
    running_program,
)

pytestmark = pytest.mark.django_db
DURING_REVIEW = "2030-04-02 10:00Z"


def _setup(tenant: Tenant) -> tuple[Program, Pair, Pair]:
    program = running_program(tenant)
    at_risk = make_pair(tenant, program, mentee_user=tenant.member.user)
    check_in(tenant, at_risk, date(2030, 3, 1), rating=1)
    healthy = make_pair(tenant, program)
    log_session(tenant, healthy, date(2030, 3, 30))
    with tenant.scope():
        engagement.compute_program(program, today=date(2030, 4, 1))
    return program, at_risk, healthy


def _api(user) -> Client:  # type: ignore[no-untyped-def]
    return login(Client(), user)


def _base(tenant: Tenant) -> str:
    return f"/api/v1/o/{tenant.slug}/"


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_staff_list_snapshots_with_reasons_and_filters(org_a: Tenant, org_b: Tenant) -> None:
    program, at_risk, healthy = _setup(org_a)
    _setup(org_b)
    client = _api(org_a.coordinator.user)
    body = client.get(_base(org_a) + "engagement/").json()
    assert {row["pair"] for row in body["results"]} == {at_risk.pk, healthy.pk}
    row = next(r for r in body["results"] if r["pair"] == at_risk.pk)
    assert row["program"] == program.pk
    assert row["level"] == "at_risk"
    assert {"code": "low_pulse", "text": "Low pulse: mean rating 1.0 of 5", "points": -25} in row[
        "reasons"
    ]
    only = client.get(_base(org_a) + "engagement/?level=healthy").json()["results"]
    assert [r["pair"] for r in only] == [healthy.pk]
    other = running_program(org_a)
    assert client.get(_base(org_a) + f"engagement/?program={other.pk}").json()["results"] == []
    detail = client.get(_base(org_a) + f"engagement/{row['id']}/")
    assert detail.status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=bad", "level"),
        ("program=abc", "program"),
        ("pair=²", "pair"),
        ("computed_on=2030-13-01", "computed_on"),
    ],
)
def test_bad_snapshot_filters_are_400_with_field_messages(
    org_a: Tenant, query: str, field: str
) -> None:
    response = _api(org_a.admin.user).get(_base(org_a) + f"engagement/?{query}")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {field}


def test_members_and_unassigned_coordinators_see_no_engagement(org_a: Tenant) -> None:
    _program, at_risk, _healthy = _setup(org_a)
    with org_a.scope():
        snapshot_id = at_risk.engagement.get().pk
    # The at-risk pair's own mentee: a plain member gets 403, even for their own pair.
    member = _api(org_a.member.user)
    assert member.get(_base(org_a) + "engagement/").status_code == 403
    assert member.get(_base(org_a) + f"engagement/{snapshot_id}/").status_code == 403
    assert member.get(_base(org_a) + "review-decisions/").status_code == 403
    loose = make_member(org_a.organization, role=Role.COORDINATOR, email="loose@acme.test")
    client = _api(loose.user)
    assert client.get(_base(org_a) + "engagement/").json()["results"] == []
    assert client.get(_base(org_a) + f"engagement/{snapshot_id}/").status_code == 404


@time_machine.travel(DURING_REVIEW, tick=False)
def test_coordinator_records_a_decision_and_lists_it(org_a: Tenant) -> None:
    program, at_risk, _healthy = _setup(org_a)
    client = _api(org_a.coordinator.user)
    url = _base(org_a) + "review-decisions/"
    response = _post(
        client, url, {"pair": at_risk.pk, "decision": "extend", "note": "Two more months."}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["pair"], body["program"], body["decision"]) == (at_risk.pk, program.pk, "extend")
    assert body["decided_by"] == "Casey Coordinator"
    listed = client.get(url + f"?program={program.pk}").json()["results"]
    assert [d["id"] for d in listed] == [body["id"]]
    assert client.get(url + f"{body['id']}/").json()["note"] == "Two more months."
    with org_a.scope():
        assert AuditEntry.objects.filter(
            action="feedback.review_decision", object_id=str(body["id"])
        ).exists()


@time_machine.travel(DURING_REVIEW, tick=False)
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "continue"}, "pair"),
        ({"pair": "abc", "decision": "continue"}, "pair"),
        ({"pair": 99999999999999999999, "decision": "continue"}, "pair"),
        ({"pair": "PAIR", "decision": "promote"}, "decision"),
        ({"pair": "PAIR", "decision": "close", "note": ""}, "note"),
        ({"pair": "PAIR", "decision": "close", "note": "n" * 2001}, "note"),
        ({"pair": "OTHER_ORG", "decision": "continue"}, "pair"),
        ({"pair": "OTHER_PROGRAM", "decision": "continue"}, "pair"),
    ],
)
def test_bad_decisions_are_400_with_field_messages(
    org_a: Tenant, org_b: Tenant, body: dict[str, Any], field: str
) -> None:
    _program, at_risk, _healthy = _setup(org_a)
    _other_program, pair_b, _ = _setup(org_b)
    unmanaged = make_pair(org_a, running_program(org_a, coordinated=False))
    ids = {"PAIR": at_risk.pk, "OTHER_ORG": pair_b.pk, "OTHER_PROGRAM": unmanaged.pk}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = _post(_api(org_a.coordinator.user), _base(org_a) + "review-decisions/", body)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {field}
    with org_a.scope():
        assert not ReviewDecision.objects.exists()


def test_decisions_before_the_review_opens_are_400(org_a: Tenant) -> None:
    _program, at_risk, _healthy = _setup(org_a)
    with time_machine.travel("2030-03-15 10:00Z", tick=False):
        response = _post(
            _api(org_a.admin.user),
            _base(org_a) + "review-decisions/",
            {"pair": at_risk.pk, "decision": "continue"},
        )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The mid-program review opens on 1 April 2030.",
        "fields": {},
    }


@time_machine.travel(DURING_REVIEW, tick=False)
def test_members_cannot_record_decisions_on_their_own_pair(org_a: Tenant) -> None:
    _program, at_risk, _healthy = _setup(org_a)
    response = _post(
        _api(org_a.member.user),
        _base(org_a) + "review-decisions/",
        {"pair": at_risk.pk, "decision": "close", "note": "I quit."},
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your role in this organisation does not allow this.",
        "fields": {},
    }
