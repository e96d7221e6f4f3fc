"""Check-in mail as notifications: a calendar file (read back with icalendar), an HTML alternative
with the organisation's branding, and for reminders a signed-out unsubscribe link with the RFC 8058
headers that stops them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import icalendar
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client

from feedback import checkins, touchpoints
from feedback.models import CheckIn, EmailPreferences
from organizations.models import Organization
from tests.conftest import Tenant
from tests.feedback.test_checkins_builders import CheckInWorld, check_in_world

JAN_19 = date(2026, 1, 19)


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> CheckInWorld:
    check_in_world(org_b)
    world = check_in_world(org_a)
    Organization.objects.filter(pk=org_a.organization.pk).update(brand_colour="#aa3300")
    with time_machine.travel("2026-01-01 12:00Z", tick=False), world.tenant.scope():
        checkins.plan_pair(world.pair)
    return world


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel("2026-01-19 09:30Z", tick=False) as traveller:
        yield traveller


def _run_due(world: CheckInWorld) -> None:
    for touchpoint_id, _org in touchpoints.sweep_due(enqueue=False):
        with world.tenant.scope():
            touchpoints.deliver(touchpoint_id=touchpoint_id)


def _mentor_mail(world: CheckInWorld) -> list[Any]:
    return [m for m in mail.outbox if m.to == [world.mentor_user.email]]


def _calendar(message: Any) -> icalendar.Calendar:
    (part,) = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


def _html(message: Any) -> str:
    (html,) = [content for content, kind in message.alternatives if kind == "text/html"]
    return str(html)


def test_check_in_and_reminder_carry_the_deadline_as_an_all_day_event(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    mail.outbox.clear()
    _run_due(world)
    [check_in_mail] = _mentor_mail(world)
    with world.tenant.scope():
        check_in = CheckIn.objects.get(enrollment_id=world.pair.mentor_id, due_on=JAN_19)
    calendar = _calendar(check_in_mail)
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "PUBLISH"
    assert str(event["UID"]).startswith(f"check-in-{world.tenant.slug}-{check_in.pk}@")
    assert event.decoded("DTSTART") == checkins.closes_on(check_in)
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    # The check-in itself is essential: no unsubscribe.
    assert "List-Unsubscribe" not in check_in_mail.extra_headers
    html = _html(check_in_mail)
    assert "#aa3300" in html
    assert world.tenant.organization.name in html
    mail.outbox.clear()
    clock.shift(timedelta(days=3, hours=1))
    _run_due(world)
    [reminder] = _mentor_mail(world)
    assert "Reminder" in reminder.subject
    (again,) = _calendar(reminder).walk("VEVENT")
    assert again["UID"] == event["UID"]
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(.+)>", reminder.extra_headers["List-Unsubscribe"]).group(1)  # type: ignore[union-attr]
    assert url in _html(reminder)
    assert url in reminder.body


def test_one_click_unsubscribe_signed_out_stops_the_reminders(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    _run_due(world)
    clock.shift(timedelta(days=3, hours=1))
    mail.outbox.clear()
    _run_due(world)
    [reminder] = _mentor_mail(world)
    url = reminder.extra_headers["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    client = Client()
    page = client.get(f"/{path}")
    assert page.status_code == 200
    assert b"Unsubscribe" in page.content
    with world.tenant.scope():
        assert not EmailPreferences.objects.exists()  # a GET (a mail scanner) changes nothing
    response = client.post(
        f"/{path}", "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    with world.tenant.scope():
        row = EmailPreferences.objects.get(user=world.mentor_user)
        assert row.check_in_reminders is False
        assert row.partner_activity is True
    mail.outbox.clear()
    clock.shift(timedelta(days=3, hours=1))
    _run_due(world)
    assert _mentor_mail(world) == []


def test_a_tampered_or_foreign_unsubscribe_link_is_404(world: CheckInWorld, org_b: Tenant) -> None:
    from organizations import mail as notification_mail

    token = notification_mail.unsubscribe_token(
        organization_id=world.tenant.organization.pk,
        user_id=world.mentor_user.pk,
        kind="check_in_reminders",
    )
    client = Client()
    assert client.post(f"/unsubscribe/{org_b.slug}/{token}/").status_code == 404
    assert client.post(f"/unsubscribe/{world.tenant.slug}/{token}x/").status_code == 404
    bad_kind = notification_mail.unsubscribe_token(
        organization_id=world.tenant.organization.pk, user_id=world.mentor_user.pk, kind="is_staff"
    )
    assert client.post(f"/unsubscribe/{world.tenant.slug}/{bad_kind}/").status_code == 404


def test_every_notification_has_a_branded_html_alternative(
    org_a: Tenant, org_b: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    """The partner notice (with its unsubscribe), a planned session's invitation, a contact
    request to staff and a plain touchpoint email: each has an HTML part with the organisation's
    name, colour and logo, the logo served from our own site signed out."""
    from unittest.mock import patch

    from feedback import checkins as checkin_services
    from feedback.notices.partner import SESSION, partner_notice
    from feedback.sessions import planned
    from feedback.sessions import services as session_services
    from feedback.tasks import send_partner_notice, send_session_invitation
    from organizations import mail as notification_mail
    from organizations.models import OrganizationLogo
    from programs.lifecycle import program_today
    from tests.feedback.builders import live_pair

    live_pair(org_b)
    live = live_pair(org_a)
    Organization.objects.filter(pk=org_a.organization.pk).update(brand_colour="#123456")
    with org_a.scope():
        OrganizationLogo.objects.create(
            organization=org_a.organization, content=b"\x89PNG\r\n\x1a\n", content_type="image/png"
        )
    notification_mail.forget_logo(org_a.organization.pk)
    mail.outbox.clear()
    with (
        patch.object(send_partner_notice, "apply_async"),
        patch.object(send_session_invitation, "apply_async") as queued,
        org_a.scope(),
    ):
        session = session_services.session_log(
            pair=live.pair,
            by=live.mentor,
            actor=live.mentor_user,
            held_on=program_today(live.program) - timedelta(days=1),
            duration_minutes=30,
        )
        assert (
            partner_notice(
                pair_id=live.pair.pk, by_id=live.mentor.pk, kind=SESSION, object_id=session.pk
            )
            == "sent"
        )
        with django_capture_on_commit_callbacks(execute=True):
            plan = planned.planned_session_create(
                pair=live.pair,
                by=live.mentee,
                actor=live.mentee_user,
                starts_on=program_today(live.program) + timedelta(days=3),
            )
        kwargs = dict(queued.call_args.kwargs["kwargs"])
        kwargs.pop("organization_id")
        assert planned.send_invitation(**kwargs) == "sent"
        assert plan.pk == kwargs["session_id"]
        check_in = CheckIn.objects.create(
            organization=org_a.organization,
            pair=live.pair,
            enrollment=live.mentee,
            due_on=program_today(live.program),
            status="answered",
            wants_contact=True,
        )
        checkin_services._send_all(checkin_services._contact_request_emails(check_in))
    assert len(mail.outbox) >= 4
    digest = hashlib.sha256(b"\x89PNG\r\n\x1a\n").hexdigest()[:16]
    logo_path = f"/brand/{org_a.slug}/logo-{digest}.png"
    for message in mail.outbox:
        html = _html(message)
        assert "#123456" in html, message.subject
        assert f'src="{settings.SITE_URL}{logo_path}"' in html
    partner = mail.outbox[0]
    assert partner.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    logo = Client().get(logo_path)
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert Client().get(f"/brand/{org_b.slug}/logo-{digest}.png").status_code == 404


def test_names_are_escaped_in_the_html(org_a: Tenant) -> None:
    from organizations import mail as notification_mail

    with org_a.scope():
        message = notification_mail.build(
            notification_mail.Notification(
                organization=org_a.organization,
                to="x@example.test",
                subject="Hi",
                text_template="email/plain.txt",
                context={"body": "<script>alert(1)</script> see https://example.test/a?b=1&c=2"},
            )
        )
    html = _html(message)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://example.test/a?b=1&amp;c=2"' in html
