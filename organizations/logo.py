"""The organisation's logo on our own site, for its emails (never an inline or third-party image).

It answers without sign-in: a mail client fetches it with no session, and a logo is public by
nature. Only the three stored types are served; an SVG gets a CSP that runs nothing in it.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from organizations.models import OrganizationLogo
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug

SERVED_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


@require_GET
def organization_logo(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = organization_by_slug(org_slug)
    if organization is None:
        raise Http404("No such logo.")
    with tenant_scope(organization):
        logo = OrganizationLogo.objects.filter(organization_id=organization.pk).first()
    if logo is None or logo.content_type not in SERVED_TYPES:
        raise Http404("No such logo.")
    response = HttpResponse(bytes(logo.content), content_type=logo.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    # The URL carries the logo's version (?v=…): a new logo is a new URL.
    response["Cache-Control"] = "public, max-age=86400"
    return response
