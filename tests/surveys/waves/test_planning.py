"""Planning the waves: dates per wave, 09:00 in the person's zone, re-planning under moved dates
and time, cancellation when a person withdraws or a pair ends before the mid-review."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from feedback.models import Touchpoint, TouchpointStatus
from matching.models import Pair, PairStatus
from participants import enrollment as enrolment
from participants.models import EnrollmentRole
from programs.hooks import schedule_changed
from programs.models import Audience, Program
from surveys.models import InvitationStatus, QuestionKind, SurveyInvitation, Wave
from surveys.signals import program_survey_changed
from surveys.waves import planning
from surveys.waves.planning import PRE_GRACE_DAYS, plan_program, plan_survey
from tests.conftest import Tenant
from tests.surveys.waves.builders import (
    END,
    MID,
    START,
    SurveyWorld,
    accept,
    add_version,
    make_person_with_account,
    make_survey,
    survey_world,
)

pytestmark = pytest.mark.django_db

NOW = "2026-02-12T08:00:00Z"  # after both were accepted (10 February), before the start


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> SurveyWorld:
    survey_world(org_b)  # a look-alike that must never be touched
    return survey_world(org_a)


def _invitations(world: SurveyWorld, wave: str) -> dict[int, SurveyInvitation]:
    return {
        inv.enrollment_id: inv
        for inv in SurveyInvitation.objects.filter(survey__wave=wave, survey__program=world.program)
        .select_related("touchpoint")
        .order_by("pk")
    }


@time_machine.travel(NOW, tick=False)
def test_each_wave_opens_on_its_program_date_at_nine_where_the_person_is(
    world: SurveyWorld,
) -> None:
    tenant = world.tenant
    for wave in (Wave.PRE, Wave.MID, Wave.POST, Wave.FOLLOW_UP):
        make_survey(tenant, world.program, wave, open_days=10)
    with tenant.scope():
        Pair.objects.create(
            organization=tenant.organization,
            program=world.program,
            mentor=world.mentor,
            mentee=world.mentee,
            status=PairStatus.ACTIVE,
        )
        plan_program(world.program)
        expected = {
            Wave.PRE: date(2026, 2, 12),  # accepted on the 10th: opens today (not after the fact)
            Wave.MID: MID,
            Wave.POST: END,
            Wave.FOLLOW_UP: END + timedelta(days=90),
        }
        for wave, opens_on in expected.items():
            invitations = _invitations(world, wave)
            assert set(invitations) == {world.mentor.pk, world.mentee.pk}, wave
            mentor, mentee = invitations[world.mentor.pk], invitations[world.mentee.pk]
            for invitation in (mentor, mentee):
                assert invitation.opens_on == opens_on
                assert invitation.closes_on == opens_on + timedelta(days=10)
                assert invitation.status == InvitationStatus.PLANNED
                assert invitation.touchpoint is not None
                assert invitation.touchpoint.kind == planning.INVITATION_KIND
                assert str(invitation.pk) in invitation.touchpoint.idempotency_key
            assert mentor.touchpoint is not None
            assert mentee.touchpoint is not None
            # 09:00 in UTC for the mentor, 09:00 in Tokyo for the mentee.
            assert mentor.touchpoint.due_at == datetime(
                opens_on.year, opens_on.month, opens_on.day, 9, tzinfo=ZoneInfo("UTC")
            )
            assert mentee.touchpoint.due_at == datetime(
                opens_on.year, opens_on.month, opens_on.day, 9, tzinfo=ZoneInfo("Asia/Tokyo")
            )
    with world.tenant.scope():
        # The look-alike organisation has no survey: nothing planned anywhere else.
        assert SurveyInvitation.objects.count() == 8


@time_machine.travel(NOW, tick=False)
def test_a_person_without_a_valid_time_zone_gets_the_programs(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST)
    with world.tenant.scope():
        world.mentor.person.time_zone = "Mars/Olympus"
        world.mentor.person.save(update_fields=["time_zone"])
        plan_survey(survey)
        invitation = _invitations(world, Wave.POST)[world.mentor.pk]
        assert invitation.touchpoint is not None
        assert invitation.touchpoint.due_at == datetime(
            2026, 6, 1, 9, tzinfo=ZoneInfo("Europe/Paris")
        )


@time_machine.travel(NOW, tick=False)
def test_only_roles_the_current_version_asks_are_invited(world: SurveyWorld) -> None:
    survey = make_survey(
        world.tenant,
        world.program,
        Wave.POST,
        questions=[{"kind": QuestionKind.NPS, "text": "Recommend?", "audience": Audience.MENTEES}],
    )
    with world.tenant.scope():
        plan_survey(survey)
        assert set(_invitations(world, Wave.POST)) == {world.mentee.pk}
        # A new version asks mentors only: the mentee's planned invitation is cancelled.
        add_version(
            survey, [{"kind": QuestionKind.NPS, "text": "Again?", "audience": Audience.MENTORS}]
        )
        plan_survey(survey)
        invitations = _invitations(world, Wave.POST)
        assert invitations[world.mentee.pk].status == InvitationStatus.CANCELLED
        assert invitations[world.mentor.pk].status == InvitationStatus.PLANNED


@time_machine.travel(NOW, tick=False)
def test_mid_wave_only_for_people_in_an_open_pair(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.MID)
    with world.tenant.scope():
        plan_survey(survey)
        assert _invitations(world, Wave.MID) == {}
        pair = Pair.objects.create(
            organization=world.tenant.organization,
            program=world.program,
            mentor=world.mentor,
            mentee=world.mentee,
            status=PairStatus.ACTIVE,
        )
        plan_survey(survey)
        assert len(_invitations(world, Wave.MID)) == 2
        Pair.objects.filter(pk=pair.pk).update(status=PairStatus.ENDED)
        plan_survey(survey)
        statuses = {i.status for i in _invitations(world, Wave.MID).values()}
        assert statuses == {InvitationStatus.CANCELLED}


def test_pre_wave_opens_on_acceptance_and_not_after_the_start_plus_grace(
    org_a: Tenant,
) -> None:
    world = survey_world(org_a)
    survey = make_survey(org_a, world.program, Wave.PRE)
    with time_machine.travel("2026-02-10T16:00:00Z", tick=False), org_a.scope():
        plan_survey(survey)
        invitation = _invitations(world, Wave.PRE)[world.mentor.pk]
        assert invitation.opens_on == date(2026, 2, 10)
        assert invitation.touchpoint is not None
        # 09:00 today is already past: the sweeper sends it at once.
        assert invitation.touchpoint.due_at < datetime.fromisoformat("2026-02-10T16:00:00+00:00")
    late_day = START + timedelta(days=PRE_GRACE_DAYS + 1)
    person, _user = make_person_with_account(org_a, name="Late Larry", time_zone="UTC")
    with time_machine.travel(f"{late_day.isoformat()}T10:00:00Z", tick=False):
        late = accept(
            org_a, world.program, person, EnrollmentRole.MENTEE, at=datetime.now().astimezone()
        )
        with org_a.scope():
            plan_survey(survey)
            assert late.pk not in _invitations(world, Wave.PRE)
    in_grace = START + timedelta(days=PRE_GRACE_DAYS)
    person2, _user2 = make_person_with_account(org_a, name="Just In Time", time_zone="UTC")
    with time_machine.travel(f"{in_grace.isoformat()}T10:00:00Z", tick=False):
        on_time = accept(
            org_a, world.program, person2, EnrollmentRole.MENTEE, at=datetime.now().astimezone()
        )
        with org_a.scope():
            plan_survey(survey)
            assert _invitations(world, Wave.PRE)[on_time.pk].opens_on == in_grace


def test_moved_dates_move_planned_invitations_and_leave_sent_ones(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST)
    with time_machine.travel(NOW, tick=False), world.tenant.scope():
        plan_survey(survey)
        before = _invitations(world, Wave.POST)
        first_keys = {i.touchpoint.idempotency_key for i in before.values() if i.touchpoint}
        plan_survey(survey)  # idempotent: nothing changes
        again = _invitations(world, Wave.POST)
        assert {i.touchpoint_id for i in again.values()} == {
            i.touchpoint_id for i in before.values()
        }
        assert Touchpoint.objects.filter(kind=planning.INVITATION_KIND).count() == 2
        # The mentor's went out already; then the end date moves two weeks later.
        sent = before[world.mentor.pk]
        SurveyInvitation.objects.filter(pk=sent.pk).update(status=InvitationStatus.SENT)
        new_end = END + timedelta(days=14)
        Program.objects.filter(pk=world.program.pk).update(end_date=new_end)
        plan_survey(survey)
        after = _invitations(world, Wave.POST)
        assert after[world.mentor.pk].opens_on == END  # sent: history
        moved = after[world.mentee.pk]
        assert (moved.opens_on, moved.closes_on) == (new_end, new_end + timedelta(days=14))
        assert moved.touchpoint is not None
        assert moved.touchpoint.idempotency_key not in first_keys
        assert moved.touchpoint.due_at == datetime(2026, 6, 15, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
        old = Touchpoint.objects.get(pk=before[world.mentee.pk].touchpoint_id)
        assert old.status == TouchpointStatus.CANCELLED
        plan_survey(survey)  # and idempotent again
        mentee_touchpoints = Touchpoint.objects.filter(
            idempotency_key__startswith=f"{planning.INVITATION_KIND}:{moved.pk}:"
        )
        assert mentee_touchpoints.count() == 2
        assert mentee_touchpoints.filter(status=TouchpointStatus.PENDING).count() == 1


def test_a_wave_whose_window_passed_is_not_planned_and_a_running_one_opens_today(
    world: SurveyWorld,
) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST, open_days=10)
    with time_machine.travel("2026-06-05T10:00:00Z", tick=False), world.tenant.scope():
        plan_survey(survey)  # added four days late: opens today, closes as planned
        invitation = _invitations(world, Wave.POST)[world.mentor.pk]
        assert (invitation.opens_on, invitation.closes_on) == (date(2026, 6, 5), date(2026, 6, 11))
    other = make_survey(world.tenant, world.program, Wave.MID, open_days=10)
    with time_machine.travel("2026-06-05T10:00:00Z", tick=False), world.tenant.scope():
        Pair.objects.create(
            organization=world.tenant.organization,
            program=world.program,
            mentor=world.mentor,
            mentee=world.mentee,
            status=PairStatus.ACTIVE,
        )
        plan_survey(other)  # the mid window closed weeks ago
        assert _invitations(world, Wave.MID) == {}


@pytest.mark.django_db(transaction=True)
def test_signals_replan_withdrawal_and_date_changes(world: SurveyWorld) -> None:
    """Withdrawing cancels the person's planned invitations; the program's schedule_changed and
    the builder's program_survey_changed re-plan (tasks run eagerly here: see the fixture)."""
    survey = make_survey(world.tenant, world.program, Wave.POST)
    tenant = world.tenant
    with time_machine.travel(NOW, tick=False):
        with tenant.scope(), transaction.atomic():
            program_survey_changed.send(sender=type(survey), survey=survey)
        from surveys.waves.tasks import plan_survey_invitations

        plan_survey_invitations.apply(
            kwargs={"organization_id": tenant.organization.pk, "survey_id": survey.pk}
        )
        with tenant.scope():
            assert len(_invitations(world, Wave.POST)) == 2
            enrolment.enrollment_withdraw(
                enrollment=world.mentee, actor=tenant.admin.user, reason="Moved abroad"
            )
            statuses = {k: i.status for k, i in _invitations(world, Wave.POST).items()}
            assert statuses == {
                world.mentor.pk: InvitationStatus.PLANNED,
                world.mentee.pk: InvitationStatus.CANCELLED,
            }
            touchpoint = _invitations(world, Wave.POST)[world.mentee.pk].touchpoint
            assert touchpoint is not None
            assert touchpoint.status == TouchpointStatus.CANCELLED
            Program.objects.filter(pk=world.program.pk).update(end_date=END + timedelta(days=7))
            program = Program.objects.get(pk=world.program.pk)
            with transaction.atomic():
                schedule_changed.send(sender=Program, program=program)
        from surveys.waves.tasks import plan_program_surveys

        plan_program_surveys.apply(
            kwargs={"organization_id": tenant.organization.pk, "program_id": world.program.pk}
        )
        with tenant.scope():
            assert _invitations(world, Wave.POST)[world.mentor.pk].opens_on == END + timedelta(
                days=7
            )
