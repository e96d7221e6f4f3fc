"""Engagement page, mid-review queue and a pair's review: staff only, signals shown, decisions
recorded with field errors at 400, query counts that do not grow with the pairs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback import engagement
from feedback.models import ReviewDecision
from matching.models import Pair, PairStatus
from organizations.models import Role
from programs.models import Program
from tests.conftest import Tenant, login
from tests.factories import make_member
from tests.feedback.test_engagement_builders import (
    MID_REVIEW,
    add_goal,
    check_in,
    log_session,
    make_pair,
    running_program,
)
from tests.participants.test_enrollment_builders import make_program

pytestmark = pytest.mark.django_db
DURING_REVIEW = "2030-04-02 10:00Z"


@dataclass
class World:
    tenant: Tenant
    program: Program
    at_risk: Pair
    healthy: Pair


def _world(tenant: Tenant) -> World:
    program = running_program(tenant)
    at_risk = make_pair(tenant, program, mentee_user=tenant.member.user)
    log_session(tenant, at_risk, date(2030, 2, 1), minutes=90)
    check_in(tenant, at_risk, date(2030, 3, 1), rating=1, wants_contact=True, mentee=True)
    healthy = make_pair(tenant, program)
    log_session(tenant, healthy, date(2030, 3, 29))
    add_goal(tenant, healthy, 60)
    with tenant.scope():
        engagement.compute_program(program, today=date(2030, 4, 1))
    return World(tenant, program, at_risk, healthy)


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> World:
    _world(org_b)  # look-alike data next door
    return _world(org_a)


def _url(world: World, name: str, **extra: int) -> str:
    return reverse(
        name, kwargs={"org_slug": world.tenant.slug, "program_pk": world.program.pk, **extra}
    )


def _as(user) -> Client:  # type: ignore[no-untyped-def]
    return login(Client(), user)


PAGES = ["program_engagement", "program_review"]


@time_machine.travel(DURING_REVIEW, tick=False)
@pytest.mark.parametrize("name", [*PAGES, "review_pair"])
def test_who_may_open_the_staff_pages(world: World, name: str) -> None:
    tenant = world.tenant
    extra = {"pair_pk": world.at_risk.pk} if name == "review_pair" else {}
    url = _url(world, name, **extra)
    other_coordinator = make_member(
        tenant.organization, role=Role.COORDINATOR, email="other-coord@acme.test"
    )
    # A mentor who coordinates another program: staff elsewhere, not of this pair's program.
    mentor_coordinator = make_member(
        tenant.organization, role=Role.COORDINATOR, email="mentor-coord@acme.test"
    )
    own_pair = make_pair(tenant, world.program, mentor_user=mentor_coordinator.user)
    assert own_pair.pk
    assert _as(tenant.admin.user).get(url).status_code == 200
    assert _as(tenant.coordinator.user).get(url).status_code == 200
    assert _as(other_coordinator.user).get(url).status_code == 404
    assert _as(mentor_coordinator.user).get(url).status_code == 404
    # The mentee of the at-risk pair is a plain member: never their own score or decisions.
    assert _as(tenant.member.user).get(url).status_code == 403
    assert _as(tenant.member.user).post(url, {"decision": "continue"}).status_code in (403, 405)


@time_machine.travel(DURING_REVIEW, tick=False)
def test_a_pair_of_another_program_is_404_on_the_review_page(world: World) -> None:
    other_program = running_program(world.tenant)
    stranger = make_pair(world.tenant, other_program)
    url = _url(world, "review_pair", pair_pk=stranger.pk)
    assert _as(world.tenant.admin.user).get(url).status_code == 404
    assert _as(world.tenant.admin.user).post(url, {"decision": "continue"}).status_code == 404


@time_machine.travel(DURING_REVIEW, tick=False)
def test_engagement_page_lists_pairs_at_risk_first_with_reasons(world: World) -> None:
    response = _as(world.tenant.coordinator.user).get(_url(world, "program_engagement"))
    html = response.content.decode()
    assert "<caption" in html
    first = html.index(world.at_risk.mentor.person.full_name)
    second = html.index(world.healthy.mentor.person.full_name)
    assert first < second
    assert "Low pulse: mean rating 1.0 of 5" in html
    assert "Someone in the pair asked the coordinator to get in touch" in html
    assert "Bolt" not in html
    assert "bolt" not in html

    filtered = _as(world.tenant.admin.user).get(
        _url(world, "program_engagement") + "?level=healthy"
    )
    body = filtered.content.decode()
    assert world.healthy.mentor.person.full_name in body
    assert world.at_risk.mentor.person.full_name not in body


@time_machine.travel(DURING_REVIEW, tick=False)
def test_engagement_page_empty_state(org_a: Tenant) -> None:
    program = running_program(org_a)
    url = reverse("program_engagement", kwargs={"org_slug": org_a.slug, "program_pk": program.pk})
    response = _as(org_a.admin.user).get(url)
    assert response.status_code == 200
    assert "This program has no open pairs yet." in response.content.decode()
    # An unknown filter value is named, not ignored.
    assert _as(org_a.admin.user).get(url + "?level=bogus").status_code == 400


def test_queue_before_the_mid_review_date_says_when_it_opens(world: World) -> None:
    with time_machine.travel("2030-03-20 10:00Z", tick=False):
        response = _as(world.tenant.coordinator.user).get(_url(world, "program_review"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The review opens on 1 April 2030" in html
    assert 'name="decision"' not in html


@time_machine.travel(DURING_REVIEW, tick=False)
def test_queue_shows_every_open_pair_with_signals_and_a_form(world: World) -> None:
    make_pair(world.tenant, world.program, status=PairStatus.PENDING)  # open, not scored yet
    make_pair(world.tenant, world.program, status=PairStatus.ENDED)  # not in the queue
    response = _as(world.tenant.coordinator.user).get(_url(world, "program_review"))
    html = response.content.decode()
    assert html.count('name="decision"') == 3
    assert "This program has no mid-program survey." in html  # surveys fills the column
    assert "1.5 h" in html  # 90 minutes met
    assert "1 of 1 answered" in html
    assert "Asked to be contacted" in html
    assert "Not scored yet" in html
    assert "<caption" in html
    assert 'scope="col"' in html


@time_machine.travel(DURING_REVIEW, tick=False)
def test_recording_a_decision_redirects_and_shows_it(world: World) -> None:
    client = _as(world.tenant.coordinator.user)
    url = _url(world, "review_pair", pair_pk=world.at_risk.pk)
    response = client.post(url, {"decision": "refocus", "note": "New goals on AI literacy."})
    assert response.status_code == 302
    assert response["Location"] == _url(world, "program_review")
    with world.tenant.scope():
        decision = ReviewDecision.objects.get()
    assert (decision.pair_id, decision.decision) == (world.at_risk.pk, "refocus")
    queue = client.get(_url(world, "program_review")).content.decode()
    assert "Refocus goals" in queue
    assert "New goals on AI literacy." in queue
    detail = client.get(url).content.decode()
    assert "New goals on AI literacy." in detail
    assert "Casey Coordinator" in detail


@time_machine.travel(DURING_REVIEW, tick=False)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "close", "note": ""}, "Add a note: what was decided, and why."),
        ({"decision": "bogus"}, "Choose one of the decisions listed."),
        ({"note": "no decision"}, "Choose a decision."),
        ({"decision": "close", "note": "z" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_decisions_are_400_with_field_messages(
    world: World, data: dict[str, str], message: str
) -> None:
    url = _url(world, "review_pair", pair_pk=world.at_risk.pk)
    response = _as(world.tenant.admin.user).post(url, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    with world.tenant.scope():
        assert not ReviewDecision.objects.exists()


def test_decisions_posted_before_the_review_opens_are_400(world: World) -> None:
    url = _url(world, "review_pair", pair_pk=world.at_risk.pk)
    with time_machine.travel("2030-03-20 10:00Z", tick=False):
        response = _as(world.tenant.admin.user).post(url, {"decision": "continue"})
    assert response.status_code == 400
    assert "The mid-program review opens on 1 April 2030." in response.content.decode()


@time_machine.travel(DURING_REVIEW, tick=False)
def test_htmx_answers_with_the_pairs_row(world: World) -> None:
    client = _as(world.tenant.admin.user)
    url = _url(world, "review_pair", pair_pk=world.healthy.pk)
    ok = client.post(url, {"decision": "continue"}, headers={"HX-Request": "true"})
    assert ok.status_code == 200
    row = ok.content.decode()
    assert row.lstrip().startswith(f'<tr id="review-row-{world.healthy.pk}"')
    assert "Recorded." in row
    assert "Continue" in row
    bad = client.post(url, {"decision": "extend"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400
    assert "Add a note" in bad.content.decode()
    assert "<html" not in bad.content.decode()


@time_machine.travel(DURING_REVIEW, tick=False)
def test_re_pair_extend_and_close_link_to_the_pairs_page(world: World) -> None:
    client = _as(world.tenant.admin.user)
    url = _url(world, "review_pair", pair_pk=world.at_risk.pk)
    client.post(url, {"decision": "re_pair", "note": "Different interests."})
    queue = client.get(_url(world, "program_review")).content.decode()
    pair_page = reverse(
        "pair_detail", kwargs={"org_slug": world.tenant.slug, "pk": world.at_risk.pk}
    )
    assert f'href="{pair_page}">Act on the pair' in queue
    with world.tenant.scope():
        assert Pair.objects.get(pk=world.at_risk.pk).status == PairStatus.ACTIVE


def _grow(world: World, count: int) -> None:
    for k in range(count):
        pair = make_pair(world.tenant, world.program)
        log_session(world.tenant, pair, MID_REVIEW - timedelta(days=k + 1))
        check_in(world.tenant, pair, MID_REVIEW - timedelta(days=10), rating=3)
        add_goal(world.tenant, pair, 20)
    with world.tenant.scope():
        engagement.compute_program(world.program, today=MID_REVIEW)


@time_machine.travel(DURING_REVIEW, tick=False)
@pytest.mark.parametrize("name", PAGES)
def test_query_count_does_not_grow_with_the_pairs(world: World, name: str) -> None:
    client = _as(world.tenant.coordinator.user)
    url = _url(world, name)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(world, 10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
    assert len(large) <= 14


@time_machine.travel(DURING_REVIEW, tick=False)
def test_the_queue_is_paginated(world: World) -> None:
    _grow(world, 26)  # 28 pairs: two pages of 25
    client = _as(world.tenant.coordinator.user)
    first = client.get(_url(world, "program_review")).content.decode()
    second = client.get(_url(world, "program_review") + "?page=2").content.decode()
    assert first.count('name="decision"') == 25
    assert second.count('name="decision"') == 3
    assert "Page 2 of 2" in second


def test_a_program_without_a_mid_review_date_says_so(org_a: Tenant) -> None:
    program = make_program(org_a)
    url = reverse("program_review", kwargs={"org_slug": org_a.slug, "program_pk": program.pk})
    html = _as(org_a.admin.user).get(url).content.decode()
    assert "This program has no mid-review date." in html


@time_machine.travel(DURING_REVIEW, tick=False)
def test_an_ended_pairs_review_page_shows_history_and_refuses_decisions(world: World) -> None:
    ended = make_pair(world.tenant, world.program, status=PairStatus.ENDED)
    url = _url(world, "review_pair", pair_pk=ended.pk)
    client = _as(world.tenant.admin.user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "continue"})
    assert response.status_code == 400
    assert "This pair is ended: it is not reviewed." in response.content.decode()
