"""Import pages: upload → map columns → dry run with every problem → commit all or none.

Adapters only: each parses the request, calls one use case (``participants.importing.use_cases``,
which asks the policy) and renders. The job page polls its status panel with htmx while a step
runs; without JavaScript it refreshes itself (a ``<noscript>`` meta refresh), so it works either way.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.pages import add_form_errors, paginate
from organizations.http import OrgRequest
from participants.importing import jobs, use_cases
from participants.importing.forms import ImportMappingForm, ImportUploadForm
from participants.importing.parsing import import_targets
from participants.models import ImportJob, ImportStatus

PROBLEMS_PER_PAGE = 100
LIST_TEMPLATE = "participants/importing/list.html"
DETAIL_TEMPLATE = "participants/importing/detail.html"


@require_http_methods(["GET", "POST"])
def import_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    imports = use_cases.list_imports(actor=request.membership)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = use_cases.upload_import(
                actor=request.membership, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("import_detail", org_slug=org_slug, pk=job.pk)
    return render(
        request,
        LIST_TEMPLATE,
        {"form": form, "page": paginate(request, imports)},
        status=400 if form.errors else 200,
    )


def _detail_context(
    request: OrgRequest, job: ImportJob, form: ImportMappingForm | None
) -> dict[str, Any]:
    problems = Paginator(job.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    if form is None and job.status in jobs.REVALIDATABLE:
        form = ImportMappingForm(
            organization=request.organization,
            headers=job.headers,
            initial={key: str(index) for key, index in job.mapping.items()},
        )
    committed = job.status == ImportStatus.COMMITTED
    return {
        "job": job,
        "form": form,
        "people": use_cases.imported_people(actor=request.membership, job=job)
        if committed
        else None,
        "problems": problems,
        "problem_rows": jobs.problem_rows(job.problems),
        "running": job.status in jobs.RUNNING,
        "can_commit": job.status == ImportStatus.VALIDATED and not job.problems,
        "mapped": [
            (target.label, job.headers[job.mapping[target.key]])
            for target in import_targets(request.organization)
            if target.key in job.mapping and job.mapping[target.key] < len(job.headers)
        ],
    }


def import_detail(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    job = use_cases.show_import(actor=request.membership, job_id=pk)
    context = _detail_context(request, job, None)
    if request.headers.get("HX-Request") != "true":
        return render(request, DETAIL_TEMPLATE, context)
    response = render(request, f"{DETAIL_TEMPLATE}#import-status", context)
    if not context["running"]:
        # The step finished: reload the whole page (its mapping form and messages change too).
        response["HX-Refresh"] = "true"
    return response


@require_POST
def import_validate(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    """Save the column mapping and start the dry run."""
    job = use_cases.show_import(actor=request.membership, job_id=pk)
    form = ImportMappingForm(request.POST, organization=request.organization, headers=job.headers)
    if form.is_valid():
        try:
            use_cases.start_dry_run(actor=request.membership, job_id=pk, mapping=form.mapping())
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("import_detail", org_slug=org_slug, pk=pk)
    return render(request, DETAIL_TEMPLATE, _detail_context(request, job, form), status=400)


@require_GET
def import_template(request: OrgRequest, org_slug: str) -> HttpResponse:
    content = use_cases.import_template(actor=request.membership)
    return _csv_attachment(content, "people-import-template.csv")


@require_GET
def import_problems(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    """The dry run's problem rows as CSV, each with its problems in a last column."""
    try:
        name, content = use_cases.import_problems_file(actor=request.membership, job_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import_detail", org_slug=org_slug, pk=pk)
    return _csv_attachment(content, name)


def _csv_attachment(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_POST
def import_commit(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    try:
        use_cases.start_commit(actor=request.membership, job_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("import_detail", org_slug=org_slug, pk=pk)
