"""The organisation's logo: one public, content-addressed URL for pages and emails alike,
``/brand/<slug>/logo-<digest>.<ext>`` where ``digest`` is the start of the SHA-256 of the bytes.

Public, because a mail client fetches it with no session and a logo is public by nature; content-
addressed, so it is cached for a year (``immutable``): a new logo is a new URL, and an old URL (a
replaced or removed logo) is a 404, like an unknown organisation. The digest is computed by
PostgreSQL (``sha256(content)``): finding the URL never loads the bytes. Only the stored image types
are served, with ``nosniff``; an SVG (older rows: uploads refuse SVG now) gets a CSP that runs
nothing in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, F, Func, Value
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from organizations.models import Organization, OrganizationLogo
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug

EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}
DIGEST_LENGTH = 16  # hex characters: 64 bits, plenty to tell one organisation's logos apart
CACHE = "public, max-age=31536000, immutable"
URL_PATTERN = (
    r"^brand/(?P<org_slug>[-a-zA-Z0-9_]+)/logo-(?P<digest>[0-9a-f]{16})\.(?P<ext>png|jpg|svg)$"
)


@dataclass(frozen=True)
class LogoRef:
    """Which logo: the start of its bytes' SHA-256 and its file extension."""

    digest: str
    ext: str


def _hex_sha256() -> Func:
    return Func(
        Func(F("content"), function="sha256"),
        Value("hex"),
        function="encode",
        output_field=CharField(),
    )


def logo_ref(organization_id: int) -> LogoRef | None:
    """The current logo of the organisation (in its scope), None without one."""
    found = (
        OrganizationLogo.objects.filter(organization_id=organization_id)
        .annotate(sha=_hex_sha256())
        .values_list("sha", "content_type")
        .first()
    )
    if found is None or found[1] not in EXTENSIONS:
        return None
    return LogoRef(digest=found[0][:DIGEST_LENGTH], ext=EXTENSIONS[found[1]])


def logo_path(organization: Organization, ref: LogoRef | None) -> str:
    """The logo's path on our site ("" without a logo)."""
    if ref is None:
        return ""
    return reverse(
        "organization_logo",
        kwargs={"org_slug": organization.slug, "digest": ref.digest, "ext": ref.ext},
    )


@require_GET
def organization_logo(request: HttpRequest, org_slug: str, digest: str, ext: str) -> HttpResponse:
    organization = organization_by_slug(org_slug)
    if organization is None:
        raise Http404("No such logo.")
    with tenant_scope(organization):
        logo = (
            OrganizationLogo.objects.filter(organization_id=organization.pk)
            .annotate(sha=_hex_sha256())
            .first()
        )
    if (
        logo is None
        or EXTENSIONS.get(logo.content_type) != ext
        or logo.sha[:DIGEST_LENGTH] != digest
    ):
        raise Http404("No such logo.")
    response = HttpResponse(bytes(logo.content), content_type=logo.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = CACHE
    return response
