"""Role matrix rows of the homes (dashboards/homes/): every member reads their own home; what it
holds differs by role (tests/dashboards/homes/), never whether it opens. The page answers GET
only (require_GET), so no POST row."""

from __future__ import annotations

from typing import Any

from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    return {}


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("organization_home", "GET"):                     row(200, 200, 200, 200, 200, 200, 302),
    ("api-organization-home", "GET"):                 row(200, 200, 200, 200, 200, 200, 404),
    # Each member's own email settings (feedback/notices/): an empty POST turns every kind off.
    ("my_email_preferences", "GET"):                  row(200, 200, 200, 200, 200, 200, 302),
    ("my_email_preferences", "POST"):                 row(302, 302, 302, 302, 302, 302, 302),
    # Its API twin: {} is a full PUT missing every kind (400); an empty PATCH changes nothing.
    ("api-my-email-preferences", "GET"):              row(200, 200, 200, 200, 200, 200, 404),
    ("api-my-email-preferences", "PUT"):              row(400, 400, 400, 400, 400, 400, 404),
    ("api-my-email-preferences", "PATCH"):            row(200, 200, 200, 200, 200, 200, 404),
}
# fmt: on
