"""Dashboard pages under /o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

# --- Homes: the first page after sign-in (dashboards/homes/) -------------------------------------

# --- Program dashboard and organisation overview (dashboards/program/, dashboards/overview/) ----

# --- Exports and reports (dashboards/exports/) ---------------------------------------------------
