"""Dashboard API under /api/v1/o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from dashboards.exports import api as exports_api

urlpatterns: list[URLPattern | URLResolver] = []

# --- Homes (dashboards/homes/api.py) -------------------------------------------------------------

# --- Program dashboard and organisation overview -------------------------------------------------

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
