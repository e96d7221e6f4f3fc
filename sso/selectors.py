"""Reads of an organisation's single sign-on, whatever the kind (OpenID Connect, SAML, or both):
the one place that answers "which providers may people use" and "does it require SSO"."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from organizations.models import Organization
from organizations.scope import tenant_scope
from sso.models import OidcProvider, SamlProvider


@dataclass(frozen=True)
class Offer:
    kind: str  # "oidc" or "saml"
    label: str
    start_url: str  # without ?next=


def sign_in_offers(organization: Organization) -> list[Offer]:
    """The organisation's enabled providers, OpenID Connect first."""
    with tenant_scope(organization):
        oidc = OidcProvider.objects.filter(is_enabled=True).exists()
        saml = SamlProvider.objects.filter(is_enabled=True).exists()
    offers = []
    if oidc:
        url = reverse("sso_login", kwargs={"org_slug": organization.slug})
        offers.append(Offer("oidc", "Sign in with single sign-on", url))
    if saml:
        url = reverse("sso_saml_login", kwargs={"org_slug": organization.slug})
        label = "Sign in with single sign-on (SAML)" if oidc else "Sign in with single sign-on"
        offers.append(Offer("saml", label, url))
    return offers


def required_sign_in_url(organization: Organization) -> str | None:
    """Where a password sign-in is sent when the organisation requires SSO: the start of an enabled
    provider marked "SSO required" (OpenID Connect first), or None when none requires it."""
    with tenant_scope(organization):
        if OidcProvider.objects.filter(is_enabled=True, sso_required=True).exists():
            return reverse("sso_login", kwargs={"org_slug": organization.slug})
        if SamlProvider.objects.filter(is_enabled=True, sso_required=True).exists():
            return reverse("sso_saml_login", kwargs={"org_slug": organization.slug})
    return None
