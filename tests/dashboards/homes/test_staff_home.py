"""The staff part of the home: one row per live program they run, hand-counted figures, and each
"needs your attention" item appearing, linking to the page that resolves it, and disappearing
once resolved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback.models import ReviewDecision, SessionStatus
from matching.models import MatchingRound, Pair, PairStatus, RoundStatus
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus
from programs.models import ProgramStatus
from surveys.models import InvitationStatus, SurveyInvitation
from tests.conftest import Tenant
from tests.dashboards.homes.builders import live_program, people_pair, snapshot, today
from tests.feedback.test_engagement_builders import check_in, log_session
from tests.participants.test_enrollment_builders import enrol, make_person
from tests.surveys.respond.helpers import open_invitation
from tests.surveys.waves.builders import make_survey


def _home(client: Client, tenant: Tenant) -> str:
    response = client.get(reverse("organization_home", kwargs={"org_slug": tenant.slug}))
    assert response.status_code == 200
    return response.content.decode()


def _url(name: str, tenant: Tenant, *args: int) -> str:
    return reverse(name, args=(tenant.slug, *args))


@pytest.fixture
def staff_client(client_for, org_a: Tenant):  # type: ignore[no-untyped-def]
    return client_for(org_a.admin.user)


def test_admin_sees_every_live_program_and_coordinator_only_the_ones_they_run(
    client_for, org_a: Tenant, org_b: Tenant
) -> None:
    theirs = live_program(org_a, name="Cohort Theirs")
    other = live_program(org_a, name="Cohort Other", coordinated=False)
    live_program(org_a, name="Cohort Closed", status=ProgramStatus.CLOSED)
    live_program(org_a, name="Cohort Archived", archived_at=timezone.now())
    live_program(org_b, name="Cohort Elsewhere")

    admin = _home(client_for(org_a.admin.user), org_a)
    assert "Cohort Theirs" in admin
    assert "Cohort Other" in admin
    assert "Cohort Closed" not in admin
    assert "Cohort Archived" not in admin
    assert "Cohort Elsewhere" not in admin
    assert _url("program_detail", org_a, other.pk) in admin

    coordinator = _home(client_for(org_a.coordinator.user), org_a)
    assert "Cohort Theirs" in coordinator
    assert _url("program_detail", org_a, theirs.pk) in coordinator
    assert "Cohort Other" not in coordinator


def test_member_sees_no_staff_part(client_for, org_a: Tenant) -> None:
    live_program(org_a, name="Cohort Staff Only")
    page = _home(client_for(org_a.member.user), org_a)
    assert "Needs your attention" not in page
    assert "Cohort Staff Only" not in page
    cards = page[page.index('id="links-heading"') :]
    assert _url("api_tokens", org_a) not in cards  # the API tokens card is staff's
    assert _url("my_survey_list", org_a) in cards


def test_admin_without_a_program_is_asked_to_create_the_first(staff_client, org_a: Tenant) -> None:
    page = _home(staff_client, org_a)
    assert "Create your first program" in page
    assert _url("program_create", org_a) in page
    # Every card of the old home is still offered.
    for name in (
        "my_program_list",
        "my_survey_list",
        "program_list",
        "member_list",
        "api_tokens",
        "invitation_list",
        "audit_log",
    ):
        assert _url(name, org_a) in page, name


def test_figures_are_counted_per_program(client_for, org_a: Tenant) -> None:
    program = live_program(org_a, name="Cohort Counted")
    live = people_pair(org_a, program)
    people_pair(org_a, program, status=PairStatus.PAUSED)
    people_pair(org_a, program, status=PairStatus.ENDED)
    enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTOR, EnrollmentStatus.ACCEPTED)
    enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTEE, EnrollmentStatus.INVITED)
    enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTEE, EnrollmentStatus.WITHDRAWN)
    first = today().replace(day=1)
    log_session(org_a, live.pair, today())
    log_session(org_a, live.pair, first, status=SessionStatus.AWAITING)
    log_session(org_a, live.pair, today(), status=SessionStatus.DRAFT)  # not counted
    log_session(org_a, live.pair, first - timedelta(days=1))  # last month
    survey = make_survey(org_a, program)
    answered = open_invitation(org_a, survey, live.pair.mentor)
    with org_a.scope():
        SurveyInvitation.objects.filter(pk=answered.pk).update(status=InvitationStatus.ANSWERED)
    open_invitation(org_a, survey, live.pair.mentee)

    from dashboards.homes.selectors import staff_home

    with org_a.scope():
        (row,) = staff_home(org_a.admin, org_a.slug).programs  # type: ignore[union-attr]
    # 3 pairs (6 accepted people) + 1 accepted + 1 invited; the withdrawn one is not enrolled.
    assert row.enrolled == 8
    assert row.accepted == 7
    assert row.matched == 4  # the people of the active and the paused pair
    assert row.active_pairs == 1
    assert row.sessions_this_month == 2
    assert (row.response_rate.invited, row.response_rate.answered) == (2, 1)
    assert row.response_rate.percent == 50.0
    page = _home(client_for(org_a.admin.user), org_a)
    assert "50 % (1 of 2)" in page


def _attention(client: Client, tenant: Tenant) -> str:
    page = _home(client, tenant)
    start = page.index('id="attention-heading"')
    return page[start : page.index("</section>", start)]


def test_applications_wait_for_approval_until_answered(staff_client, org_a: Tenant) -> None:
    program = live_program(org_a)
    applied = enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTEE, "applied")
    link = _url("enrollment_manage", org_a, program.pk) + "?status=applied"
    shown = _attention(staff_client, org_a)
    assert "1 application waits for your approval" in shown
    assert link in shown
    with org_a.scope():
        Enrollment.objects.filter(pk=applied.pk).update(status=EnrollmentStatus.ACCEPTED)
    assert link not in _attention(staff_client, org_a)
    assert "Nothing needs your attention" in _attention(staff_client, org_a)


def test_a_proposed_round_waits_for_review_until_published(staff_client, org_a: Tenant) -> None:
    program = live_program(org_a)
    with org_a.scope():
        matching_round = MatchingRound.objects.create(
            organization=org_a.organization, program=program, status=RoundStatus.PROPOSED
        )
    link = _url("matching_round", org_a, program.pk, matching_round.pk)
    assert link in _attention(staff_client, org_a)
    with org_a.scope():
        MatchingRound.objects.filter(pk=matching_round.pk).update(status=RoundStatus.PUBLISHED)
    assert link not in _attention(staff_client, org_a)


def test_a_pair_at_risk_by_its_latest_snapshot(staff_client, org_a: Tenant) -> None:
    program = live_program(org_a)
    pair = people_pair(org_a, program).pair
    link = _url("program_review", org_a, program.pk) + "?level=at_risk"
    snapshot(org_a, pair, "healthy", days_ago=1)
    assert link not in _attention(staff_client, org_a)
    snapshot(org_a, pair, "at_risk")
    shown = _attention(staff_client, org_a)
    assert "1 pair is at risk" in shown
    assert link in shown
    with org_a.scope():
        Pair.objects.filter(pk=pair.pk).update(status=PairStatus.ENDED)
    assert link not in _attention(staff_client, org_a)


def test_contact_requests_stand_until_a_later_answer_withdraws_them(
    staff_client, org_a: Tenant
) -> None:
    program = live_program(org_a)
    pair = people_pair(org_a, program).pair
    link = _url("program_check_in_list", org_a, program.pk) + "?contact=1"
    check_in(org_a, pair, today() - timedelta(days=20), rating=2, wants_contact=True)
    shown = _attention(staff_client, org_a)
    assert "1 person asked you to get in touch" in shown
    assert link in shown
    # The partner's answer does not withdraw the mentor's request; the mentor's own later one does.
    check_in(org_a, pair, today() - timedelta(days=5), rating=4, mentee=True)
    assert link in _attention(staff_client, org_a)
    check_in(org_a, pair, today() - timedelta(days=4), rating=4)
    assert link not in _attention(staff_client, org_a)


def test_review_queue_lists_undecided_pairs_once_the_review_opens(
    staff_client, org_a: Tenant
) -> None:
    program = live_program(org_a)
    later = live_program(org_a, mid_review_date=today() + timedelta(days=10))
    pair = people_pair(org_a, program).pair
    people_pair(org_a, later)
    shown = _attention(staff_client, org_a)
    assert "Mid-program review: 1 pair waits for a decision" in shown
    assert _url("program_review", org_a, program.pk) + '"' in shown
    assert _url("program_review", org_a, later.pk) not in shown  # its review has not opened
    with org_a.scope():
        ReviewDecision.objects.create(
            organization=org_a.organization, pair=pair, decision="continue"
        )
    assert "Mid-program review" not in _attention(staff_client, org_a)


def test_coordinator_is_not_told_about_a_program_they_do_not_run(client_for, org_a: Tenant) -> None:
    other = live_program(org_a, coordinated=False)
    enrol(org_a, other, make_person(org_a), EnrollmentRole.MENTEE, "applied")
    shown = _attention(client_for(org_a.coordinator.user), org_a)
    assert "application" not in shown
    assert "application" in _attention(client_for(org_a.admin.user), org_a)
