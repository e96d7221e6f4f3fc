"""The sign-in page's offer of single sign-on, when the page asked for belongs to an organisation
whose provider is enabled (``{% sso_start_url redirect_field_value as url %}``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from organizations.models import Organization
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug
from sso.models import OidcProvider

register = template.Library()


@register.simple_tag
def sso_start_url(next_url: object) -> str:
    if not isinstance(next_url, str) or not next_url.startswith("/o/"):
        return ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        return ""
    slug = next_url.removeprefix("/o/").split("/", 1)[0]
    organization: Organization | None = organization_by_slug(slug) if slug else None
    if organization is None:
        return ""
    with tenant_scope(organization):
        if not OidcProvider.objects.filter(is_enabled=True).exists():
            return ""
    start = reverse("sso_login", kwargs={"org_slug": organization.slug})
    return f"{start}?{urlencode({'next': next_url})}"
