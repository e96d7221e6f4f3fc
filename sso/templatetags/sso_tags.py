"""The sign-in page's offer of single sign-on, when the page asked for belongs to an organisation
with an enabled provider (``{% sso_offers redirect_field_value as offers %}``: one link per enabled
kind, OpenID Connect and SAML)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.utils.http import url_has_allowed_host_and_scheme

from organizations.models import Organization
from organizations.selectors import organization_by_slug
from sso.selectors import Offer, sign_in_offers

register = template.Library()


@register.simple_tag
def sso_offers(next_url: object) -> list[Offer]:
    if not isinstance(next_url, str) or not next_url.startswith("/o/"):
        return []
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        return []
    slug = next_url.removeprefix("/o/").split("/", 1)[0]
    organization: Organization | None = organization_by_slug(slug) if slug else None
    if organization is None:
        return []
    query = urlencode({"next": next_url})
    return [
        Offer(offer.kind, offer.label, f"{offer.start_url}?{query}")
        for offer in sign_in_offers(organization)
    ]
