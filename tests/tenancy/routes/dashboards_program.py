"""Program dashboard, its impact report (page and PDF) and the organisation overview: pages and API
(read-only; module named for the program dashboard, it holds them all)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Tenant
from tests.dashboards.program.builders import live_program
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    return {"dashboard_program": live_program(tenant, pairs=1).program.pk}


ROUTES: dict[str, Route] = {
    "program_dashboard": Route(("GET",), ids_of("dashboard_program", "program_pk")),
    "api-program-dashboard": Route(("GET",), ids_of("dashboard_program", "program_pk")),
    "program_report": Route(("GET",), ids_of("dashboard_program", "program_pk")),
    "program_report_pdf": Route(("GET",), ids_of("dashboard_program", "program_pk")),
    "organization_overview": Route(("GET",)),
    "api-organization-overview": Route(("GET",)),
}
