"""The homes cost a fixed number of SQL queries whatever the number of programs, pairs and rows."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.homes.selectors import participant_home
from feedback.models import SessionLog, SessionStatus
from matching.models import MatchingRound, Pair, RoundStatus
from participants.models import EnrollmentRole, EnrollmentStatus, Person
from programs.models import Program
from tests.conftest import Tenant
from tests.dashboards.homes.builders import live_program, people_pair, snapshot, today
from tests.feedback.test_engagement_builders import add_goal, check_in, log_session
from tests.participants.test_enrollment_builders import enrol, make_charter, make_person
from tests.surveys.respond.helpers import open_invitation
from tests.surveys.waves.builders import make_survey


def _pair_of(tenant: Tenant, program: Program, person: Person) -> Pair:
    """``person`` (one directory entry, in many programs) as the mentor of a new pair."""
    mentor = enrol(tenant, program, person, EnrollmentRole.MENTOR, EnrollmentStatus.ACCEPTED)
    mentee = enrol(
        tenant, program, make_person(tenant), EnrollmentRole.MENTEE, EnrollmentStatus.ACCEPTED
    )
    with tenant.scope():
        return Pair.objects.create(
            organization=tenant.organization,
            program=program,
            mentor=mentor,
            mentee=mentee,
            activated_at=timezone.now() - timedelta(days=30),
        )


def _busy_program(tenant: Tenant, pairs: int, *, mentor: Person | None = None) -> None:
    """A program with ``pairs`` pairs and something of every kind the homes count or list."""
    program = live_program(tenant)
    with tenant.scope():
        make_charter(program, 1)
    survey = make_survey(tenant, program)
    enrol(tenant, program, make_person(tenant), EnrollmentRole.MENTEE, "applied")
    with tenant.scope():
        MatchingRound.objects.create(
            organization=tenant.organization, program=program, status=RoundStatus.PROPOSED
        )
    for n in range(pairs):
        if n == 0 and mentor is not None:
            pair = _pair_of(tenant, program, mentor)
        else:
            pair = people_pair(tenant, program).pair
        log_session(tenant, pair, today() - timedelta(days=2))
        with tenant.scope():
            SessionLog.objects.create(
                organization=tenant.organization,
                pair=pair,
                logged_by=pair.mentee,
                held_on=today() - timedelta(days=1),
                duration_minutes=30,
                status=SessionStatus.AWAITING,
            )
        check_in(tenant, pair, today() - timedelta(days=10), rating=2, wants_contact=True)
        check_in(tenant, pair, today() - timedelta(days=1))
        snapshot(tenant, pair, "at_risk")
        add_goal(tenant, pair, 30)
        open_invitation(tenant, survey, pair.mentor)


def _count(client: Client, tenant: Tenant) -> int:
    url = reverse("organization_home", kwargs={"org_slug": tenant.slug})
    client.get(url)  # warm the session
    cache.clear()  # the staff figures computed afresh, as after a change to the data
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _api_count(client: Client, tenant: Tenant) -> int:
    url = reverse("api-organization-home", kwargs={"org_slug": tenant.slug})
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_staff_home_queries_do_not_grow(client_for, org_a: Tenant, org_b: Tenant) -> None:
    _busy_program(org_a, 1)
    _busy_program(org_b, 1)
    for _ in range(4):
        _busy_program(org_b, 3)
    admin_a, admin_b = client_for(org_a.admin.user), client_for(org_b.admin.user)
    small, large = _count(admin_a, org_a), _count(admin_b, org_b)
    assert small == large
    assert _api_count(admin_a, org_a) == _api_count(admin_b, org_b)
    coordinator_a = client_for(org_a.coordinator.user)
    assert _count(coordinator_a, org_a) == _count(client_for(org_b.coordinator.user), org_b)


def test_staff_home_figures_come_from_the_cache_while_nothing_changes(
    client_for, org_a: Tenant
) -> None:
    for _ in range(3):
        _busy_program(org_a, 3)
    admin = client_for(org_a.admin.user)
    url = reverse("organization_home", kwargs={"org_slug": org_a.slug})
    cold = _count(admin, org_a)
    with CaptureQueriesContext(connection) as queries:
        assert admin.get(url).status_code == 200
    # The session, the person, the policy's programs and the participant part (nothing enrolled).
    assert len(queries) <= cold - 4
    assert len(queries) <= 9


def test_participant_home_queries_do_not_grow(client_for, org_a: Tenant, org_b: Tenant) -> None:
    one, five = org_a.member.user, org_b.member.user
    _busy_program(org_a, 1, mentor=make_person(org_a, user=one))
    person = make_person(org_b, user=five)
    for _ in range(5):
        _busy_program(org_b, 2, mentor=person)
    with org_b.scope():
        assert len(participant_home(five.pk, org_b.slug).enrollments) == 5
    small, large = _count(client_for(one), org_a), _count(client_for(five), org_b)
    # Computed afresh: the session, the user, the organisation, the membership, the home's scopes
    # and its two statements (``dashboards.homes.statements``).
    assert small == large == 7
    assert _api_count(client_for(one), org_a) == _api_count(client_for(five), org_b)
    with org_b.scope(), CaptureQueriesContext(connection) as queries:
        home = participant_home(five.pk, org_b.slug)
    assert len(queries) == 2
    assert all(card.pairs and card.steps for card in home.enrollments)
