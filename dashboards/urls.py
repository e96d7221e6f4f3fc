"""Dashboard pages under /o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from dashboards.homes import views as homes

urlpatterns: list[URLPattern | URLResolver] = []

# --- Homes: the first page after sign-in (dashboards/homes/) -------------------------------------
urlpatterns += [
    path("o/<slug:org_slug>/", homes.organization_home, name="organization_home"),
]

# --- Program dashboard and organisation overview (dashboards/program/, dashboards/overview/) ----

# --- Exports and reports (dashboards/exports/) ---------------------------------------------------
