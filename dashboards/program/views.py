"""The program dashboard page: parse the filters, call the use case, render. Bad filters re-show the
form with its messages and no data (400)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards.program.use_cases import dashboard_program, filter_form, program_dashboard_for
from organizations.http import OrgRequest
from surveys import privacy


@require_GET
def program_dashboard(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    try:
        dashboard, form = program_dashboard_for(
            membership=request.membership,
            organization=request.organization,
            program_pk=program_pk,
            data=request.GET,
        )
    except ValidationError:
        program = dashboard_program(request.membership, program_pk)
        form = filter_form(program, request.GET)
        form.is_valid()
        context = {"program": program, "form": form, "dashboard": None}
        return render(request, "dashboards/program/dashboard.html", context, status=400)
    context = {
        "program": dashboard.program,
        "form": form,
        "dashboard": dashboard,
        "too_few": privacy.TOO_FEW,
    }
    return render(request, "dashboards/program/dashboard.html", context)
