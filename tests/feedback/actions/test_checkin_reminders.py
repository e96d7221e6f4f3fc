"""Reviewing open actions rides on the check-in cadence: the check-in email and its answer page
list the person's own open actions (planned, in progress; due soonest first) with a link to review
them. Only the owner sees them there: the mentor's check-in lists none."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from feedback import links, touchpoints
from feedback.actions import services
from feedback.checkins import CHECK_IN_KIND
from feedback.models import ActionStatus, CheckIn, Touchpoint, TouchpointStatus
from participants.models import Enrollment
from tests.conftest import Tenant, login
from tests.feedback.actions.builders import YESTERDAY, World, action, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(org_a: Tenant) -> World:
    built = world(org_a)
    soon = action(
        built, title="Sooner: shadow a junior's day", due_on=YESTERDAY + timedelta(days=3)
    )
    action(built, title="Undated: try the AI note-taker")
    later = action(
        built, title="Later: reverse-mentor my team", due_on=YESTERDAY + timedelta(days=30)
    )
    done = action(built, title="Done already")
    with org_a.scope():
        actor = built.live.mentee_user
        services.action_move(action=later, actor=actor, status=ActionStatus.IN_PROGRESS)
        services.action_move(action=done, actor=actor, status=ActionStatus.IN_PROGRESS)
        services.action_move(action=done, actor=actor, status=ActionStatus.IMPLEMENTED)
        assert soon.status == ActionStatus.PLANNED
    return built


def _send_check_in(w: World, enrollment: Enrollment) -> CheckIn:
    with w.tenant.scope():
        touchpoint = Touchpoint.objects.create(
            organization=w.tenant.organization,
            kind=CHECK_IN_KIND,
            idempotency_key=f"test:{enrollment.pk}",
            due_at=timezone.now(),
            status=TouchpointStatus.QUEUED,
        )
        check_in = CheckIn.objects.create(
            organization=w.tenant.organization,
            pair=w.live.pair,
            enrollment=enrollment,
            due_on=date.today(),
            touchpoint=touchpoint,
        )
        assert touchpoints.deliver(touchpoint_id=touchpoint.pk) == "done"
    return check_in


def test_the_mentees_check_in_email_lists_open_actions_due_soonest_first(
    w: World, mailoutbox: list[mail.EmailMessage]
) -> None:
    _send_check_in(w, w.live.mentee)
    [message] = mailoutbox
    body = message.body
    assert "Your open actions" in body
    soon, later, undated = (
        body.index("Sooner: shadow"),
        body.index("Later: reverse-mentor"),
        body.index("Undated: try"),
    )
    assert soon < later < undated
    assert "(in progress, by" in body
    assert "Done already" not in body
    assert f"/o/{w.tenant.slug}/me/actions/" in body


def test_the_mentors_check_in_lists_no_actions(
    w: World, mailoutbox: list[mail.EmailMessage]
) -> None:
    _send_check_in(w, w.live.mentor)
    [message] = mailoutbox
    assert "open actions" not in message.body
    assert "Sooner: shadow" not in message.body


def test_the_check_in_page_lists_them_for_its_owner_only(w: World) -> None:
    check_in = _send_check_in(w, w.live.mentee)
    with w.tenant.scope():
        url = links.answer_url(check_in, org_slug=w.tenant.slug).split("testserver")[-1]
    path = url[url.index("/check-ins/") :]
    signed_out = Client().get(path).content.decode()
    assert "Your open actions" in signed_out
    assert "Sooner: shadow" in signed_out
    # The link opened by someone else signed in still answers for its owner, but shows no actions.
    other = login(Client(), w.live.mentor_user).get(path).content.decode()
    assert "Sooner: shadow" not in other
    in_app = login(Client(), w.live.mentee_user).get(
        f"/o/{w.tenant.slug}/me/check-ins/{check_in.pk}/"
    )
    assert "Sooner: shadow" in in_app.content.decode()
