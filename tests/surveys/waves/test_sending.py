"""Sending: the invitation email (content and signed link), reminders only while unanswered, the
close, and nothing sent twice or to someone no longer in the program."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client

from feedback import touchpoints
from feedback.models import Touchpoint, TouchpointStatus
from organizations import mail as mail_branding
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus, Person
from surveys.models import InvitationStatus, SurveyInvitation, Wave
from surveys.respond.use_cases import submit_answers
from surveys.waves import links, planning, sending
from surveys.waves.planning import plan_survey
from tests.conftest import Tenant
from tests.surveys.waves.builders import (
    END,
    SurveyWorld,
    accept,
    good_answers,
    make_survey,
    survey_world,
)

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
    survey = make_survey(world.tenant, world.program, Wave.POST)
    with time_machine.travel(_at(END - timedelta(days=1)), tick=False), world.tenant.scope():
        plan_survey(survey)
    calls: list[str] = []

    def flaky(connection: Any, message: mail.EmailMessage) -> None:
        calls.append(message.to[0])
        if len(calls) == 1:
            raise ConnectionError("SMTP down")
        connection.send_messages([message])

    monkeypatch.setattr(sending, "_send", flaky)
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


@pytest.mark.parametrize("extra_people", [0, 8])
def test_sending_a_chunk_of_invitations_costs_a_fixed_number_of_queries(
    world: SurveyWorld, django_assert_num_queries: Any, extra_people: int
) -> None:
    with world.tenant.scope():
        for number in range(extra_people):
            person = Person.objects.create(
                organization=world.tenant.organization,
                full_name=f"Extra {number}",
                email=f"extra{number}@{world.tenant.slug}.test",
            )
            accept(world.tenant, world.program, person, EnrollmentRole.MENTEE)
    survey = make_survey(world.tenant, world.program, Wave.POST)
    with time_machine.travel(_at(END - timedelta(days=1)), tick=False), world.tenant.scope():
        plan_survey(survey)
        sending.minutes_to_answer(SurveyInvitation.objects.filter(survey=survey).first())  # warm
        mail_branding.logo_url(world.tenant.organization)  # warm, as the wave's first email does
    with time_machine.travel(_at(END), tick=False):
        claimed = touchpoints.sweep_due(now=_at(END), enqueue=False)
        assert len(claimed) == 2 + extra_people
        with world.tenant.scope():
            # Once per chunk: hold its rows for this worker process (one update). Per group of
            # CLAIM_GROUP rows: claim (lock, update), load the group's invitations (one join),
            # mark them sent (lock, update), every follow-up (one insert); the two atomic blocks
            # are savepoints here (the test's transaction), four queries more. Per row: done as
            # soon as its email is handed over (one update), so a worker dying later in the group
            # cannot leave it to be sent twice.
            groups = -(-len(claimed) // touchpoints.CLAIM_GROUP)
            with django_assert_num_queries(1 + 10 * groups + len(claimed)):
                outcomes = touchpoints.deliver_many(
                    touchpoint_ids=[row[0] for row in claimed], now=_at(END)
                )
    assert outcomes == {"done": 2 + extra_people}
    assert len(mail.outbox) == 2 + extra_people


def _run_due_in_one_chunk(tenant: Tenant, now: datetime) -> Counter[str]:
    """Beat's sweep at ``now`` and one send task for everything it claimed, run inline."""
    claimed = touchpoints.sweep_due(now=now, enqueue=False)
    with tenant.scope():
        return touchpoints.deliver_many(touchpoint_ids=[row[0] for row in claimed], now=now)


def test_two_reminders_due_together_send_one_email(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST, open_days=9)
    with time_machine.travel(_at(END - timedelta(days=1)), tick=False), world.tenant.scope():
        plan_survey(survey)
    with time_machine.travel(_at(END), tick=False):
        assert _run_due_in_one_chunk(world.tenant, _at(END)) == {"done": 2}
    mail.outbox.clear()
    # The workers were down for a week: both reminders of both people are due at once.
    day7 = _at(END + timedelta(days=7))
    with time_machine.travel(day7, tick=False):
        assert _run_due_in_one_chunk(world.tenant, day7) == {"done": 4}
    for address in (world.mentor_user.email, world.mentee_user.email):
        [message] = _mail_to(address)
        assert message.subject.startswith(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Reminder: ")
    with world.tenant.scope():
        assert set(
            SurveyInvitation.objects.filter(survey=survey).values_list("reminders_sent", flat=True)
        ) == {2}


def test_a_failure_while_preparing_a_group_mails_nobody_and_retries_every_row(
    world: SurveyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST)
    with time_machine.travel(_at(END - timedelta(days=1)), tick=False), world.tenant.scope():
        plan_survey(survey)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database hiccup")

    with monkeypatch.context() as patch, time_machine.travel(_at(END), tick=False):
        patch.setattr(sending, "_plan_follow_ups", broken)
        assert _run_due_in_one_chunk(world.tenant, _at(END)) == {"retry": 2}
    assert mail.outbox == []
    with world.tenant.scope():
        assert set(
            SurveyInvitation.objects.filter(survey=survey).values_list("status", flat=True)
        ) == {InvitationStatus.PLANNED}
        rows = Touchpoint.objects.filter(kind=planning.INVITATION_KIND)
        assert {(row.status, "database hiccup" in row.last_error) for row in rows} == {
            (TouchpointStatus.PENDING, True)
        }
    later = _at(END) + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert _run_due_in_one_chunk(world.tenant, later) == {"done": 2}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.mentor_user.email, world.mentee_user.email]
    )


def test_a_bad_reminder_row_is_retried_alone(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST, open_days=9)
    with time_machine.travel(_at(END - timedelta(days=1)), tick=False), world.tenant.scope():
        plan_survey(survey)
    with time_machine.travel(_at(END), tick=False):
        _run_due_in_one_chunk(world.tenant, _at(END))
    mail.outbox.clear()
    with world.tenant.scope():
        mentee_first = Touchpoint.objects.get(
            kind=planning.REMINDER_KIND,
            payload__number=1,
            payload__invitation=SurveyInvitation.objects.get(enrollment=world.mentee).pk,
        )
        Touchpoint.objects.filter(pk=mentee_first.pk).update(payload={"invitation": "nonsense"})
    day3 = _at(END + timedelta(days=3))
    with time_machine.travel(day3, tick=False):
        assert _run_due_in_one_chunk(world.tenant, day3) == {"done": 1, "retry": 1}
    assert [m.to[0] for m in mail.outbox] == [world.mentor_user.email]
    with world.tenant.scope():
        mentee_first.refresh_from_db()
        assert mentee_first.status == TouchpointStatus.PENDING
        assert "Bad survey reminder payload" in mentee_first.last_error
