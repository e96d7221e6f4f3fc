"""Export pages: a program's exports (past jobs and the form), one job's progress, its download.

Adapters only: each parses the request, calls one use case (``dashboards.exports.use_cases``, which
asks the export policy) and renders. The job page polls its status panel with htmx while the job
runs; without JavaScript it refreshes itself (a ``<noscript>`` meta refresh).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.pages import add_form_errors, paginate
from dashboards.exports import jobs, use_cases
from dashboards.exports.forms import ExportForm
from dashboards.exports.writers import CONTENT_TYPES
from dashboards.models import ExportJob
from organizations.http import OrgRequest

LIST_TEMPLATE = "dashboards/exports/list.html"
DETAIL_TEMPLATE = "dashboards/exports/detail.html"
EXPIRED_TEMPLATE = "dashboards/exports/expired.html"


@require_http_methods(["GET", "POST"])
def program_exports(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    program, exports = use_cases.program_exports(actor=request.membership, program_id=program_pk)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = use_cases.request_export(
                actor=request.membership,
                program_id=program_pk,
                dataset=form.cleaned_data["dataset"],
                fmt=form.cleaned_data["format"],
                filters=form.filters(),
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect(
                "program_export_detail", org_slug=org_slug, program_pk=program.pk, pk=job.pk
            )
    return render(
        request,
        LIST_TEMPLATE,
        {"program": program, "form": form, "page": paginate(request, exports)},
        status=400 if form.errors else 200,
    )


def _download_url(request: OrgRequest, job: ExportJob) -> str:
    if not use_cases.may_download(request.membership, job) or job.file_name == "":
        return ""
    return reverse(
        "program_export_download",
        kwargs={
            "org_slug": request.organization.slug,
            "program_pk": job.program_id,
            "pk": job.pk,
            "token": jobs.make_token(job),
        },
    )


@require_GET
def program_export_detail(
    request: OrgRequest, org_slug: str, program_pk: int, pk: int
) -> HttpResponse:
    job = use_cases.show_export(actor=request.membership, program_id=program_pk, job_id=pk)
    context = {
        "program": job.program,
        "job": job,
        "expired": job.is_expired(),
        "download_url": "" if job.is_expired() or not job.file else _download_url(request, job),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, f"{DETAIL_TEMPLATE}#export-status", context)
    return render(request, DETAIL_TEMPLATE, context)


@require_GET
def program_export_download(
    request: OrgRequest, org_slug: str, program_pk: int, pk: int, token: str
) -> HttpResponseBase:
    try:
        job, file = use_cases.download_export(
            actor=request.membership, program_id=program_pk, job_id=pk, token=token
        )
    except jobs.ExportExpiredError:
        program, _exports = use_cases.program_exports(
            actor=request.membership, program_id=program_pk
        )
        return render(request, EXPIRED_TEMPLATE, {"program": program}, status=410)
    return FileResponse(
        file, as_attachment=True, filename=job.file_name, content_type=CONTENT_TYPES[job.format]
    )
