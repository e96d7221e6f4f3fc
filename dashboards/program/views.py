"""The program dashboard page: parse the filters, call the use case, render. Bad filters re-show the
form with its messages and no data (400)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from dashboards import freshness
from dashboards.program.selectors import ProgramDashboard
from dashboards.program.use_cases import dashboard_program, filter_form, program_dashboard_for
from organizations.http import OrgRequest
from organizations.models import Organization
from programs.lifecycle import program_zone
from surveys import privacy


def figures_html(organization: Organization, dashboard: ProgramDashboard) -> SafeString:
    """The figures' HTML, rendered once per computed dashboard (its ``computed_at`` tells one
    computation from the next) and cached like the figures themselves."""
    if not dashboard.shown:
        return mark_safe("")
    zone = program_zone(dashboard.program)
    as_of = dashboard.computed_at.astimezone(zone)

    def render_figures() -> str:
        context = {
            "organization": organization,
            "program": dashboard.program,
            "dashboard": dashboard,
            "too_few": privacy.TOO_FEW,
            "as_of": f"{as_of:%d %b %Y, %H:%M} ({zone.key})",
        }
        return render_to_string("dashboards/program/_figures.html", context)

    parts = (dashboard.program.pk, dashboard.filters, dashboard.k, dashboard.computed_at, zone.key)
    return mark_safe(freshness.cached("program-html", organization.pk, parts, render_figures))  # noqa: S308 (rendered by our template)


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
        "figures_html": figures_html(request.organization, dashboard),
    }
    return render(request, "dashboards/program/dashboard.html", context)
