"""The organisation's settings and brand stylesheet (organizations/configuration/), and its logo's
one public, content-addressed URL (organizations/logo.py)."""

from __future__ import annotations

from typing import Any

from organizations.configuration import services
from organizations.logo import logo_ref
from tests.conftest import Tenant
from tests.organizations.logos import png
from tests.tenancy.routes import Route


def build(tenant: Tenant) -> dict[str, Any]:
    with tenant.scope():
        services.organization_logo_set(
            actor=tenant.admin.user, organization=tenant.organization, content=png()
        )
        ref = logo_ref(tenant.organization.pk)
    assert ref is not None
    return {"logo_digest": ref.digest, "logo_ext": ref.ext}


ROUTES: dict[str, Route] = {
    "organization_settings": Route(("GET", "POST")),
    "organization_brand_css": Route(("GET",)),
    # Public by nature (emails show it signed out); org B has no logo: 404 under its slug.
    "organization_logo": Route(
        ("GET",),
        lambda ids: {"digest": ids["logo_digest"], "ext": ids["logo_ext"]},
        member_gated=False,
    ),
    "api-organization-settings": Route(("GET", "PATCH")),
    "api-organization-logo": Route(("PUT", "DELETE")),
}
