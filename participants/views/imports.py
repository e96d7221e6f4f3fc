"""Import pages (admins): upload → map columns → dry run with every problem → commit all or none.

The job page polls its status panel with htmx while a step runs; without JavaScript it refreshes
itself (a ``<noscript>`` meta refresh), so it works either way.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import add_form_errors, paginate, require_role
from organizations.http import OrgRequest
from organizations.models import Role
from participants import importing
from participants.forms_directory import ImportMappingForm, ImportUploadForm
from participants.models import ImportJob, ImportStatus

PROBLEMS_PER_PAGE = 100
RUNNING = (ImportStatus.VALIDATING, ImportStatus.COMMITTING)


def _jobs() -> QuerySet[ImportJob]:
    return ImportJob.objects.select_related("created_by").defer("content")


def _job(pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.defer("content"), pk=pk)


@require_http_methods(["GET", "POST"])
@require_role(Role.ADMIN)
def import_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > importing.MAX_UPLOAD_BYTES:
                raise ValidationError(
                    {"file": f"The file is larger than {importing.MAX_UPLOAD_BYTES // 2**20} MB."}
                )
            job = importing.import_upload(
                organization=request.organization,
                actor=request.user,
                file_name=upload.name,
                content=upload.read(),
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("import_detail", org_slug=org_slug, pk=job.pk)
    page = paginate(request, _jobs())
    return render(
        request,
        "participants/imports/list.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


def _detail_context(
    request: OrgRequest, job: ImportJob, form: ImportMappingForm | None
) -> dict[str, Any]:
    problems = Paginator(job.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    if form is None and job.status in importing.REVALIDATABLE:
        form = ImportMappingForm(
            organization=request.organization,
            headers=job.headers,
            initial={key: str(index) for key, index in job.mapping.items()},
        )
    return {
        "job": job,
        "form": form,
        "problems": problems,
        "problem_rows": importing.problem_rows(job.problems),
        "running": job.status in RUNNING,
        "can_commit": job.status == ImportStatus.VALIDATED and not job.problems,
        "mapped": [
            (target.label, job.headers[job.mapping[target.key]])
            for target in importing.import_targets(request.organization)
            if target.key in job.mapping and job.mapping[target.key] < len(job.headers)
        ],
    }


@require_role(Role.ADMIN)
def import_detail(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    job = _job(pk)
    context = _detail_context(request, job, None)
    if request.headers.get("HX-Request") != "true":
        return render(request, "participants/imports/detail.html", context)
    response = render(request, "participants/imports/detail.html#import-status", context)
    if not context["running"]:
        # The step finished: reload the whole page (its mapping form and messages change too).
        response["HX-Refresh"] = "true"
    return response


@require_POST
@require_role(Role.ADMIN)
def import_validate(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    """Save the column mapping and start the dry run."""
    job = _job(pk)
    form = ImportMappingForm(request.POST, organization=request.organization, headers=job.headers)
    if form.is_valid():
        try:
            importing.import_request_validation(
                organization=request.organization,
                actor=request.user,
                job=job,
                mapping=form.mapping(),
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("import_detail", org_slug=org_slug, pk=job.pk)
    return render(
        request,
        "participants/imports/detail.html",
        _detail_context(request, job, form),
        status=400,
    )


@require_POST
@require_role(Role.ADMIN)
def import_commit(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    job = _job(pk)
    try:
        importing.import_request_commit(
            organization=request.organization, actor=request.user, job=job
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("import_detail", org_slug=org_slug, pk=job.pk)
