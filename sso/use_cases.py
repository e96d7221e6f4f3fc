"""SSO use cases (OpenID Connect and SAML), shared by the pages and the API: each asks ``sso.access`` or, for the
anonymous sign-in, finds the organisation's enabled provider (404 when there is none)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import Http404, HttpRequest

from accounts.signin_limits import count_attempt
from organizations.models import Membership, Organization
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug
from sso import saml, saml_signin, services, signin
from sso.access import CONFIGURE, sso_access
from sso.errors import SignInRefusedError
from sso.models import OidcProvider, SamlProvider
from sso.services import ProviderSettings, SamlSettings


def provider_for_settings(*, actor: Membership) -> OidcProvider | None:
    sso_access(actor).require(CONFIGURE)
    return services.provider_of_organization()


def save_settings(*, actor: Membership, values: ProviderSettings) -> OidcProvider:
    sso_access(actor).require(CONFIGURE)
    return services.provider_save(actor=actor, values=values)


def start_sign_in(request: HttpRequest, *, org_slug: str, next_url: str) -> str:
    """The identity provider's URL for a new sign-in attempt."""
    organization = organization_by_slug(org_slug)
    if organization is None:
        raise Http404
    with tenant_scope(organization):
        provider = OidcProvider.objects.filter(is_enabled=True).first()
        if provider is None:
            raise Http404
        return signin.start(
            request, organization=organization, provider=provider, next_url=next_url
        )


def finish_sign_in(request: HttpRequest, *, org_slug: str, params: Any) -> signin.SignedIn:
    organization = organization_by_slug(org_slug)
    if organization is None:
        raise Http404
    with tenant_scope(organization):
        provider = OidcProvider.objects.filter(is_enabled=True).first()
        if provider is None:
            raise Http404
        return signin.finish(request, organization=organization, provider=provider, params=params)


def saml_provider_for_settings(*, actor: Membership) -> SamlProvider | None:
    sso_access(actor).require(CONFIGURE)
    return services.saml_provider_of_organization()


def save_saml_settings(*, actor: Membership, values: SamlSettings) -> SamlProvider:
    sso_access(actor).require(CONFIGURE)
    return services.saml_provider_save(actor=actor, values=values)


@contextmanager
def _saml_provider(
    org_slug: str, *, enabled: bool = True
) -> Iterator[tuple[Organization, SamlProvider]]:
    """The organisation and its SAML provider, in its scope; 404 when there is none (or, with
    ``enabled``, none enabled)."""
    organization = organization_by_slug(org_slug)
    if organization is None:
        raise Http404
    with tenant_scope(organization):
        providers = SamlProvider.objects.all()
        provider = (providers.filter(is_enabled=True) if enabled else providers).first()
        if provider is None:
            raise Http404
        yield organization, provider


def start_saml_sign_in(request: HttpRequest, *, org_slug: str, next_url: str) -> str:
    """The IdP's URL with a new AuthnRequest."""
    with _saml_provider(org_slug) as (organization, provider):
        return saml_signin.start(
            request, organization=organization, provider=provider, next_url=next_url
        )


def park_saml_response(*, org_slug: str, saml_response: str, address: str) -> str:
    """The IdP posted a response (without the person's session): park it; its one-use key.

    Anyone may post here, and each post may park up to half a megabyte for five minutes: posts
    count against their address as password sign-ins do (``count_attempt``), 429 past the bound.
    """
    too_many = count_attempt(address)
    if too_many is not None:
        raise SignInRefusedError(too_many, 429)
    with _saml_provider(org_slug) as (organization, provider):
        return saml_signin.park(
            organization=organization, provider=provider, saml_response=saml_response
        )


def finish_saml_sign_in(request: HttpRequest, *, org_slug: str, key: str) -> signin.SignedIn:
    with _saml_provider(org_slug) as (organization, provider):
        return saml_signin.finish(request, organization=organization, provider=provider, key=key)


def saml_metadata(request: HttpRequest, *, org_slug: str) -> str:
    """Our SP metadata for the organisation (once it has a SAML provider, enabled or not)."""
    with _saml_provider(org_slug, enabled=False) as (organization, _provider):
        return saml.sp_metadata(saml_signin.sp_of(request, organization))
