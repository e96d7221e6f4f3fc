"""Dashboard API under /api/v1/o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from dashboards.exports import api as exports_api
from dashboards.homes.api import HomeView
from dashboards.overview.api import OrganizationOverviewView
from dashboards.program.api import ProgramDashboardView

urlpatterns: list[URLPattern | URLResolver] = []

# --- Homes (dashboards/homes/api.py) -------------------------------------------------------------
urlpatterns += [
    path("home/", HomeView.as_view(), name="api-organization-home"),
]

# --- Program dashboard and organisation overview -------------------------------------------------
urlpatterns += [
    path(
        "programs/<id:program_pk>/dashboard/",
        ProgramDashboardView.as_view(),
        name="api-program-dashboard",
    ),
    path("dashboard/", OrganizationOverviewView.as_view(), name="api-organization-overview"),
]

# --- Exports (dashboards/exports/api.py) ---------------------------------------------------------
urlpatterns += [
    path(
        "programs/<id:program_pk>/exports/",
        exports_api.ProgramExportListView.as_view(),
        name="api-program-export-list",
    ),
    path(
        "programs/<id:program_pk>/exports/<id:pk>/",
        exports_api.ProgramExportDetailView.as_view(),
        name="api-program-export-detail",
    ),
    path(
        "programs/<id:program_pk>/exports/<id:pk>/download/<str:token>/",
        exports_api.ProgramExportDownloadView.as_view(),
        name="api-program-export-download",
    ),
]
