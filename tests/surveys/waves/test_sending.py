"""Sending: the invitation email (content and signed link), reminders only while unanswered, the
close, and nothing sent twice or to someone no longer in the program."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from feedback import touchpoints
from feedback.models import Touchpoint, TouchpointStatus
from participants.models import Enrollment, EnrollmentStatus
from surveys.models import InvitationStatus, SurveyInvitation, Wave
from surveys.respond.use_cases import submit_answers
from surveys.waves import links, planning
from surveys.waves.planning import plan_survey
from tests.conftest import Tenant
from tests.surveys.waves.builders import END, SurveyWorld, good_answers, make_survey, survey_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> SurveyWorld:
    survey_world(org_b)
    return survey_world(org_a)


def _run_due(tenant: Tenant, now: datetime) -> list[str]:
    """Beat's sweep at ``now`` and the send tasks of what it claimed, run inline."""
    outcomes = []
    for touchpoint_id, organization_id in touchpoints.sweep_due(now=now, enqueue=False):
        assert organization_id == tenant.organization.pk
        with tenant.scope():
            outcomes.append(touchpoints.deliver(touchpoint_id=touchpoint_id, now=now))
    return outcomes


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.fromisoformat(f"{day.isoformat()}T{hour:02d}:00:00+00:00")


def _mail_to(address: str) -> list[Any]:
    return [m for m in mail.outbox if address in m.to]


def test_the_invitation_says_what_when_how_long_and_links_to_the_one_invitation(
    world: SurveyWorld,
) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST, anonymous=True, title="After")
    with time_machine.travel(_at(END - timedelta(days=10)), tick=False), world.tenant.scope():
        plan_survey(survey)
    with time_machine.travel(_at(END), tick=False):
        assert sorted(_run_due(world.tenant, _at(END))) == ["done", "done"]
        [message] = _mail_to(world.mentor_user.email)
        body = message.body
        assert world.program.name in message.subject
        assert "post-program survey" in body
        assert "about 2 minutes" in body  # six questions for a mentor, 20 seconds each
        assert "until 15 June 2026" in body
        assert "anonymous" in body
        url = re.search(r"http\S+/surveys/\S+/", body)
        assert url is not None
        token = url.group(0).rstrip("/").rsplit("/", 1)[1]
        link = links.read_token(token)
        with world.tenant.scope():
            invitation = SurveyInvitation.objects.get(pk=link.invitation_id)
            assert invitation.enrollment_id == world.mentor.pk
            assert invitation.status == InvitationStatus.SENT
            assert invitation.sent_at is not None
            # Two reminders inside the window and the close, planned as rows.
            follow_ups = Touchpoint.objects.filter(
                idempotency_key__in=planning.follow_up_keys(invitation)
            )
            assert sorted(follow_ups.values_list("kind", flat=True)) == [
                planning.CLOSE_KIND,
                planning.REMINDER_KIND,
                planning.REMINDER_KIND,
            ]
        page = Client().get(url.group(0).removeprefix("http://127.0.0.1:8000"))
        assert page.status_code == 200
        assert "After" in page.content.decode()


def test_attributed_invitation_says_the_team_sees_the_name(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST)
    with time_machine.travel(_at(END - timedelta(days=1)), tick=False), world.tenant.scope():
        plan_survey(survey)
    with time_machine.travel(_at(END), tick=False):
        _run_due(world.tenant, _at(END))
    [message] = _mail_to(world.mentee_user.email)
    assert "sees your answers with your name" in message.body
    assert "anonymous" not in message.body


def test_reminders_stop_once_answered_and_the_close_closes_the_rest(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST, open_days=9)
    with time_machine.travel(_at(END - timedelta(days=1)), tick=False), world.tenant.scope():
        plan_survey(survey)
    with time_machine.travel(_at(END), tick=False):
        _run_due(world.tenant, _at(END))
    mail.outbox.clear()
    # Day 3: the first reminder to both (09:00 in UTC and Tokyo).
    day3 = _at(END + timedelta(days=3))
    with time_machine.travel(day3, tick=False):
        _run_due(world.tenant, day3)
    assert len(_mail_to(world.mentor_user.email)) == 1
    assert "Reminder" in _mail_to(world.mentee_user.email)[0].subject
    # The mentor answers; the second reminder goes to the mentee only.
    with time_machine.travel(day3, tick=False), world.tenant.scope():
        invitation = SurveyInvitation.objects.select_related(
            "survey__program", "enrollment__person", "enrollment__program"
        ).get(enrollment=world.mentor, survey=survey)
        submit_answers(
            invitation=invitation, actor=world.mentor_user, data=good_answers(survey, "mentor")
        )
    mail.outbox.clear()
    day6 = _at(END + timedelta(days=6))
    with time_machine.travel(day6, tick=False):
        _run_due(world.tenant, day6)
    assert _mail_to(world.mentor_user.email) == []
    assert len(_mail_to(world.mentee_user.email)) == 1
    # After the closing day: the mentee's unanswered invitation is closed, the mentor's answered.
    after = _at(END + timedelta(days=10), hour=1)
    with time_machine.travel(after, tick=False):
        _run_due(world.tenant, after)
    with world.tenant.scope():
        statuses = dict(
            SurveyInvitation.objects.filter(survey=survey).values_list("enrollment_id", "status")
        )
        assert statuses == {
            world.mentor.pk: InvitationStatus.ANSWERED,
            world.mentee.pk: InvitationStatus.CLOSED,
        }
        invitation = SurveyInvitation.objects.get(enrollment=world.mentee, survey=survey)
        assert invitation.reminders_sent == 2
        assert not Touchpoint.objects.filter(status=TouchpointStatus.PENDING).exists()


def test_a_withdrawn_person_is_not_mailed(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST)
    with time_machine.travel(_at(END - timedelta(days=1)), tick=False), world.tenant.scope():
        plan_survey(survey)
        # Withdrawn behind the planner's back (no signal): the send itself checks.
        Enrollment.objects.filter(pk=world.mentee.pk).update(status=EnrollmentStatus.WITHDRAWN)
    with time_machine.travel(_at(END), tick=False):
        _run_due(world.tenant, _at(END))
    assert _mail_to(world.mentee_user.email) == []
    assert len(_mail_to(world.mentor_user.email)) == 1
    with world.tenant.scope():
        invitation = SurveyInvitation.objects.get(enrollment=world.mentee, survey=survey)
        assert invitation.status == InvitationStatus.CANCELLED


def test_a_failed_send_is_undone_and_retried_once_not_twice(
    world: SurveyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from surveys.waves import sending

    survey = make_survey(world.tenant, world.program, Wave.POST)
    with time_machine.travel(_at(END - timedelta(days=1)), tick=False), world.tenant.scope():
        plan_survey(survey)
    calls: list[str] = []

    def flaky(subject: str, body: str, sender: Any, to: list[str]) -> int:
        calls.append(to[0])
        if len(calls) == 1:
            raise ConnectionError("SMTP down")
        mail.outbox.append(mail.EmailMessage(subject, body, None, to))
        return 1

    monkeypatch.setattr(sending, "send_mail", flaky)
    with time_machine.travel(_at(END), tick=False):
        assert sorted(_run_due(world.tenant, _at(END))) == ["done", "retry"]
    with world.tenant.scope():
        failed_to = calls[0]
        invitation = SurveyInvitation.objects.get(
            survey=survey, enrollment__person__email=failed_to
        )
        assert invitation.status == InvitationStatus.PLANNED
        assert not Touchpoint.objects.filter(
            idempotency_key__in=planning.follow_up_keys(invitation),
            status=TouchpointStatus.PENDING,
        ).exists()
    later = _at(END) + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert _run_due(world.tenant, later) == ["done"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.mentor_user.email, world.mentee_user.email]
    )


def test_sending_an_invitation_costs_a_fixed_number_of_queries(
    world: SurveyWorld, django_assert_num_queries: Any
) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST)
    with time_machine.travel(_at(END - timedelta(days=1)), tick=False), world.tenant.scope():
        plan_survey(survey)
    with time_machine.travel(_at(END), tick=False):
        claimed = touchpoints.sweep_due(now=_at(END), enqueue=False)
        assert len(claimed) == 2
        with world.tenant.scope():
            touchpoints.deliver(touchpoint_id=claimed[0][0], now=_at(END))  # warms the caches
            # claim, load touchpoint, load invitation (one join), mark sent, follow-ups (one
            # insert), finish; in a savepoint here (the test's transaction).
            with django_assert_num_queries(8):
                touchpoints.deliver(touchpoint_id=claimed[1][0], now=_at(END))
    assert len(mail.outbox) == 2
