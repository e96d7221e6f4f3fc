"""Calendars and notification mail: the signed unsubscribe link of an email (outside /o/, guarded
by its token: org A's token under org B's slug is a 404)."""

from __future__ import annotations

from typing import Any

from organizations import mail
from tests.conftest import Tenant
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    return {
        "unsubscribe_token": mail.unsubscribe_token(
            organization_id=tenant.organization.pk,
            user_id=tenant.member.user.pk,
            kind="check_in_reminders",
        ),
    }


ROUTES: dict[str, Route] = {
    "mail_unsubscribe": Route(
        ("GET", "POST"), ids_of("unsubscribe_token", "token"), member_gated=False
    ),
}
