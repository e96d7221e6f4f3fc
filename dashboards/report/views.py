"""The impact report: a printable page and the same page as a PDF (``use_cases.impact_report_for``
decides who may read it and audits each download)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from dashboards.report.pdf import html_to_pdf
from dashboards.report.use_cases import ImpactReport, impact_report_for
from organizations.http import OrgRequest
from surveys import privacy

TEMPLATE = "dashboards/report/report.html"


def _report(request: OrgRequest, program_pk: int, format: str) -> ImpactReport:
    user = request.user
    assert user.is_authenticated  # the organisation middleware signs in first
    return impact_report_for(
        membership=request.membership,
        organization=request.organization,
        actor=user,
        program_pk=program_pk,
        format=format,
    )


def _context(report: ImpactReport, *, pdf: bool) -> dict[str, Any]:
    return {"report": report, "program": report.program, "too_few": privacy.TOO_FEW, "pdf": pdf}


@require_GET
def program_report(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    report = _report(request, program_pk, "html")
    return render(request, TEMPLATE, _context(report, pdf=False))


@require_GET
def program_report_pdf(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    report = _report(request, program_pk, "pdf")
    html = render_to_string(TEMPLATE, _context(report, pdf=True), request=request)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    name = slugify(report.program.name) or "program"
    response["Content-Disposition"] = f'attachment; filename="impact-report-{name}.pdf"'
    return response
