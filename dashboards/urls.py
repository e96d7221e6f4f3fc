"""Dashboard pages under /o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from dashboards.exports import views as exports

urlpatterns: list[URLPattern | URLResolver] = []

# --- Homes: the first page after sign-in (dashboards/homes/) -------------------------------------

# --- Program dashboard and organisation overview (dashboards/program/, dashboards/overview/) ----

# --- Exports and reports (dashboards/exports/) ---------------------------------------------------
_EXPORTS = "o/<slug:org_slug>/programs/<id:program_pk>/exports/"
urlpatterns += [
    path(_EXPORTS, exports.program_exports, name="program_exports"),
    path(f"{_EXPORTS}<id:pk>/", exports.program_export_detail, name="program_export_detail"),
    path(
        f"{_EXPORTS}<id:pk>/download/<str:token>/",
        exports.program_export_download,
        name="program_export_download",
    ),
]
