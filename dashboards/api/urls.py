"""Dashboard API under /api/v1/o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from dashboards.homes.api import HomeView

urlpatterns: list[URLPattern | URLResolver] = []

# --- Homes (dashboards/homes/api.py) -------------------------------------------------------------
urlpatterns += [
    path("home/", HomeView.as_view(), name="api-organization-home"),
]

# --- Program dashboard and organisation overview -------------------------------------------------

# --- Exports (dashboards/exports/api.py) ---------------------------------------------------------
