"""Role matrix rows of calendars and notification mail: the feed and the signed unsubscribe link
work for whoever holds them, signed in or not (the token is the authority; GET shows a button, POST acts)."""

from __future__ import annotations

from typing import Any

from feedback.calendar_tokens import feed_reset
from organizations import mail
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    with ctx.org_a.scope():
        token = feed_reset(organization_id=ctx.org_a.organization.pk, user=ctx.mentee_user)
    return {
        "calendar_token": token,
        "unsubscribe_token": mail.unsubscribe_token(
            organization_id=ctx.org_a.organization.pk,
            user_id=ctx.mentee_user.pk,
            kind="check_in_reminders",
        ),
    }


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    # Each member's own feed page (no id: their own); the matrix's POST names no action: 400.
    ("my_calendar_feed", "GET"):                      row(200, 200, 200, 200, 200, 200, 302),
    ("my_calendar_feed", "POST"):                     row(400, 400, 400, 400, 400, 400, 302),
    # The feed answers whoever holds the token (the mentee's), signed in or not.
    ("calendar_feed", "GET"):                         row(200, 200, 200, 200, 200, 200, 200),
    ("mail_unsubscribe", "GET"):                      row(200, 200, 200, 200, 200, 200, 200),
    ("mail_unsubscribe", "POST"):                     row(200, 200, 200, 200, 200, 200, 200),
}
# fmt: on
