"""SSO use cases, shared by the pages (and any later API): each asks ``sso.access`` or, for the
anonymous sign-in, finds the organisation's enabled provider (404 when there is none)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from organizations.models import Membership
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug
from sso import services, signin
from sso.access import CONFIGURE, sso_access
from sso.models import OidcProvider
from sso.services import ProviderSettings


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
