"""Pair API: ending a pair (with re-matches) and starting a re-match, for every role."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from matching import services
from matching.models import MatchingRound, Pair, PairStatus, ProposedPair, RoundStatus
from matching.rounds.editing import pin_create
from tests.conftest import Tenant, login
from tests.matching.test_pages_pairs import PairWorld, pair_world, published_pairs
from tests.matching.test_rounds_builders import matching_cohort, proposed_round


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> PairWorld:
    published_pairs(org_b)
    return pair_world(org_a)


def _client(world: PairWorld, who: str) -> Client:
    user = {
        "mentor": world.mentor_user,
        "mentee": world.mentee_user,
        "member": world.tenant.member.user,
        "coordinator": world.tenant.coordinator.user,
        "other_coordinator": world.other_coordinator.user,
        "admin": world.tenant.admin.user,
    }.get(who)
    return login(Client(), user) if user is not None else Client()


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _end_url(world: PairWorld, pk: int | None = None) -> str:
    return f"/api/v1/o/{world.tenant.slug}/pairs/{pk or world.pair.pk}/end/"


def _rematch_url(tenant: Tenant) -> str:
    return f"/api/v1/o/{tenant.slug}/matching/rematches/"


def _status(world: PairWorld) -> str:
    with world.tenant.scope():
        return Pair.objects.get(pk=world.pair.pk).status


# --- End ---------------------------------------------------------------------------------------


def test_admin_ends_a_pair_and_both_are_emailed(
    world: PairWorld, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(world, "admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, _end_url(world), {"reason": "Moved to another country."})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == world.pair.pk
    assert body["status"] == PairStatus.ENDED
    assert body["ended_reason"] == "Moved to another country."
    assert body["ended_at"]
    assert body["rematch_rounds"] == []
    assert body["rematch_errors"] == {}
    assert len(mail.outbox) == 2
    # The read side exposes the end too.
    detail = client.get(f"/api/v1/o/{world.tenant.slug}/pairs/{world.pair.pk}/").json()
    assert detail["ended_reason"] == "Moved to another country."
    assert detail["ended_at"] == body["ended_at"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("coordinator", 200),
        ("mentor", 403),
        ("mentee", 403),
        ("member", 404),
        ("other_coordinator", 404),
        ("anonymous", 404),
    ],
)
def test_only_the_programs_staff_end_a_pair(world: PairWorld, who: str, expected: int) -> None:
    response = _post(_client(world, who), _end_url(world), {"reason": "It did not click."})
    assert response.status_code == expected
    assert _status(world) == (PairStatus.ENDED if expected == 200 else PairStatus.ACTIVE)


def test_another_organisation_gets_404(world: PairWorld, org_b: Tenant) -> None:
    client = login(Client(), org_b.admin.user)
    for url in (_end_url(world), f"/api/v1/o/{org_b.slug}/pairs/{world.pair.pk}/end/"):
        assert _post(client, url, {"reason": "x"}).status_code == 404
    assert _status(world) == PairStatus.ACTIVE


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 301}, "reason"),
        ({"reason": 12}, "reason"),  # a number is not text (core/api/text_fields.py)
        ({"reason": "ok", "rematch": ["boss"]}, "rematch"),
        ({"reason": "ok", "rematch": "mentee"}, "rematch"),
    ],
)
def test_bad_bodies_are_400_with_field_messages(
    world: PairWorld, body: dict[str, Any], field: str | None
) -> None:
    response = _post(_client(world, "admin"), _end_url(world), body)
    if field is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    payload = response.json()
    assert payload["detail"]
    assert any(key.startswith(field) for key in payload["fields"]), payload
    assert _status(world) == PairStatus.ACTIVE


def test_ending_an_ended_pair_is_a_400(world: PairWorld) -> None:
    client = _client(world, "admin")
    assert _post(client, _end_url(world), {"reason": "Done."}).status_code == 200
    again = _post(client, _end_url(world), {"reason": "Again."})
    assert again.status_code == 400
    assert "already ended" in again.json()["detail"]


def test_end_with_rematches_reports_started_and_refused_ones(world: PairWorld) -> None:
    response = _post(
        _client(world, "admin"),
        _end_url(world),
        {"reason": "Different goals.", "rematch": ["mentee", "mentor", "mentee"]},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    with world.tenant.scope():
        started = MatchingRound.objects.get(rematch_for__isnull=False)
    assert body["rematch_rounds"] == [started.pk]
    assert started.rematch_for_id == world.pair.mentee.pk
    assert started.status == RoundStatus.QUEUED
    # One round of a program at a time: the mentor's re-match is refused, with its reason.
    assert list(body["rematch_errors"]) == ["mentor"]
    assert body["rematch_errors"]["mentor"]
    assert body["status"] == PairStatus.ENDED


# --- Re-match ----------------------------------------------------------------------------------


def _end(world: PairWorld) -> None:
    response = _post(_client(world, "admin"), _end_url(world), {"reason": "Moved teams."})
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["admin", "coordinator"])
def test_staff_start_a_rematch(world: PairWorld, who: str) -> None:
    _end(world)
    response = _post(
        _client(world, who), _rematch_url(world.tenant), {"enrollment": world.pair.mentor.pk}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["rematch_for"] == world.pair.mentor.pk
    assert body["program"] == world.cohort.program.pk
    assert body["status"] == RoundStatus.QUEUED
    with world.tenant.scope():
        assert MatchingRound.objects.get(pk=body["id"]).rematch_for_id == world.pair.mentor.pk


@pytest.mark.parametrize(("who", "expected"), [("member", 403), ("mentee", 403)])
def test_members_cannot_start_a_rematch(world: PairWorld, who: str, expected: int) -> None:
    _end(world)
    response = _post(
        _client(world, who), _rematch_url(world.tenant), {"enrollment": world.pair.mentee.pk}
    )
    assert response.status_code == expected


def test_a_coordinator_of_another_program_gets_a_field_error(world: PairWorld) -> None:
    _end(world)
    response = _post(
        _client(world, "other_coordinator"),
        _rematch_url(world.tenant),
        {"enrollment": world.pair.mentee.pk},
    )
    assert response.status_code == 400
    assert "enrollment" in response.json()["fields"]


@pytest.mark.parametrize("enrollment", [None, "abc", 999_999_999, "foreign"])
def test_unknown_or_foreign_enrolments_are_field_errors(
    world: PairWorld, org_b: Tenant, enrollment: Any
) -> None:
    if enrollment == "foreign":
        with org_b.scope():
            enrollment = Pair.objects.first().mentee_id  # type: ignore[union-attr]
    response = _post(
        _client(world, "admin"), _rematch_url(world.tenant), {"enrollment": enrollment}
    )
    assert response.status_code == 400
    assert "enrollment" in response.json()["fields"]
    with world.tenant.scope():
        assert not MatchingRound.objects.filter(rematch_for__isnull=False).exists()


def test_rematch_of_someone_with_an_open_pair_is_a_400(world: PairWorld) -> None:
    response = _post(
        _client(world, "admin"), _rematch_url(world.tenant), {"enrollment": world.pair.mentee.pk}
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_anonymous_and_other_organisations_get_404(world: PairWorld, org_b: Tenant) -> None:
    body = {"enrollment": world.pair.mentee.pk}
    assert _post(Client(), _rematch_url(world.tenant), body).status_code == 404
    other = login(Client(), org_b.admin.user)
    assert _post(other, _rematch_url(world.tenant), body).status_code == 404


# --- What each reader sees of a pair (``pair.see_figures``) ------------------------------------

PINNED_RATIONALE = "Ann can teach AI tools that Bo wants to learn; pinned by an administrator"


@pytest.mark.parametrize(
    ("who", "figures"),
    [("admin", True), ("coordinator", True), ("mentor", False), ("mentee", False)],
)
def test_pair_api_shows_internal_figures_to_staff_only(
    world: PairWorld, who: str, figures: bool
) -> None:
    with world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(rationale=PINNED_RATIONALE, score=73.5)
    client = _client(world, who)
    detail = client.get(f"/api/v1/o/{world.tenant.slug}/pairs/{world.pair.pk}/").json()
    listed = client.get(f"/api/v1/o/{world.tenant.slug}/pairs/").json()["results"]
    shown = next(pair for pair in listed if pair["id"] == world.pair.pk)
    for body in (detail, shown):
        assert body["rationale"].startswith("Ann can teach AI tools that Bo wants to learn")
        if figures:
            assert body["score"] == 73.5
            assert "pinned by an administrator" in body["rationale"]
        else:
            assert "score" not in body
            assert "pinned by an administrator" not in body["rationale"]


def test_publish_email_carries_no_internal_figures(
    org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    cohort = matching_cohort(org_a, 2)
    with org_a.scope():
        pin_create(
            program=cohort.program,
            actor=org_a.admin.user,
            mentor=cohort.mentors[1],
            mentee=cohort.mentees[0],
        )
    matching_round = proposed_round(org_a, cohort)
    with org_a.scope():
        pinned = ProposedPair.objects.get(round=matching_round, pinned=True)
        assert pinned.rationale.endswith("pinned by an administrator")
        with django_capture_on_commit_callbacks(execute=True):
            services.round_publish(matching_round=matching_round, actor=org_a.admin.user)
    to_pinned = [m for m in mail.outbox if cohort.mentees[0].person.email in m.to]
    assert len(to_pinned) == 1
    for message in mail.outbox:
        assert "Why we paired you:" in message.body
        assert "pinned by an administrator" not in message.body
        assert "score" not in message.body.lower()
