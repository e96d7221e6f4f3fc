"""Pair pages: my pairs, one pair (why we were paired, charter, next steps), a program's pairs,
ending a pair and re-matching, for every role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from feedback.sessions import services as sessions
from matching import services
from matching.models import MatchingRound, Pair, PairStatus, RoundStatus
from organizations.models import Membership, Role
from participants.models import CharterAcceptance, Enrollment, EnrollmentRole, Person
from programs.lifecycle import program_today
from programs.models import ProgramCoordinator
from tests.conftest import Tenant, login
from tests.factories import make_member
from tests.feedback.builders import live_pair
from tests.matching.test_rounds_builders import (
    Cohort,
    add_person,
    matching_cohort,
    proposed_round,
)
from tests.participants.test_enrollment_builders import (
    assign_coordinator,
    make_charter,
    make_program,
    make_training,
)


@dataclass
class PairWorld:
    """A published 2x2 cohort of org A; the people of ``pair`` have accounts."""

    tenant: Tenant
    cohort: Cohort
    pair: Pair
    mentor_user: User
    mentee_user: User
    other_coordinator: Membership


def link_user(tenant: Tenant, enrollment: Enrollment, user: User) -> None:
    with tenant.scope():
        Person.objects.filter(pk=enrollment.person_id).update(user=user)


def published_pairs(tenant: Tenant, size: int = 2) -> tuple[Cohort, MatchingRound]:
    cohort = matching_cohort(tenant, size)
    matching_round = proposed_round(tenant, cohort)
    with tenant.scope():
        services.round_publish(matching_round=matching_round, actor=tenant.admin.user)
    return cohort, matching_round


def pair_world(tenant: Tenant) -> PairWorld:
    """Org A's coordinator runs the program; another coordinator runs another program."""
    cohort, _round = published_pairs(tenant)
    assign_coordinator(tenant, cohort.program)
    slug = tenant.slug
    mentor_user = make_member(tenant.organization, email=f"mentor@{slug}.test").user
    mentee_user = make_member(tenant.organization, email=f"mentee@{slug}.test").user
    other_coordinator = make_member(
        tenant.organization, role=Role.COORDINATOR, email=f"coordinator2@{slug}.test"
    )
    other_program = make_program(tenant)
    with tenant.scope():
        ProgramCoordinator.objects.create(
            organization=tenant.organization, program=other_program, user=other_coordinator.user
        )
        pair = Pair.objects.select_related("mentor__person", "mentee__person").get(
            mentee=cohort.mentees[0]
        )
    link_user(tenant, pair.mentor, mentor_user)
    link_user(tenant, pair.mentee, mentee_user)
    return PairWorld(tenant, cohort, pair, mentor_user, mentee_user, other_coordinator)


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> PairWorld:
    # Org B gets look-alike data: nothing of it may show in org A's pages.
    published_pairs(org_b)
    return pair_world(org_a)


def _user(world: PairWorld, who: str) -> User | None:
    return {
        "mentor": world.mentor_user,
        "mentee": world.mentee_user,
        "member": world.tenant.member.user,
        "coordinator": world.tenant.coordinator.user,
        "other_coordinator": world.other_coordinator.user,
        "admin": world.tenant.admin.user,
        "anonymous": None,
    }[who]


def _client(world: PairWorld, who: str) -> Client:
    user = _user(world, who)
    return login(Client(), user) if user is not None else Client()


def _url(world: PairWorld, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": world.tenant.slug, **kwargs})


def _round_url(world: PairWorld, matching_round: MatchingRound) -> str:
    return _url(world, "matching_round", program_pk=matching_round.program_id, pk=matching_round.pk)


# --- My pairs ----------------------------------------------------------------------------------


def test_my_pairs_lists_the_partner_program_role_and_status(world: PairWorld) -> None:
    response = _client(world, "mentee").get(_url(world, "my_pair_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.pair.mentor.person.full_name in page
    assert world.cohort.program.name in page
    assert "Mentee" in page
    assert world.pair.get_status_display() in page
    assert _url(world, "pair_detail", pk=world.pair.pk) in page
    # Only their own pair: the other mentor of the cohort is not listed.
    with world.tenant.scope():
        other = Pair.objects.exclude(pk=world.pair.pk).select_related("mentor__person").get()
    assert other.mentor.person.full_name not in page


def test_my_pairs_shows_the_mentor_side_too(world: PairWorld) -> None:
    page = _client(world, "mentor").get(_url(world, "my_pair_list")).content.decode()
    assert world.pair.mentee.person.full_name in page
    assert "Mentor" in page


def test_my_pairs_empty_state(world: PairWorld) -> None:
    response = _client(world, "member").get(_url(world, "my_pair_list"))
    assert response.status_code == 200
    assert "You have no pairs yet" in response.content.decode()


def test_my_pairs_needs_sign_in(world: PairWorld) -> None:
    response = Client().get(_url(world, "my_pair_list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_my_pairs_query_count_does_not_grow_with_pairs(
    world: PairWorld, django_assert_max_num_queries: Any
) -> None:
    client = _client(world, "mentor")
    url = _url(world, "my_pair_list")
    with CaptureQueriesContext(connection) as one_pair:
        assert client.get(url).status_code == 200
    for _ in range(3):  # the same person, mentor in three more programs
        cohort, _round = published_pairs(world.tenant, 1)
        link_user(world.tenant, cohort.mentors[0], world.mentor_user)
    with django_assert_max_num_queries(len(one_pair)):
        page = client.get(url).content.decode()
    assert page.count(f'href="/o/{world.tenant.slug}/pairs/') == 4


# --- One pair ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("mentor", 200),
        ("mentee", 200),
        ("admin", 200),
        ("coordinator", 200),
        ("member", 404),
        ("other_coordinator", 404),
    ],
)
def test_pair_page_is_for_its_people_and_its_staff(
    world: PairWorld, who: str, expected: int
) -> None:
    response = _client(world, who).get(_url(world, "pair_detail", pk=world.pair.pk))
    assert response.status_code == expected


def test_pair_page_anonymous_is_sent_to_sign_in(world: PairWorld) -> None:
    response = Client().get(_url(world, "pair_detail", pk=world.pair.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_pair_page_of_another_organisation_is_404(world: PairWorld, org_b: Tenant) -> None:
    client = login(Client(), org_b.admin.user)
    own_slug = reverse("pair_detail", kwargs={"org_slug": org_b.slug, "pk": world.pair.pk})
    assert client.get(own_slug).status_code == 404
    assert client.get(_url(world, "pair_detail", pk=world.pair.pk)).status_code == 404


def test_pair_page_explains_why_to_the_program_team_with_score_and_breakdown(
    world: PairWorld,
) -> None:
    page = _client(world, "coordinator").get(_url(world, "pair_detail", pk=world.pair.pk))
    text = page.content.decode()
    assert "Why we were paired" in text
    assert world.pair.rationale
    assert escape(world.pair.rationale[:40]) in text
    assert "out of 100" in text
    assert "Skills to learn" in text  # the complementarity criterion, weighted by the round
    assert "Shared interests" in text
    assert "Diversity" not in text  # not weighted and worth nothing: left out


def test_pair_page_tells_the_pair_why_without_internal_figures(world: PairWorld) -> None:
    with world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(
            rationale="Ann can teach AI tools that Bo wants to learn; pinned by an administrator"
        )
    for side in ("mentee", "mentor"):
        page = _client(world, side).get(_url(world, "pair_detail", pk=world.pair.pk))
        text = page.content.decode()
        # One click away: a disclosure, closed until opened.
        assert '<details class="why-paired">' in text
        assert "<summary>Why we were paired</summary>" in text
        assert "Ann can teach AI tools that Bo wants to learn." in text
        assert "pinned by an administrator" not in text
        assert "out of 100" not in text
        assert "criterion by criterion" not in text
        assert world.pair.mentor.person.full_name in text
        assert "(you)" in text


def test_pair_without_a_proposal_shows_only_the_rationale(world: PairWorld) -> None:
    cohort = world.cohort
    with world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(
            source_round=None, rationale="Hand-made by the coordinator."
        )
    text = _client(world, "admin").get(_url(world, "pair_detail", pk=world.pair.pk))
    body = text.content.decode()
    assert text.status_code == 200
    assert "Hand-made by the coordinator." in body
    assert "criterion by criterion" not in body
    assert cohort.program.name in body


def test_pair_page_shows_charter_acceptance_of_both(world: PairWorld) -> None:
    program = world.cohort.program
    with world.tenant.scope():
        # Both accepted version 1 (the builder); only the mentee accepts the new version 2.
        current = make_charter(program, 2)
        CharterAcceptance.objects.create(
            organization=world.tenant.organization,
            enrollment=world.pair.mentee,
            charter_version=current,
        )
    text = _client(world, "admin").get(_url(world, "pair_detail", pk=world.pair.pk))
    body = text.content.decode()
    assert "Charter (version 2)" in body
    assert body.count("Not accepted yet") == 1
    assert body.count(">Accepted<") == 1


def test_pair_page_tells_its_people_what_to_do_next(world: PairWorld) -> None:
    program = world.cohort.program
    with world.tenant.scope():
        make_charter(program, 2)  # a new version, which nobody accepted yet
        make_training(program, "Listening well", required=True)
    text = _client(world, "mentor").get(_url(world, "pair_detail", pk=world.pair.pk))
    body = text.content.decode()
    assert "What to do now" in body
    assert "Read and accept version 2 of the charter." in body
    assert "1 required training item left." in body
    assert "Plan your first session together" in body
    my_program = reverse(
        "my_program_detail", kwargs={"org_slug": world.tenant.slug, "program_pk": program.pk}
    )
    assert my_program in body
    assert "End this pair" not in body  # a member of the pair cannot end it
    # What to do comes before the rest of the pair's life.
    assert body.index("What to do now") < body.index('id="sessions-heading"')


def test_pair_page_guidance_is_current(world: PairWorld) -> None:
    """Charter accepted (the builder) and a session logged: neither "accept the charter" nor
    "plan your first session" any more; the partner's session waits on top, with its button."""
    with world.tenant.scope():
        session = sessions.session_log(
            pair=world.pair,
            by=world.pair.mentee,
            actor=None,
            held_on=program_today(world.cohort.program),
            duration_minutes=30,
        )
    body = _client(world, "mentor").get(_url(world, "pair_detail", pk=world.pair.pk))
    text = body.content.decode()
    todo = text[text.index('id="todo-heading"') : text.index('id="sessions-heading"')]
    assert "charter" not in todo
    assert "first session" not in todo
    assert "logged your session of" in todo
    confirm = reverse(
        "pair_session_confirm",
        kwargs={"org_slug": world.tenant.slug, "pair_pk": world.pair.pk, "pk": session.pk},
    )
    assert confirm in todo


def test_staff_see_the_end_form_not_the_next_steps(world: PairWorld) -> None:
    body = _client(world, "coordinator").get(_url(world, "pair_detail", pk=world.pair.pk))
    text = body.content.decode()
    assert "End this pair" in text
    assert "What to do now" not in text
    assert f"Start a re-match for {world.pair.mentee.person.full_name}" in text
    assert "<legend>Re-match</legend>" in text


# --- Ending a pair -----------------------------------------------------------------------------


def test_admin_ends_a_pair_and_both_are_emailed(
    world: PairWorld, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(world, "admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(world, "pair_end", pk=world.pair.pk), {"reason": "Schedules never lined up."}
        )
    assert response.status_code == 302
    assert response["Location"] == _url(world, "pair_detail", pk=world.pair.pk)
    with world.tenant.scope():
        pair = Pair.objects.get(pk=world.pair.pk)
    assert pair.status == PairStatus.ENDED
    assert pair.ended_by == world.tenant.admin.user
    assert pair.ended_at is not None
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {world.pair.mentor.person.email, world.pair.mentee.person.email}
    page = client.get(response["Location"]).content.decode()
    assert "This pair has ended" in page
    assert "Schedules never lined up." in page
    assert "Alex Admin" in page
    assert "End this pair" not in page  # nothing left to end
    # Its people see why, too.
    mentee_page = _client(world, "mentee").get(response["Location"]).content.decode()
    assert "Schedules never lined up." in mentee_page
    assert "What to do next" not in mentee_page


@pytest.mark.parametrize(
    ("who", "expected"),
    [("mentor", 403), ("mentee", 403), ("member", 404), ("other_coordinator", 404)],
)
def test_only_the_programs_staff_end_a_pair(world: PairWorld, who: str, expected: int) -> None:
    response = _client(world, who).post(
        _url(world, "pair_end", pk=world.pair.pk), {"reason": "Not for me."}
    )
    assert response.status_code == expected
    with world.tenant.scope():
        assert Pair.objects.get(pk=world.pair.pk).status == world.pair.status


def test_the_programs_coordinator_ends_a_pair(world: PairWorld) -> None:
    response = _client(world, "coordinator").post(
        _url(world, "pair_end", pk=world.pair.pk), {"reason": "Moved abroad."}
    )
    assert response.status_code == 302
    with world.tenant.scope():
        assert Pair.objects.get(pk=world.pair.pk).status == PairStatus.ENDED


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "This field is required."), ("   ", "This field is required."), ("x" * 301, "300")],
)
def test_end_without_a_good_reason_is_a_400_with_the_field_message(
    world: PairWorld, reason: str, message: str
) -> None:
    response = _client(world, "admin").post(
        _url(world, "pair_end", pk=world.pair.pk), {"reason": reason}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_reason_error"' in body
    assert message in body
    with world.tenant.scope():
        assert Pair.objects.get(pk=world.pair.pk).status == world.pair.status


def test_ending_an_ended_pair_is_a_400(world: PairWorld) -> None:
    client = _client(world, "admin")
    url = _url(world, "pair_end", pk=world.pair.pk)
    assert client.post(url, {"reason": "Done."}).status_code == 302
    again = client.post(url, {"reason": "Again."})
    assert again.status_code == 400
    assert "already ended" in again.content.decode()


def test_end_with_a_rematch_starts_a_round_for_that_person(world: PairWorld) -> None:
    cohort = world.cohort
    # Rotation keeps the mentee from their last mentor: a newcomer is the free place.
    newcomer = add_person(
        world.tenant, cohort.program, EnrollmentRole.MENTOR, topics=cohort.topics, levels={0: 4}
    )
    response = _client(world, "admin").post(
        _url(world, "pair_end", pk=world.pair.pk),
        {"reason": "Different expectations.", "rematch_mentee": "on"},
    )
    with world.tenant.scope():
        matching_round = MatchingRound.objects.get(rematch_for=world.pair.mentee)
        assert Pair.objects.get(pk=world.pair.pk).status == PairStatus.ENDED
    assert response.status_code == 302
    assert response["Location"] == _round_url(world, matching_round)
    assert matching_round.status == RoundStatus.QUEUED
    # The round computes over this mentee and the free mentor places only.
    with world.tenant.scope():
        assert services.run_round(round_id=matching_round.pk) == "proposed"
        proposals = list(matching_round.proposals.all())
    assert [(p.mentor_id, p.mentee_id) for p in proposals] == [(newcomer.pk, world.pair.mentee.pk)]


def test_a_refused_rematch_is_a_message_and_the_end_stays_done(world: PairWorld) -> None:
    client = _client(world, "admin")
    response = client.post(
        _url(world, "pair_end", pk=world.pair.pk),
        {"reason": "Different expectations.", "rematch_mentee": "on", "rematch_mentor": "on"},
    )
    assert response.status_code == 302
    with world.tenant.scope():
        assert Pair.objects.get(pk=world.pair.pk).status == PairStatus.ENDED
        rounds = list(MatchingRound.objects.filter(rematch_for__isnull=False))
    # One round of a program at a time: the mentee's started, the mentor's was refused.
    assert [r.rematch_for_id for r in rounds] == [world.pair.mentee.pk]
    shown = client.get(_url(world, "pair_detail", pk=world.pair.pk))
    messages = [str(m) for m in shown.context["messages"]]
    mentor = world.pair.mentor.person.full_name
    assert any(m.startswith(f"No re-match for {mentor}") for m in messages), messages


# --- A program's pairs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("coordinator", 200),
        ("other_coordinator", 404),
        ("member", 403),
        ("mentor", 403),
    ],
)
def test_program_pairs_are_for_the_programs_staff(
    world: PairWorld, who: str, expected: int
) -> None:
    url = _url(world, "program_pair_list", program_pk=world.cohort.program.pk)
    assert _client(world, who).get(url).status_code == expected


def test_program_pairs_counts_filter_and_free_people(world: PairWorld) -> None:
    program = world.cohort.program
    client = _client(world, "admin")
    client.post(_url(world, "pair_end", pk=world.pair.pk), {"reason": "Moved teams."})
    url = _url(world, "program_pair_list", program_pk=program.pk)
    page = client.get(url)
    assert page.status_code == 200
    with world.tenant.scope():
        other = Pair.objects.exclude(pk=world.pair.pk).get()
    expected = dict.fromkeys(PairStatus.values, 0)
    expected[other.status] += 1
    expected[PairStatus.ENDED] += 1
    assert {value: n for value, _label, n in page.context["status_counts"]} == expected
    assert page.context["total"] == 2
    free = {enrollment.pk: places for enrollment, places in page.context["free"]}
    assert free == {world.pair.mentor.pk: 1, world.pair.mentee.pk: None}
    body = page.content.decode()
    rematch = _url(
        world, "program_rematch", program_pk=program.pk, enrollment_pk=world.pair.mentee.pk
    )
    assert rematch in body
    ended = client.get(url, {"status": "ended"})
    assert [pair.pk for pair in ended.context["page"].object_list] == [world.pair.pk]
    assert list(client.get(url, {"status": "paused"}).context["page"].object_list) == []
    assert "No pair has this status." in client.get(url, {"status": "paused"}).content.decode()
    # An unknown status is ignored, not an error.
    assert client.get(url, {"status": "bogus"}).status_code == 400  # named, not ignored


def test_program_pairs_empty_states(org_a: Tenant) -> None:
    program = make_program(org_a)
    client = login(Client(), org_a.admin.user)
    body = client.get(
        reverse("program_pair_list", kwargs={"org_slug": org_a.slug, "program_pk": program.pk})
    ).content.decode()
    assert "This program has no pairs yet" in body
    assert "Everyone accepted in this program has an open pair" in body
    assert "Re-matching is possible while the program is matching or active" in body


def test_program_pairs_are_paginated_with_a_bounded_query_count(
    org_a: Tenant, django_assert_max_num_queries: Any
) -> None:
    cohort, _round = published_pairs(org_a, 3)
    client = login(Client(), org_a.admin.user)
    url = reverse(
        "program_pair_list", kwargs={"org_slug": org_a.slug, "program_pk": cohort.program.pk}
    )
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with org_a.scope():
        for _ in range(30):
            mentor = add_person(
                org_a, cohort.program, EnrollmentRole.MENTOR, topics=cohort.topics, levels={0: 3}
            )
            mentee = add_person(
                org_a, cohort.program, EnrollmentRole.MENTEE, topics=cohort.topics, levels={0: 3}
            )
            Pair.objects.create(
                organization=org_a.organization,
                program=cohort.program,
                mentor=mentor,
                mentee=mentee,
                rationale="By hand.",
            )
    with django_assert_max_num_queries(len(few)):
        page = client.get(url)
    assert page.context["page"].paginator.num_pages == 2
    assert 'rel="next"' in page.content.decode()
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == 8


# --- Re-match from the program's pairs ---------------------------------------------------------


def _end(world: PairWorld) -> None:
    response = _client(world, "admin").post(
        _url(world, "pair_end", pk=world.pair.pk), {"reason": "Moved teams."}
    )
    assert response.status_code == 302


def test_rematch_button_starts_a_round_for_that_person(world: PairWorld) -> None:
    _end(world)
    program = world.cohort.program
    response = _client(world, "coordinator").post(
        _url(world, "program_rematch", program_pk=program.pk, enrollment_pk=world.pair.mentor.pk)
    )
    with world.tenant.scope():
        matching_round = MatchingRound.objects.get(rematch_for=world.pair.mentor)
    assert response.status_code == 302
    assert response["Location"] == _round_url(world, matching_round)
    assert matching_round.created_by == world.tenant.coordinator.user


def test_rematch_refused_is_a_message_back_on_the_pairs_page(world: PairWorld) -> None:
    program = world.cohort.program
    url = _url(world, "program_rematch", program_pk=program.pk, enrollment_pk=world.pair.mentee.pk)
    response = _client(world, "admin").post(url, follow=True)  # the mentee has an open pair
    assert response.redirect_chain[-1][0] == _url(world, "program_pair_list", program_pk=program.pk)
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("No re-match for") for m in messages)
    with world.tenant.scope():
        assert not MatchingRound.objects.filter(rematch_for__isnull=False).exists()


@pytest.mark.parametrize(("who", "expected"), [("member", 403), ("other_coordinator", 404)])
def test_rematch_is_for_the_programs_staff(world: PairWorld, who: str, expected: int) -> None:
    _end(world)
    url = _url(
        world,
        "program_rematch",
        program_pk=world.cohort.program.pk,
        enrollment_pk=world.pair.mentee.pk,
    )
    assert _client(world, who).post(url).status_code == expected
    with world.tenant.scope():
        assert not MatchingRound.objects.filter(rematch_for__isnull=False).exists()


def test_rematch_of_someone_from_another_program_is_404(world: PairWorld) -> None:
    other, _round = published_pairs(world.tenant, 1)
    url = _url(
        world,
        "program_rematch",
        program_pk=world.cohort.program.pk,
        enrollment_pk=other.mentees[0].pk,
    )
    assert _client(world, "admin").post(url).status_code == 404


def test_pair_pages_only_take_post_where_they_change_things(world: PairWorld) -> None:
    client = _client(world, "admin")
    assert client.get(_url(world, "pair_end", pk=world.pair.pk)).status_code == 405
    assert client.post(_url(world, "pair_detail", pk=world.pair.pk)).status_code == 405


def test_program_pairs_page_sums_hours_per_pair_person_and_program(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        first = sessions.session_log(
            pair=live.pair,
            by=live.mentor,
            actor=None,
            held_on=date.today() - timedelta(days=2),
            duration_minutes=90,
        )
        sessions.session_confirm(session=first, by=live.mentee, actor=None)
        sessions.session_log(
            pair=live.pair,
            by=live.mentee,
            actor=None,
            held_on=date.today() - timedelta(days=1),
            duration_minutes=30,
        )
    client = login(Client(), org_a.admin.user)
    html = client.get(
        reverse("program_pair_list", args=[org_a.slug, live.program.pk])
    ).content.decode()
    assert "Sessions so far: <strong>2</strong>, of which 1.5 confirmed hours" in html
    assert "1 awaiting the partner's confirmation" in html
    assert "<td>2</td>\n        <td>1.5</td>" in html
    assert f'<th scope="row">{live.mentor.person.full_name}</th><td>2</td><td>1.5</td>' in html
