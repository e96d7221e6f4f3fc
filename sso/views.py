"""SSO pages: the admins' settings under /o/<slug>/settings/sso/ (OpenID Connect and SAML), and the
sign-in routes under /sso/<slug>/ (outside /o/: the person is not signed in yet): OpenID Connect's
start and callback, SAML's start, ACS and SP metadata."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.client_ip import client_ip
from core.pages import add_form_errors
from organizations.http import OrgRequest
from sso import oidc, saml, use_cases
from sso.errors import SignInRefusedError
from sso.forms import ProviderForm, SamlProviderForm
from sso.services import EDITABLE, SAML_EDITABLE, ProviderSettings, SamlSettings

SAML_FORM_PREFIX = "saml"


def saml_values(data: dict[str, Any]) -> SamlSettings:
    return SamlSettings(**{name: data[name] for name in SamlSettings.__dataclass_fields__})


@require_http_methods(["GET", "POST"])
def sso_settings(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Both kinds on one page: the OpenID Connect form, and the SAML form (``kind=saml``)."""
    provider = use_cases.provider_for_settings(actor=request.membership)
    saml_provider = use_cases.saml_provider_for_settings(actor=request.membership)
    posted_saml = request.method == "POST" and request.POST.get("kind") == "saml"
    posted_oidc = request.method == "POST" and not posted_saml
    initial = {name: getattr(provider, name) for name in EDITABLE} if provider else None
    form = ProviderForm(
        request.POST if posted_oidc else None,
        initial=initial,
        has_secret=provider is not None,
    )
    saml_initial = (
        {name: getattr(saml_provider, name) for name in SAML_EDITABLE} if saml_provider else None
    )
    saml_form = SamlProviderForm(
        request.POST if posted_saml else None, initial=saml_initial, prefix=SAML_FORM_PREFIX
    )
    if posted_oidc and form.is_valid():
        data = form.cleaned_data
        try:
            use_cases.save_settings(
                actor=request.membership,
                values=ProviderSettings(
                    issuer=data["issuer"],
                    client_id=data["client_id"].strip(),
                    client_secret=data["client_secret"],
                    email_claim=data["email_claim"].strip(),
                    name_claim=data["name_claim"].strip(),
                    is_enabled=data["is_enabled"],
                    sso_required=data["sso_required"],
                ),
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "Single sign-on settings saved.")
            return redirect("sso_settings", org_slug=org_slug)
    if posted_saml and saml_form.is_valid():
        try:
            use_cases.save_saml_settings(
                actor=request.membership, values=saml_values(saml_form.cleaned_data)
            )
        except ValidationError as error:
            add_form_errors(saml_form, error)
        else:
            messages.success(request, "SAML single sign-on settings saved.")
            return redirect("sso_settings", org_slug=org_slug)

    def absolute(name: str) -> str:
        return request.build_absolute_uri(reverse(name, kwargs={"org_slug": org_slug}))

    return render(
        request,
        "sso/settings.html",
        {
            "form": form,
            "provider": provider,
            "saml_form": saml_form,
            "saml_provider": saml_provider,
            "start_url": absolute("sso_login"),
            "callback_url": absolute("sso_callback"),
            "saml_start_url": absolute("sso_saml_login"),
            "saml_acs_url": absolute("sso_saml_acs"),
            "saml_metadata_url": absolute("sso_saml_metadata"),
        },
        status=400 if form.errors or saml_form.errors else 200,
    )


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "sso/problem.html", {"problem": message}, status=status)


@require_GET
def sso_login(request: HttpRequest, org_slug: str) -> HttpResponse:
    next_url = request.GET.get("next", "")
    try:
        url = use_cases.start_sign_in(request, org_slug=org_slug, next_url=next_url)
    except oidc.IdpUnreachableError as error:
        return _problem(request, str(error), 502)
    return redirect(url)


@require_GET
def sso_callback(request: HttpRequest, org_slug: str) -> HttpResponse:
    try:
        signed_in = use_cases.finish_sign_in(request, org_slug=org_slug, params=request.GET)
    except oidc.SignInRefusedError as refusal:
        return _problem(request, refusal.message, refusal.status)
    except oidc.IdpUnreachableError as error:
        return _problem(request, f"{error} Try again in a few minutes.", 502)
    except ValidationError as error:
        return _problem(request, " ".join(error.messages), 403)
    return redirect(signed_in.landing_url)


@require_GET
def saml_login(request: HttpRequest, org_slug: str) -> HttpResponse:
    next_url = request.GET.get("next", "")
    try:
        url = use_cases.start_saml_sign_in(request, org_slug=org_slug, next_url=next_url)
    except SignInRefusedError as refusal:  # the stored certificates no longer read
        return _problem(request, refusal.message, refusal.status)
    except saml.MetadataError as error:
        return _problem(request, f"Single sign-on is misconfigured: {error}", 502)
    return redirect(url)


@csrf_exempt  # the identity provider posts here from its own site
@require_http_methods(["GET", "POST"])
def saml_acs(request: HttpRequest, org_slug: str) -> HttpResponse:
    """POST: the IdP's SAMLResponse, parked and sent on to the GET below, which carries the
    person's session (``sso.saml_signin``). GET ``?r=<key>``: check it and sign in."""
    try:
        if request.method == "POST":
            key = use_cases.park_saml_response(
                org_slug=org_slug,
                saml_response=request.POST.get("SAMLResponse", ""),
                address=client_ip(request),
            )
            url = reverse("sso_saml_acs", kwargs={"org_slug": org_slug})
            return HttpResponseRedirect(f"{url}?r={key}", status=303)
        signed_in = use_cases.finish_saml_sign_in(
            request, org_slug=org_slug, key=request.GET.get("r", "")
        )
    except SignInRefusedError as refusal:
        return _problem(request, refusal.message, refusal.status)
    except saml.MetadataError as error:
        return _problem(request, f"Single sign-on is misconfigured: {error}", 502)
    except ValidationError as error:
        return _problem(request, " ".join(error.messages), 403)
    return redirect(signed_in.landing_url)


@require_GET
def saml_metadata(request: HttpRequest, org_slug: str) -> HttpResponse:
    xml = use_cases.saml_metadata(request, org_slug=org_slug)
    return HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")
