"""The participant part of the home: per enrolment the pair and partner, the single next step (in
``participants.next_step.STEP_ORDER``), when the next session is due, and the goals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.homes import statements
from dashboards.homes.selectors import participant_home
from feedback.models import CheckIn, GoalStatus, SessionLog, SessionStatus
from matching.models import Pair, PairStatus
from organizations.scope import ScopeError
from participants.models import (
    CharterAcceptance,
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
)
from participants.next_step import STEP_ORDER
from tests.conftest import Tenant
from tests.dashboards.homes.builders import live_program, member, people_pair, today
from tests.feedback.test_engagement_builders import add_goal, check_in, log_session
from tests.participants.test_enrollment_builders import enrol, make_charter, make_person
from tests.surveys.respond.helpers import open_invitation
from tests.surveys.waves.builders import make_survey


def _home(client: Client, tenant: Tenant) -> str:
    response = client.get(reverse("organization_home", kwargs={"org_slug": tenant.slug}))
    assert response.status_code == 200
    return response.content.decode()


def _steps(tenant: Tenant, user) -> list[str]:  # type: ignore[no-untyped-def]
    with tenant.scope():
        (card,) = participant_home(user.pk, tenant.slug).enrollments
    return [step.code for step in card.steps]


def test_mentor_and_mentee_each_see_their_partner(client_for, org_a: Tenant) -> None:
    program = live_program(org_a, name="Cohort Pairs")
    people = people_pair(org_a, program)
    pair = people.pair
    mentor_page = _home(client_for(people.mentor_user), org_a)
    assert pair.mentee.person.full_name in mentor_page
    assert "(mentee)" in mentor_page
    assert "as <strong>mentor</strong>" in mentor_page
    assert reverse("pair_detail", args=(org_a.slug, pair.pk)) in mentor_page
    mentee_page = _home(client_for(people.mentee_user), org_a)
    assert pair.mentor.person.full_name in mentee_page
    assert "(mentor)" in mentee_page
    assert "Needs your attention" not in mentee_page


def test_program_wording_names_the_roles(client_for, org_a: Tenant) -> None:
    program = live_program(org_a, terminology={"mentor": "reverse mentor"})
    people = people_pair(org_a, program)
    assert "(reverse mentor)" in _home(client_for(people.mentee_user), org_a)


def test_member_without_enrolment_is_pointed_to_the_programs(client_for, org_a: Tenant) -> None:
    page = _home(client_for(org_a.member.user), org_a)
    assert "You do not take part in a program yet" in page
    assert reverse("my_program_list", args=(org_a.slug,)) in page


def test_staff_who_also_take_part_see_both_parts(client_for, org_a: Tenant) -> None:
    program = live_program(org_a, name="Cohort Both")
    people = people_pair(org_a, program, mentee_user=org_a.admin.user)
    page = _home(client_for(org_a.admin.user), org_a)
    assert "Needs your attention" in page
    assert "Taking part" in page
    assert people.pair.mentor.person.full_name in page


def test_next_steps_follow_the_one_order(org_a: Tenant) -> None:
    program = live_program(org_a)
    people = people_pair(org_a, program)
    pair = people.pair
    with org_a.scope():
        make_charter(program, 1)
        SessionLog.objects.create(
            organization=org_a.organization,
            pair=pair,
            logged_by=pair.mentee,
            held_on=today() - timedelta(days=2),
            duration_minutes=45,
            status=SessionStatus.AWAITING,
        )
    check_in(org_a, pair, today() - timedelta(days=1))
    open_invitation(org_a, make_survey(org_a, program), pair.mentor)
    # Paired: no registration step, however incomplete the profile.
    assert _steps(org_a, people.mentor_user) == [
        "accept_charter",
        "confirm_session",
        "answer_check_in",
        "answer_survey",
    ]
    with org_a.scope():
        CharterAcceptance.objects.create(
            organization=org_a.organization,
            enrollment=pair.mentor,
            charter_version=program.charter_versions.get(),
        )
        SessionLog.objects.filter(pair=pair).update(status=SessionStatus.CONFIRMED)
    assert _steps(org_a, people.mentor_user) == ["answer_check_in", "answer_survey"]
    # The mentee logged the session: nothing of it waits for them.
    assert "confirm_session" not in _steps(org_a, people.mentee_user)


def test_the_next_step_has_its_button(client_for, org_a: Tenant) -> None:
    program = live_program(org_a)
    people = people_pair(org_a, program)
    check_in(org_a, people.pair, today() - timedelta(days=1))
    page = _home(client_for(people.mentor_user), org_a)
    assert "Next step:" in page
    assert "Answer the check-in" in page
    with org_a.scope():
        check = CheckIn.objects.get(pair=people.pair)
    assert reverse("my_check_in_answer", args=(org_a.slug, check.pk)) in page


def test_enrolment_states_before_a_pair(org_a: Tenant) -> None:
    program = live_program(org_a, status="enrolling")
    user = member(org_a, "newcomer@acme.test")
    person = make_person(org_a, user=user)
    enrollment = enrol(org_a, program, person, EnrollmentRole.MENTEE, EnrollmentStatus.INVITED)
    assert _steps(org_a, user) == ["answer_invitation"]
    with org_a.scope():
        Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.APPLIED)
    assert _steps(org_a, user) == ["await_approval"]
    with org_a.scope():
        Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.ACCEPTED)
    # Accepted, unpaired, empty profile, no charter published yet.
    assert _steps(org_a, user) == ["finish_registration"]
    with org_a.scope():
        make_charter(program, 1)
    assert _steps(org_a, user) == ["accept_charter", "finish_registration"]
    with org_a.scope():
        Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.WITHDRAWN)
        assert participant_home(user.pk, org_a.slug).enrollments == []


def test_step_order_is_one_tuple() -> None:
    assert STEP_ORDER.index("accept_charter") < STEP_ORDER.index("confirm_session")
    assert STEP_ORDER.index("answer_check_in") < STEP_ORDER.index("finish_registration")


def test_next_session_and_goals_are_shown(client_for, org_a: Tenant) -> None:
    program = live_program(org_a, session_cadence_days=14)
    people = people_pair(org_a, program)
    last = today() - timedelta(days=3)
    log_session(org_a, people.pair, last)
    add_goal(org_a, people.pair, 40)
    add_goal(org_a, people.pair, 70, status=GoalStatus.ACHIEVED)
    with org_a.scope():
        (card,) = participant_home(people.mentee_user.pk, org_a.slug).enrollments
    (pc,) = card.pairs
    assert pc.last_session_on == last
    assert pc.next_session_due == last + timedelta(days=14)
    assert sorted((g.status, g.progress) for g in pc.goals) == [("achieved", 100), ("open", 40)]
    page = _home(client_for(people.mentee_user), org_a)
    assert "Next session due by" in page
    assert "Achieved" in page
    assert "40 %" in page


def test_paused_pair_has_no_session_due(org_a: Tenant) -> None:
    program = live_program(org_a)
    people = people_pair(org_a, program, status=PairStatus.PAUSED)
    with org_a.scope():
        (card,) = participant_home(people.mentor_user.pk, org_a.slug).enrollments
    assert card.pairs[0].next_session_due is None


def test_the_home_is_cached_yet_shows_the_partners_new_session_at_once(
    client_for, org_a: Tenant
) -> None:
    program = live_program(org_a)
    people = people_pair(org_a, program)
    client = client_for(people.mentee_user)
    url = reverse("organization_home", kwargs={"org_slug": org_a.slug})
    assert "Confirm the session" not in _home(client, org_a)
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    # Nothing changed: the person's part comes from the cache (session, user, organisation,
    # membership and the scope's settings only).
    assert len(cached) <= 7
    log_session(org_a, people.pair, today() - timedelta(days=1), status=SessionStatus.AWAITING)
    assert "Confirm the session" in _home(client, org_a)


def test_a_mentor_of_two_pairs_confirms_the_oldest_session_first(org_a: Tenant) -> None:
    program = live_program(org_a)
    people = people_pair(org_a, program)
    first = people.pair
    with org_a.scope():
        second = Pair.objects.create(
            organization=org_a.organization,
            program=program,
            mentor=first.mentor,
            mentee=enrol(
                org_a, program, make_person(org_a), EnrollmentRole.MENTEE, EnrollmentStatus.ACCEPTED
            ),
            activated_at=timezone.now() - timedelta(days=30),
        )
        for pair, days in ((first, 3), (second, 5), (first, 7)):
            SessionLog.objects.create(
                organization=org_a.organization,
                pair=pair,
                logged_by=pair.mentee,
                held_on=today() - timedelta(days=days),
                duration_minutes=30,
                status=SessionStatus.AWAITING,
            )
        (card,) = participant_home(people.mentor_user.pk, org_a.slug).enrollments
    assert [pc.pk for pc in card.pairs] == [second.pk, first.pk]  # newest pair first
    # Across both pairs, oldest first: the next step is the session of 7 days ago.
    assert [(step.code, step.url_args) for step in card.steps] == [
        ("confirm_session", (first.pk,)),
        ("confirm_session", (second.pk,)),
        ("confirm_session", (first.pk,)),
    ]
    assert f"{today() - timedelta(days=7):%-d %B %Y}" in card.steps[0].text


def test_the_home_statements_read_only_the_organisation_in_scope(
    org_a: Tenant, org_b: Tenant
) -> None:
    """Written as SQL, they still refuse to run outside a scope as a tenant manager does, and
    read nothing of another organisation's rows inside its scope."""
    people = people_pair(org_a, live_program(org_a))
    since = timezone.now() - timedelta(days=14)
    with pytest.raises(ScopeError):
        participant_home(people.mentor_user.pk, org_a.slug)
    with pytest.raises(ScopeError):
        statements.open_pairs([people.pair.mentor_id], {}, notes_since=since)
    with org_b.scope():
        assert participant_home(people.mentor_user.pk, org_b.slug).enrollments == []
        assert statements.open_pairs([people.pair.mentor_id], {}, notes_since=since) == []
    with org_a.scope():
        (card,) = participant_home(people.mentor_user.pk, org_a.slug).enrollments
    assert [pc.pk for pc in card.pairs] == [people.pair.pk]
