"""Matching API: roles, validation, the review actions, pairs for their people, query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from matching.models import MatchingPin, MatchingRound, ProposedPair, RoundStatus
from participants.models import EnrollmentRole
from programs.models import ProgramStatus
from tests.conftest import Tenant, login
from tests.matching.test_rounds_builders import (
    WEIGHTS,
    add_person,
    matching_cohort,
    proposed_round,
)
from tests.participants.test_enrollment_builders import assign_coordinator, make_program


def _api(tenant: Tenant, path: str) -> str:
    return f"/api/v1/o/{tenant.slug}/{path}"


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


@pytest.mark.parametrize(
    ("role", "assigned", "list_status", "create_status"),
    [
        ("admin", False, 200, 201),
        ("coordinator", True, 200, 201),
        ("coordinator", False, 200, 400),
        ("member", False, 403, 403),
    ],
)
def test_roles_on_rounds(
    org_a: Tenant, role: str, assigned: bool, list_status: int, create_status: int
) -> None:
    cohort = matching_cohort(org_a, 2)
    if assigned:
        assign_coordinator(org_a, cohort.program)
    client = login(Client(), getattr(org_a, role).user)
    assert client.get(_api(org_a, "matching/rounds/")).status_code == list_status
    response = _send(
        client,
        "POST",
        _api(org_a, "matching/rounds/"),
        {"program": cohort.program.pk, "weights": WEIGHTS},
    )
    assert response.status_code == create_status, response.json()
    if create_status == 400:
        assert "program" in response.json()["fields"]


def test_unassigned_coordinator_does_not_see_rounds(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    client = login(Client(), org_a.coordinator.user)
    assert client.get(_api(org_a, "matching/rounds/")).json()["results"] == []
    url = _api(org_a, f"matching/rounds/{matching_round.pk}/proposals/")
    assert client.get(url).status_code == 404


def test_bad_weights_are_a_400_with_field_messages(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    client = login(Client(), org_a.admin.user)
    response = _send(
        client,
        "POST",
        _api(org_a, "matching/rounds/"),
        {"program": cohort.program.pk, "weights": {"complementarity": 50}},
    )
    assert response.status_code == 400
    assert "weights" in response.json()["fields"]
    with org_a.scope():
        assert not MatchingRound.objects.exists()


def test_start_queues_and_refuses_a_second_round(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    client = login(Client(), org_a.admin.user)
    ids = []
    for _ in range(2):
        created = _send(
            client,
            "POST",
            _api(org_a, "matching/rounds/"),
            {"program": cohort.program.pk, "weights": WEIGHTS, "mode": "max_matched_first"},
        )
        ids.append(created.json()["id"])
    started = _send(client, "POST", _api(org_a, f"matching/rounds/{ids[0]}/start/"))
    assert started.status_code == 202
    assert started.json()["status"] == RoundStatus.QUEUED
    refused = _send(client, "POST", _api(org_a, f"matching/rounds/{ids[1]}/start/"))
    assert refused.status_code == 400
    assert "already queued" in refused.json()["detail"]
    detail = client.get(_api(org_a, f"matching/rounds/{ids[0]}/")).json()
    assert detail["progress"] == 0
    assert detail["mode"] == "max_matched_first"


# Session, user, organisation and membership, the scope, the round, one page of proposals with
# both people joined in: the same whatever the number of proposals.
PROPOSAL_LIST_QUERIES = 6  # the RLS settings ride with the statements


def _proposals(client: Client, tenant: Tenant, round_id: int) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_api(tenant, f"matching/rounds/{round_id}/proposals/"))
    assert response.status_code == 200
    return response.json(), len(queries)


def test_proposals_come_with_explanations_in_a_fixed_number_of_queries(org_a: Tenant) -> None:
    small = proposed_round(org_a, matching_cohort(org_a, 2))
    large = proposed_round(org_a, matching_cohort(org_a, 6))
    client = login(Client(), org_a.admin.user)
    body, small_count = _proposals(client, org_a, small.pk)
    large_body, large_count = _proposals(client, org_a, large.pk)
    assert len(body["results"]) == 2
    assert len(large_body["results"]) == 6
    assert small_count == large_count, (small_count, large_count)
    assert large_count == PROPOSAL_LIST_QUERIES, large_count
    first = body["results"][0]
    assert first["rationale"]
    assert set(first["breakdown"]) >= {"complementarity", "interests"}
    assert set(first["alternatives"]) == {"mentee", "mentor"}
    assert first["mentor"]["full_name"]
    assert first["score"] >= body["results"][1]["score"]


def test_unmatched_lists_the_reason(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    add_person(
        org_a, cohort.program, EnrollmentRole.MENTEE, topics=cohort.topics, levels={0: 2}, level=1
    )
    matching_round = proposed_round(org_a, cohort)
    client = login(Client(), org_a.admin.user)
    body = client.get(_api(org_a, f"matching/rounds/{matching_round.pk}/unmatched/")).json()
    assert len(body["results"]) == 1
    assert body["results"][0]["reason"]


def test_swap_preview_apply_and_refusal(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    matching_round = proposed_round(org_a, cohort)
    with org_a.scope():
        pair_a, pair_b = ProposedPair.objects.filter(round=matching_round).order_by("id")[:2]
    client = login(Client(), org_a.admin.user)
    url = _api(org_a, f"matching/rounds/{matching_round.pk}/swap/")
    body = {"pair_a": pair_a.pk, "pair_b": pair_b.pk}
    preview = _send(client, "POST", url, {**body, "preview": True}).json()
    assert preview["applied"] is False
    assert preview["delta"] < 0
    applied = _send(client, "POST", url, body).json()
    assert applied == {"delta": pytest.approx(preview["delta"]), "applied": True}
    with org_a.scope():
        assert ProposedPair.objects.get(pk=pair_a.pk).mentor_id == pair_b.mentor_id
    unknown = _send(client, "POST", url, {"pair_a": pair_a.pk, "pair_b": 999999})
    assert unknown.status_code == 400
    assert "pair_b" in unknown.json()["fields"]


def test_publish_then_people_see_why_they_were_paired(
    org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    cohort = matching_cohort(org_a, 1)
    mine = add_person(
        org_a,
        cohort.program,
        EnrollmentRole.MENTEE,
        topics=cohort.topics,
        levels={0: 4},
        user=org_a.member.user,
    )
    add_person(org_a, cohort.program, EnrollmentRole.MENTOR, topics=cohort.topics, levels={0: 3})
    matching_round = proposed_round(org_a, cohort)
    admin = login(Client(), org_a.admin.user)
    url = _api(org_a, f"matching/rounds/{matching_round.pk}/publish/")
    with django_capture_on_commit_callbacks(execute=True):
        published = _send(admin, "POST", url)
    assert published.status_code == 200
    assert published.json()["status"] == RoundStatus.PUBLISHED
    assert len(mail.outbox) == 4
    assert _send(admin, "POST", url).status_code == 400
    assert len(admin.get(_api(org_a, "pairs/")).json()["results"]) == 2

    member = login(Client(), org_a.member.user)
    pairs = member.get(_api(org_a, "pairs/")).json()["results"]
    assert len(pairs) == 1
    assert pairs[0]["mentee"]["enrollment"] == mine.pk
    assert pairs[0]["rationale"]
    assert member.get(_api(org_a, "matching/rounds/")).status_code == 403


def test_pins_and_blocks(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    other = matching_cohort(org_a, 1)
    client = login(Client(), org_a.admin.user)
    pin_body = {
        "program": cohort.program.pk,
        "mentor": cohort.mentors[0].pk,
        "mentee": cohort.mentees[1].pk,
    }
    created = _send(client, "POST", _api(org_a, "matching/pins/"), pin_body)
    assert created.status_code == 201, created.json()
    foreign = _send(
        client, "POST", _api(org_a, "matching/pins/"), {**pin_body, "mentor": other.mentors[0].pk}
    )
    assert foreign.status_code == 400
    assert "mentor" in foreign.json()["fields"]
    block = _send(
        client,
        "POST",
        _api(org_a, "matching/blocks/"),
        {**pin_body, "mentee": cohort.mentees[0].pk},
    )
    assert block.status_code == 201
    assert len(client.get(_api(org_a, "matching/blocks/")).json()["results"]) == 1
    deleted = _send(client, "DELETE", _api(org_a, f"matching/pins/{created.json()['id']}/"))
    assert deleted.status_code == 204
    with org_a.scope():
        assert not MatchingPin.objects.exists()
    member = login(Client(), org_a.member.user)
    assert _send(member, "POST", _api(org_a, "matching/pins/"), pin_body).status_code == 403


def test_compare_two_rounds(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    first = proposed_round(org_a, cohort)
    second = proposed_round(org_a, cohort, weights={"time_zone": 1})
    client = login(Client(), org_a.admin.user)
    url = _api(org_a, f"matching/rounds/{first.pk}/compare/")
    body = client.get(url, {"with": second.pk}).json()
    assert body["before"]["matched"] == 3
    assert body["after"]["total"] == pytest.approx(second.stats["total"])
    assert (body["before_round"], body["after_round"]) == (first.pk, second.pk)
    # Asked from the later round, the earlier one is still "before": the same signs.
    reverse = client.get(
        _api(org_a, f"matching/rounds/{second.pk}/compare/"), {"with": first.pk}
    ).json()
    assert reverse == body
    assert client.get(url, {"with": "x"}).status_code == 400


# --- What the rules remove, before a round runs -------------------------------------------------


def _impact(client: Client, tenant: Tenant, body: Any) -> Any:
    return _send(client, "POST", _api(tenant, "matching/rounds/impact/"), body)


def test_impact_gives_the_round_forms_figures_and_changes_nothing(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    client = login(Client(), org_a.admin.user)
    response = _impact(client, org_a, {"program": cohort.program.pk, "rules": {"level_gap": 10}})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["mentees"], body["mentors"], body["possible"]) == (2, 2, 4)
    assert (body["allowed"], body["mentees_without"], body["most_pairs"]) == (0, 2, 0)
    assert body["no_pairs"] is True
    assert body["nobody"] is False
    junior = next(item for item in body["rules"] if item["rule"] == "junior_mentor")
    assert junior == {
        "rule": "junior_mentor",
        "label": "the mentor must be at least 10 levels more junior",
        "excluded": 4,
        "excluded_share": 1.0,
        "mentees_without": 2,
        "mentors_without": 2,
    }
    relaxed = _impact(client, org_a, {"program": cohort.program.pk}).json()
    assert (relaxed["allowed"], relaxed["most_pairs"], relaxed["no_pairs"]) == (4, 2, False)
    with org_a.scope():
        assert not MatchingRound.objects.exists()


def test_impact_says_nobody_when_one_side_is_empty(org_a: Tenant) -> None:
    program = make_program(org_a, status=ProgramStatus.MATCHING)
    client = login(Client(), org_a.admin.user)
    body = _impact(client, org_a, {"program": program.pk}).json()
    assert (body["nobody"], body["possible"], body["most_pairs"]) == (True, 0, None)


@pytest.mark.parametrize(
    ("role", "assigned", "expected"),
    [
        ("admin", False, 200),
        ("coordinator", True, 200),
        ("coordinator", False, 400),  # a program they do not run, named in the body
        ("member", False, 403),
    ],
)
def test_impact_follows_the_matching_policy(
    org_a: Tenant, role: str, assigned: bool, expected: int
) -> None:
    cohort = matching_cohort(org_a, 2)
    if assigned:
        assign_coordinator(org_a, cohort.program)
    client = login(Client(), getattr(org_a, role).user)
    response = _impact(client, org_a, {"program": cohort.program.pk})
    assert response.status_code == expected
    if expected == 400:
        assert "program" in response.json()["fields"]


def test_impact_with_bad_settings_is_a_400_naming_the_field(org_a: Tenant, org_b: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    client = login(Client(), org_a.admin.user)
    bad = _impact(client, org_a, {"program": cohort.program.pk, "rules": {"chain_levels": "x"}})
    assert bad.status_code == 400
    assert "rules" in bad.json()["fields"]
    unknown = _impact(client, org_a, {"program": cohort.program.pk, "rules": {"nope": True}})
    assert unknown.status_code == 400
    other = matching_cohort(org_b, 1)
    foreign = _impact(client, org_a, {"program": other.program.pk})
    assert foreign.status_code == 400
    assert "program" in foreign.json()["fields"]
