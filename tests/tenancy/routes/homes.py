"""Dashboards: the organisation's home page and its API twin (dashboards/homes/)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Tenant
from tests.tenancy.routes import Route


def build(tenant: Tenant) -> dict[str, Any]:
    return {}


ROUTES: dict[str, Route] = {
    "organization_home": Route(("GET",)),
    "api-organization-home": Route(("GET",)),
    # A person's own email settings (feedback/notices/): no id, only the organisation's slug.
    "my_email_preferences": Route(("GET", "POST")),
    "api-my-email-preferences": Route(("GET", "PUT", "PATCH")),
}
