"""The organisation's settings, brand stylesheet and logo (organizations/configuration/)."""

from __future__ import annotations

from typing import Any

from organizations.configuration import services
from tests.conftest import Tenant
from tests.organizations.logos import png
from tests.tenancy.routes import Route


def build(tenant: Tenant) -> dict[str, Any]:
    with tenant.scope():
        services.organization_logo_set(
            actor=tenant.admin.user, organization=tenant.organization, content=png()
        )
    return {}


ROUTES: dict[str, Route] = {
    "organization_settings": Route(("GET", "POST")),
    "organization_brand_css": Route(("GET",)),
    "organization_logo": Route(("GET",)),
    "api-organization-settings": Route(("GET", "PATCH")),
    "api-organization-logo": Route(("PUT", "DELETE")),
}
