"""Role matrix rows of calendars and notification mail: the signed unsubscribe link works for
whoever holds it, signed in or not (the token is the authority; GET shows a button, POST acts)."""

from __future__ import annotations

from typing import Any

from organizations import mail
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    return {
        "unsubscribe_token": mail.unsubscribe_token(
            organization_id=ctx.org_a.organization.pk,
            user_id=ctx.mentee_user.pk,
            kind="check_in_reminders",
        ),
    }


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("mail_unsubscribe", "GET"):                      row(200, 200, 200, 200, 200, 200, 200),
    ("mail_unsubscribe", "POST"):                     row(200, 200, 200, 200, 200, 200, 200),
}
# fmt: on
