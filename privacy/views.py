"""People's data rights pages: my data (export), a person's data (admin: export, erase), one
export's progress and download, and the retention rules with their dry run.

Adapters only: each parses the request, calls one use case (``privacy.use_cases``, which asks the
policy) and renders. An export's page polls its status with htmx while it runs; without JavaScript
it refreshes itself (a ``<noscript>`` meta refresh).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.pages import add_form_errors, paginate
from organizations.http import OrgRequest
from privacy import use_cases
from privacy.exports import jobs
from privacy.forms import ErasureForm, RetentionForm
from privacy.models import PersonExport
from privacy.retention.services import KINDS, RULES

EXPORT_TEMPLATE = "privacy/export_detail.html"


@require_http_methods(["GET", "POST"])
def my_data(request: OrgRequest, org_slug: str) -> HttpResponse:
    person, exports = use_cases.my_data(actor=request.membership)
    errors: list[str] = []
    if request.method == "POST":
        try:
            export = use_cases.request_my_export(actor=request.membership)
        except ValidationError as error:
            errors = [message for messages in error.message_dict.values() for message in messages]
        else:
            return redirect("person_export_detail", org_slug=org_slug, pk=export.pk)
    return render(
        request,
        "privacy/my_data.html",
        {"person": person, "page": paginate(request, exports), "errors": errors},
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def person_data(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    person, exports = use_cases.person_data(actor=request.membership, person_id=pk)
    if request.method == "POST":
        export = use_cases.request_person_export(actor=request.membership, person_id=pk)
        return redirect("person_export_detail", org_slug=org_slug, pk=export.pk)
    return render(
        request, "privacy/person_data.html", {"person": person, "page": paginate(request, exports)}
    )


def _download_url(request: OrgRequest, export: PersonExport) -> str:
    if (
        export.is_expired()
        or not export.file
        or not use_cases.may_download(request.membership, export)
    ):
        return ""
    return reverse(
        "person_export_download",
        kwargs={
            "org_slug": request.organization.slug,
            "pk": export.pk,
            "token": jobs.make_token(export),
        },
    )


@require_GET
def person_export_detail(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    export = use_cases.show_export(actor=request.membership, export_id=pk)
    context = {
        "export": export,
        "expired": export.is_expired(),
        "download_url": _download_url(request, export),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, f"{EXPORT_TEMPLATE}#export-status", context)
    return render(request, EXPORT_TEMPLATE, context)


@require_GET
def person_export_download(
    request: OrgRequest, org_slug: str, pk: int, token: str
) -> HttpResponseBase:
    try:
        export, file = use_cases.download_export(
            actor=request.membership, export_id=pk, token=token
        )
    except jobs.ExportExpiredError:
        return render(request, "privacy/export_expired.html", status=410)
    return FileResponse(
        file, as_attachment=True, filename=export.file_name, content_type="application/zip"
    )


@require_http_methods(["GET", "POST"])
def person_erase(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    person, refusals = use_cases.erasure_page(actor=request.membership, person_id=pk)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            use_cases.erase_person(
                actor=request.membership,
                person_id=pk,
                confirm_name=form.cleaned_data["confirm_name"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "The person was erased. The audit log records it.")
            return redirect("person_detail", org_slug=org_slug, pk=pk)
    return render(
        request,
        "privacy/erase.html",
        {"person": person, "form": form, "refusals": refusals},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def retention_settings(request: OrgRequest, org_slug: str) -> HttpResponse:
    policy, preview = use_cases.retention_page(actor=request.membership)
    initial = {name: getattr(policy, name) for name, _label in RULES} if policy else {}
    form = RetentionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            use_cases.update_retention(
                actor=request.membership,
                values={name: form.cleaned_data[name] for name, _label in RULES},
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "The retention rules were saved; the preview shows them.")
            return redirect("retention_settings", org_slug=org_slug)
    return render(
        request,
        "privacy/retention.html",
        {
            "form": form,
            "preview": [(KINDS[kind], count) for kind, count in preview.items()],
            "has_rules": policy is not None and any(getattr(policy, n) for n, _l in RULES),
        },
        status=400 if form.errors else 200,
    )
