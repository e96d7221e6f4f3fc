"""SSO pages: the admins' settings under /o/<slug>/settings/sso/, and the sign-in start and callback
under /sso/<slug>/ (outside /o/: the person is not signed in yet)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.pages import add_form_errors
from organizations.http import OrgRequest
from sso import oidc, use_cases
from sso.forms import ProviderForm
from sso.services import EDITABLE, ProviderSettings


@require_http_methods(["GET", "POST"])
def sso_settings(request: OrgRequest, org_slug: str) -> HttpResponse:
    provider = use_cases.provider_for_settings(actor=request.membership)
    initial = {name: getattr(provider, name) for name in EDITABLE} if provider else None
    form = ProviderForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        has_secret=provider is not None,
    )
    if request.method == "POST" and form.is_valid():
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
    return render(
        request,
        "sso/settings.html",
        {
            "form": form,
            "provider": provider,
            "start_url": request.build_absolute_uri(
                reverse("sso_login", kwargs={"org_slug": org_slug})
            ),
            "callback_url": request.build_absolute_uri(
                reverse("sso_callback", kwargs={"org_slug": org_slug})
            ),
        },
        status=400 if form.errors else 200,
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
