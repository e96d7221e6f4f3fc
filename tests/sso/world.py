"""Provider rows for the route matrices: their endpoints are never called (the matrices only start a
sign-in, which redirects, and call the callback or the ACS without a state or a response, which is
refused first)."""

from __future__ import annotations

from accounts.models import User
from organizations.models import Organization
from organizations.scope import tenant_scope
from sso import sealing
from sso.models import OidcIdentity, OidcProvider, SamlProvider
from tests.sso.saml_idp import SamlIdp


def add_provider(organization: Organization, *, signed_in: User | None = None) -> OidcProvider:
    """The provider, and (``signed_in``) one account it has signed in."""
    with tenant_scope(organization):
        if signed_in is not None:
            OidcIdentity.objects.create(
                organization=organization, subject="matrix-subject", user=signed_in
            )
        return OidcProvider.objects.create(
            organization=organization,
            issuer="https://idp.acme.test",
            client_id="matrix-client",
            client_secret_encrypted=sealing.seal("matrix-secret"),
            authorization_endpoint="https://idp.acme.test/authorize",
            token_endpoint="https://idp.acme.test/token",
            jwks_uri="https://idp.acme.test/jwks",
        )


def add_saml_provider(organization: Organization) -> SamlProvider:
    idp = SamlIdp()
    with tenant_scope(organization):
        return SamlProvider.objects.create(
            organization=organization,
            idp_entity_id=idp.entity_id,
            sso_url=idp.sso_url,
            idp_certificates=idp.certificate,
        )
