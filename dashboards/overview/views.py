"""The organisation overview page: the use case (admins only), rendered."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards.overview.use_cases import organization_overview_for
from organizations.http import OrgRequest
from surveys import privacy


@require_GET
def organization_overview(request: OrgRequest, org_slug: str) -> HttpResponse:
    overview = organization_overview_for(
        membership=request.membership, organization=request.organization
    )
    context = {"overview": overview, "too_few": privacy.TOO_FEW}
    return render(request, "dashboards/overview/overview.html", context)
