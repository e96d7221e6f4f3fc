"""The organisation settings page (admins), and the brand every member's pages show: a small
generated stylesheet (``brand.css``: the colour as a CSS variable, the logo as a background), under
/o/<slug>/ and so only for members. The logo itself has one public, content-addressed URL for pages
and emails alike (``organizations.logo``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET, require_http_methods

from core.pages import add_form_errors
from organizations.configuration import use_cases
from organizations.configuration.forms import SettingsForm
from organizations.http import OrgRequest

# brand.css is asked again each time (no-cache) and answered 304 while nothing changed; the logo's
# URL in it names the logo's bytes, so a browser keeps the image itself.
BRAND_CACHE = "private, no-cache"


@require_http_methods(["GET", "POST"])
def organization_settings(request: OrgRequest, org_slug: str) -> HttpResponse:
    organization, brand = use_cases.read_settings(actor=request.membership)
    initial = {
        "name": organization.name,
        "slug": organization.slug,
        "time_zone": organization.time_zone,
        "brand_colour": organization.brand_colour,
        "min_aggregate_size": organization.min_aggregate_size,
        "require_mfa": organization.require_mfa,
    }
    if request.method == "POST":
        form = SettingsForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            try:
                organization, changes = use_cases.update_settings(
                    actor=request.membership,
                    values=form.setting_values(),
                    logo_content=form.cleaned_data["logo"],
                    remove_logo=form.cleaned_data["remove_logo"],
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                if "slug" in changes:
                    messages.warning(
                        request,
                        f"The organisation's address is now /o/{organization.slug}/. Links to the "
                        f"old address /o/{changes['slug']['from']}/ no longer work.",
                    )
                messages.success(request, "Settings saved." if changes else "Nothing was changed.")
                return redirect("organization_settings", org_slug=organization.slug)
    else:
        form = SettingsForm(initial=initial)
    return render(
        request,
        "organizations/settings.html",
        {"form": form, "brand": brand, "settings_org": organization},
        status=400 if form.errors else 200,
    )


@require_GET
def organization_brand_css(request: OrgRequest, org_slug: str) -> HttpResponse:
    brand = use_cases.branding(request.organization)
    etag = quote_etag(brand.version)
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        rules = []
        if brand.colour:
            rules.append(f":root {{ --brand: {brand.colour}; --brand-ink: #fff; }}")
            rules.append(".site-header { border-top: 6px solid var(--brand); }")
            rules.append(
                ".org-name { background: var(--brand); color: var(--brand-ink); "
                "padding: .1rem .5rem; border-radius: .25rem; }"
            )
        if brand.has_logo:
            rules.append(
                f'.org-logo {{ display: inline-block; background-image: url("{brand.logo_url}"); }}'
            )
        response = HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = BRAND_CACHE
    return response
