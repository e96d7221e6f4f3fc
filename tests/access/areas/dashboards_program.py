"""Role matrix rows of the program dashboard, its impact report (page and PDF) and the organisation
overview (read-only: GET).

The dashboard and its report follow ``programs.access``: the staff who run program P (admin, P's
coordinator) see it; a coordinator of another program and every member cannot tell it exists
(404). The organisation overview is for admins: anyone else in the organisation is refused (403).
"""

from __future__ import annotations

from typing import Any

from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    return {"dashboard_program": ctx.program.pk}


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("program_dashboard", "GET"):                     row(200, 200, 404, 404, 404, 404, 302),
    ("api-program-dashboard", "GET"):                 row(200, 200, 404, 404, 404, 404, 404),
    ("program_report", "GET"):                        row(200, 200, 404, 404, 404, 404, 302),
    ("program_report_pdf", "GET"):                    row(200, 200, 404, 404, 404, 404, 302),
    ("organization_overview", "GET"):                 row(200, 403, 403, 403, 403, 403, 302),
    ("api-organization-overview", "GET"):             row(200, 403, 403, 403, 403, 403, 404),
}
# fmt: on
