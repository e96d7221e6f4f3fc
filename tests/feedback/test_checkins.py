"""Sending check-ins and reminders, answering them from the email link or the app, and who sees
the answers (the respondent and staff; never the partner)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail, signing
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from feedback import checkins, links, touchpoints
from feedback.models import (
    CheckIn,
    CheckInStatus,
    SessionLog,
    SessionSource,
    SessionStatus,
    Touchpoint,
    TouchpointStatus,
)
from matching.models import Pair, PairStatus
from organizations.models import AuditEntry
from tests.conftest import Tenant, login
from tests.feedback.test_checkins_builders import CheckInWorld, check_in_world

JAN_19 = date(2026, 1, 19)
LINK = re.compile(r"http://[^\s]+/check-ins/[^\s]+/")


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> CheckInWorld:
    check_in_world(org_b)
    world = check_in_world(org_a)
    with time_machine.travel("2026-01-01 12:00Z", tick=False), world.tenant.scope():
        checkins.plan_pair(world.pair)
    return world


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel("2026-01-19 09:30Z", tick=False) as traveller:
        yield traveller


def _run_due(world: CheckInWorld) -> list[str]:
    """One beat tick: sweep, then deliver what was claimed (as the send task does)."""
    outcomes = []
    for touchpoint_id, _org in touchpoints.sweep_due(enqueue=False):
        with world.tenant.scope():
            outcomes.append(touchpoints.deliver(touchpoint_id=touchpoint_id))
    return outcomes


def _mentor_check_in(world: CheckInWorld, due_on: date = JAN_19) -> CheckIn:
    with world.tenant.scope():
        return CheckIn.objects.select_related("touchpoint").get(
            enrollment_id=world.pair.mentor_id, due_on=due_on
        )


def _reload(world: CheckInWorld, check_in: CheckIn) -> CheckIn:
    with world.tenant.scope():
        return CheckIn.objects.get(pk=check_in.pk)


def _links_in(message: Any) -> list[str]:
    return LINK.findall(message.body)


# --- Sending ------------------------------------------------------------------------------------


def test_a_due_check_in_is_sent_once_with_its_links(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    mail.outbox.clear()
    assert _run_due(world) == ["done", "done"]  # the mentor (9:00 UTC) and mentee (9:00 Tokyo)
    assert _run_due(world) == []
    check_in = _mentor_check_in(world)
    assert check_in.status == CheckInStatus.SENT
    [message] = [m for m in mail.outbox if m.to == [world.mentor_user.email]]
    assert "How is your" in message.subject
    _answer, we_met = _links_in(message)
    assert we_met.endswith("/we-met/")
    assert "Eli Executive never sees them" in message.body


def test_a_touchpoint_delivered_twice_sends_once(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    claimed = touchpoints.sweep_due(enqueue=False)
    mail.outbox.clear()
    with world.tenant.scope():
        for touchpoint_id, _org in claimed:
            assert touchpoints.deliver(touchpoint_id=touchpoint_id) == "done"
            assert touchpoints.deliver(touchpoint_id=touchpoint_id) == "skipped"
    assert len(mail.outbox) == len(claimed)


def test_a_check_in_cancelled_after_it_was_queued_is_not_sent(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    claimed = touchpoints.sweep_due(enqueue=False)
    with world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(status=PairStatus.ENDED)
        checkins.plan_pair(world.pair)
        mail.outbox.clear()
        for touchpoint_id, _org in claimed:
            touchpoints.deliver(touchpoint_id=touchpoint_id)
    assert mail.outbox == []
    assert _mentor_check_in(world).status == CheckInStatus.CANCELLED


def test_a_failed_mail_is_retried_and_then_sent(
    world: CheckInWorld, clock: time_machine.Traveller, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(checkins, "send_notification", broken)
    assert set(_run_due(world)) == {"retry"}
    assert _mentor_check_in(world).status == CheckInStatus.PLANNED
    monkeypatch.undo()
    mail.outbox.clear()
    clock.shift(timedelta(minutes=3))
    assert set(_run_due(world)) == {"done"}
    assert _mentor_check_in(world).status == CheckInStatus.SENT
    assert len(mail.outbox) == 2


def test_two_reminders_after_three_days_each_then_none(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    _run_due(world)
    mail.outbox.clear()
    clock.shift(timedelta(days=2, hours=23))
    _run_due(world)
    assert mail.outbox == []
    clock.shift(timedelta(hours=2))
    _run_due(world)
    assert [m.subject for m in mail.outbox if m.to == [world.mentor_user.email]] == [
        mail.outbox[0].subject
    ]
    assert "Reminder" in mail.outbox[0].subject
    assert _mentor_check_in(world).reminders_sent == 1
    for _ in range(3):
        clock.shift(timedelta(days=3, minutes=1))
        _run_due(world)
    reminders = [
        m for m in mail.outbox if m.to == [world.mentor_user.email] and "Reminder" in m.subject
    ]
    assert len(reminders) == checkins.MAX_REMINDERS
    assert _mentor_check_in(world).reminders_sent == checkins.MAX_REMINDERS


def test_no_reminder_once_answered(world: CheckInWorld, clock: time_machine.Traveller) -> None:
    _run_due(world)
    check_in = _mentor_check_in(world)
    with world.tenant.scope():
        checkins.check_in_answer(
            check_in=check_in,
            answer=checkins.Answer(rating=4, blockers="", wants_contact=False),
            actor=world.mentor_user,
        )
        reminder = Touchpoint.objects.get(idempotency_key=f"check_in_reminder:{check_in.pk}:1")
    assert reminder.status == TouchpointStatus.CANCELLED
    mail.outbox.clear()
    clock.shift(timedelta(days=4))
    _run_due(world)
    assert [m for m in mail.outbox if m.to == [world.mentor_user.email]] == []


# --- The email links ----------------------------------------------------------------------------


def _sent(world: CheckInWorld) -> tuple[CheckIn, str, str]:
    """Send the mentor's Jan 19 check-in; its answer and we-met paths."""
    mail.outbox.clear()
    _run_due(world)
    [message] = [m for m in mail.outbox if m.to == [world.mentor_user.email]]
    answer, we_met = (url.removeprefix("http://127.0.0.1:8000") for url in _links_in(message))
    return _mentor_check_in(world), answer, we_met


def test_link_answers_signed_out_once_then_says_already_answered(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    check_in, answer, _ = _sent(world)
    client = Client()
    page = client.get(answer)
    assert page.status_code == 200
    assert b"How is it going?" in page.content
    response = client.post(answer, {"rating": "4", "blockers": "Calendars", "wants_contact": ""})
    assert response.status_code == 302
    check_in = _reload(world, check_in)
    assert (check_in.status, check_in.rating, check_in.blockers) == ("answered", 4, "Calendars")
    again = client.get(answer)
    assert again.status_code == 200
    assert b"You answered this check-in" in again.content
    assert b"<form" not in again.content.split(b"<main")[1]
    second = client.post(answer, {"rating": "1"})
    assert second.status_code == 200
    assert b"You answered this check-in" in second.content
    check_in = _reload(world, check_in)
    assert check_in.rating == 4


def test_link_rejects_bad_input_with_field_messages(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    check_in, answer, _ = _sent(world)
    client = Client()
    for data in ({"rating": "9"}, {"rating": "abc"}, {}, {"rating": "3", "blockers": "x" * 2001}):
        response = client.post(answer, data)
        assert response.status_code == 400, data
        assert b'class="errorlist"' in response.content
    check_in = _reload(world, check_in)
    assert check_in.status == CheckInStatus.SENT


def test_link_opened_while_signed_in_as_someone_else_acts_only_on_its_owner(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    check_in, answer, _ = _sent(world)
    client = login(Client(), world.mentee_user)
    page = client.get(answer)
    assert b"This link was sent to Mia Mentor" in page.content
    client.post(answer, {"rating": "2"})
    check_in = _reload(world, check_in)
    assert check_in.rating == 2
    with world.tenant.scope():
        mentee_check_in = CheckIn.objects.get(enrollment_id=world.pair.mentee_id, due_on=JAN_19)
    assert mentee_check_in.status == CheckInStatus.SENT


def test_tampered_or_foreign_links_are_404(
    world: CheckInWorld, org_b: Tenant, clock: time_machine.Traveller
) -> None:
    check_in, answer, we_met = _sent(world)
    client = Client()
    token = answer.split("/")[3]
    assert client.get(answer.replace(token, token[:-2] + "xx")).status_code == 404
    assert client.get(answer.replace(world.tenant.slug, org_b.slug)).status_code == 404
    assert client.post(we_met.replace(world.tenant.slug, org_b.slug)).status_code == 404
    # Pointing a signed token at the partner's check-in breaks its signature.
    with world.tenant.scope():
        partner = CheckIn.objects.get(enrollment_id=world.pair.mentee_id, due_on=JAN_19)
    _payload, stamp, signature = links.make_token(check_in).split(":")
    forged_payload = signing.b64_encode(
        json.dumps({"o": check_in.organization_id, "c": partner.pk, "e": partner.enrollment_id})
        .replace(" ", "")
        .encode()
    ).decode()
    forged = f"{forged_payload}:{stamp}:{signature}"
    assert client.get(f"/check-ins/{world.tenant.slug}/{forged}/").status_code == 404
    assert (
        client.post(f"/check-ins/{world.tenant.slug}/{forged}/", {"rating": 1}).status_code == 404
    )


def test_a_late_answer_is_refused_and_an_old_link_has_expired(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    check_in, answer, _ = _sent(world)
    client = Client()
    clock.shift(timedelta(days=checkins.ANSWER_WINDOW_DAYS + 1))
    closed = client.get(answer)
    assert closed.status_code == 410
    assert b"This check-in closed on 2 February 2026" in closed.content
    assert client.post(answer, {"rating": "3"}).status_code == 410
    assert _reload(world, check_in).status == CheckInStatus.SENT
    clock.shift(timedelta(days=10))
    expired = client.get(answer)
    assert expired.status_code == 410
    assert b"This link has expired" in expired.content


def test_we_met_logs_one_draft_session_on_the_check_in_date(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    check_in, _, we_met = _sent(world)
    client = Client()
    page = client.get(we_met)
    assert page.status_code == 200
    assert b"Yes, we met" in page.content
    with world.tenant.scope():
        assert not SessionLog.objects.exists()  # opening the link changes nothing
    assert client.post(we_met).status_code == 302
    assert client.post(we_met).status_code == 200
    with world.tenant.scope():
        [session] = SessionLog.objects.filter(pair=world.pair)
    assert (session.held_on, session.status, session.source) == (
        JAN_19,
        SessionStatus.DRAFT,
        SessionSource.CHECK_IN,
    )
    assert session.logged_by_id == check_in.enrollment_id
    assert b"is recorded" in client.get(we_met).content


# --- In the app ---------------------------------------------------------------------------------


def test_my_check_ins_lists_only_my_own(world: CheckInWorld, clock: time_machine.Traveller) -> None:
    check_in, _, _ = _sent(world)
    slug = world.tenant.slug
    mine = login(Client(), world.mentor_user).get(f"/o/{slug}/me/check-ins/")
    assert mine.status_code == 200
    assert f"/o/{slug}/me/check-ins/{check_in.pk}/".encode() in mine.content
    partner = login(Client(), world.mentee_user)
    assert (
        f"/me/check-ins/{check_in.pk}/".encode()
        not in partner.get(f"/o/{slug}/me/check-ins/").content
    )
    assert partner.get(f"/o/{slug}/me/check-ins/{check_in.pk}/").status_code == 404
    assert partner.post(f"/o/{slug}/me/check-ins/{check_in.pk}/", {"rating": 1}).status_code == 404


def test_answering_in_the_app_and_staff_see_the_answers_but_not_the_partner(
    world: CheckInWorld,
    clock: time_machine.Traveller,
    django_capture_on_commit_callbacks: Any,
) -> None:
    check_in, _, _ = _sent(world)
    slug = world.tenant.slug
    client = login(Client(), world.mentor_user)
    url = f"/o/{slug}/me/check-ins/{check_in.pk}/"
    assert client.get(url).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"rating": "2", "blockers": "Sam keeps cancelling", "wants_contact": "on"}
        )
    assert response.status_code == 302
    # The coordinator of the program is asked to get in touch; the partner is told nothing.
    assert [m.to for m in mail.outbox] == [[world.tenant.coordinator.user.email]]
    program_page = f"/o/{slug}/programs/{world.program.pk}/check-ins/"
    assert f"{settings.SITE_URL}{program_page}?contact=1" in mail.outbox[0].body
    staff = login(Client(), world.tenant.coordinator.user).get(program_page + "?contact=1")
    assert staff.status_code == 200
    assert b"Sam keeps cancelling" in staff.content
    assert login(Client(), world.outsider_coordinator).get(program_page).status_code == 404
    assert login(Client(), world.mentee_user).get(program_page).status_code == 403
    with world.tenant.scope():
        entry = AuditEntry.objects.get(action="check_in.answer")
    assert "Sam" not in str(entry.data)


# --- API ----------------------------------------------------------------------------------------


def _api(world: CheckInWorld, user: Any) -> tuple[Client, str]:
    return login(Client(), user), f"/api/v1/o/{world.tenant.slug}/check-ins/"


def test_api_answer_validates_then_records_once(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    check_in, _, _ = _sent(world)
    client, base = _api(world, world.mentor_user)
    answer = f"{base}{check_in.pk}/answer/"
    for body in ({"rating": "abc"}, {"rating": 6}, {}, {"rating": 3, "wants_contact": "maybe"}):
        response = client.post(answer, body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.json()["fields"], body
    ok = client.post(answer, {"rating": 5, "blockers": "none"}, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["status"] == "answered"
    again = client.post(answer, {"rating": 1}, content_type="application/json")
    assert again.status_code == 400
    assert "already answered" in again.json()["detail"]


def test_api_partner_never_sees_a_check_in_and_staff_cannot_answer_it(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    check_in, _, _ = _sent(world)
    partner, base = _api(world, world.mentee_user)
    ids = [row["id"] for row in partner.get(base).json()["results"]]
    assert check_in.pk not in ids
    assert partner.get(f"{base}{check_in.pk}/").status_code == 404
    answer = f"{base}{check_in.pk}/answer/"
    assert partner.post(answer, {"rating": 1}, content_type="application/json").status_code == 404
    staff, _ = _api(world, world.tenant.coordinator.user)
    listed = staff.get(f"{base}?program={world.program.pk}").json()["results"]
    assert check_in.pk in [row["id"] for row in listed]
    assert staff.post(answer, {"rating": 1}, content_type="application/json").status_code == 403
    assert staff.get(f"{base}?program=abc").status_code == 400
    assert staff.get(f"{base}?status=nope").status_code == 400
    outsider, _ = _api(world, world.outsider_coordinator)
    assert outsider.get(f"{base}{check_in.pk}/").status_code == 404


def test_api_list_query_count_does_not_grow_with_rows(world: CheckInWorld) -> None:
    client, base = _api(world, world.tenant.coordinator.user)
    url = f"{base}?program={world.program.pk}"
    client.get(url)  # warm the session and membership caches

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(response.json()["results"]), len(queries)

    rows_before, queries_before = count()
    with time_machine.travel("2026-01-01 12:00Z", tick=False), world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(ends_on=date(2026, 4, 27))
        checkins.plan_pair(world.pair)
    rows_after, queries_after = count()
    assert (rows_before, rows_after) == (8, 16)
    assert queries_after == queries_before


def test_schema_describes_the_check_in_api(db: None) -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = json.loads(response.content)["paths"]
    assert "/api/v1/o/{org_slug}/check-ins/" in paths
    assert "post" in paths["/api/v1/o/{org_slug}/check-ins/{id}/answer/"]


def test_only_the_check_ins_person_answers_it_whoever_calls_the_service(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    _run_due(world)
    check_in = _mentor_check_in(world)
    answer = checkins.Answer(rating=4, blockers="", wants_contact=False)
    with world.tenant.scope():
        # The partner sees the pair, not the mentor's check-in: it does not exist for them.
        with pytest.raises(Http404):
            checkins.check_in_answer(check_in=check_in, answer=answer, actor=world.mentee_user)
        # Staff read it, never answer for the person.
        with pytest.raises(PermissionDenied, match="Only the person this check-in was sent to"):
            checkins.check_in_answer(
                check_in=check_in, answer=answer, actor=world.tenant.admin.user
            )
        check_in.refresh_from_db()
        assert check_in.status != CheckInStatus.ANSWERED
