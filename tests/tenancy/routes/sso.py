"""Single sign-on: the admins' settings page and API (member-gated), and the sign-in routes, which
live outside /o/ (the person is not signed in yet): org B's slug has no provider, so each is 404
there; org A's own starts redirect to its providers, its callback without a state and its ACS
without a response are 400s, and its SAML metadata is served."""

from __future__ import annotations

from typing import Any

from tests.conftest import Tenant
from tests.sso.world import add_provider, add_saml_provider
from tests.tenancy.routes import Route


def build(tenant: Tenant) -> dict[str, Any]:
    add_provider(tenant.organization)
    add_saml_provider(tenant.organization)
    return {}


ROUTES: dict[str, Route] = {
    "sso_settings": Route(("GET", "POST")),
    "sso_login": Route(("GET",), member_gated=False, owner_get_status=302),
    "sso_callback": Route(("GET",), member_gated=False, owner_get_status=400),
    "sso_saml_login": Route(("GET",), member_gated=False, owner_get_status=302),
    "sso_saml_acs": Route(("GET", "POST"), member_gated=False, owner_get_status=400),
    "sso_saml_metadata": Route(("GET",), member_gated=False),
    "api-sso-oidc": Route(("GET", "PUT", "PATCH")),
    "api-sso-saml": Route(("GET", "PUT", "PATCH")),
}
