"""The organisation's home, the first page after sign-in: what needs doing, for staff and for
participants (``dashboards/homes/selectors.py``)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards.homes.selectors import home_for
from organizations.http import OrgRequest


@require_GET
def organization_home(request: OrgRequest, org_slug: str) -> HttpResponse:
    return render(
        request,
        "dashboards/homes/home.html",
        {"home": home_for(membership=request.membership, org_slug=org_slug)},
    )
