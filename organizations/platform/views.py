"""Platform operator pages (outside any organisation): adapters over ``services.organization_open``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.pages import add_form_errors, paginate
from organizations.models import Organization
from organizations.platform.access import require_operator
from organizations.platform.forms import OpenOrganizationForm
from organizations.platform.services import organization_open


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    require_operator(request.user)
    organizations = Organization.objects.order_by("name")
    return render(
        request,
        "organizations/platform/organization_list.html",
        {"page": paginate(request, organizations)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_new(request: HttpRequest) -> HttpResponse:
    require_operator(request.user)
    form = OpenOrganizationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                opened = organization_open(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{opened.organization.name} is open. {opened.admin_email} was sent an "
                    f"invitation to be its first admin; the link, if you need to pass it on: "
                    f"{opened.invitation_link}",
                )
                return redirect("platform_organization_list")
    return render(
        request, "organizations/platform/organization_new.html", {"form": form}, status=status
    )
