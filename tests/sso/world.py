"""A provider row for the route matrices: its endpoints are never called (the matrices only start a
sign-in, which redirects, and call the callback without a state, which is refused first)."""

from __future__ import annotations

from organizations.models import Organization
from organizations.scope import tenant_scope
from sso import sealing
from sso.models import OidcProvider


def add_provider(organization: Organization) -> OidcProvider:
    with tenant_scope(organization):
        return OidcProvider.objects.create(
            organization=organization,
            issuer="https://idp.acme.test",
            client_id="matrix-client",
            client_secret_encrypted=sealing.seal("matrix-secret"),
            authorization_endpoint="https://idp.acme.test/authorize",
            token_endpoint="https://idp.acme.test/token",
            jwks_uri="https://idp.acme.test/jwks",
        )
