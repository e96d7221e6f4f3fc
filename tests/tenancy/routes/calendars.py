"""Calendars and notification mail: the person's own calendar feed page, the feed and the signed
unsubscribe link of an email (both outside /o/, guarded by their token: org A's token under org B's
slug is a 404)."""

from __future__ import annotations

from typing import Any

from feedback.calendar_tokens import feed_reset
from organizations import mail
from tests.conftest import Tenant
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    with tenant.scope():
        feed_token = feed_reset(organization_id=tenant.organization.pk, user=tenant.admin.user)
    return {
        "calendar_token": feed_token,
        "unsubscribe_token": mail.unsubscribe_token(
            organization_id=tenant.organization.pk,
            user_id=tenant.member.user.pk,
            kind="check_in_reminders",
        ),
    }


ROUTES: dict[str, Route] = {
    "my_calendar_feed": Route(("GET", "POST")),
    # The feed works signed out: org A's token under org B's slug is a 404.
    "calendar_feed": Route(("GET",), ids_of("calendar_token", "token"), member_gated=False),
    "mail_unsubscribe": Route(
        ("GET", "POST"), ids_of("unsubscribe_token", "token"), member_gated=False
    ),
}
