"""Survey API under /api/v1/o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

# --- Builder: templates, program surveys, questions ---------------------------------------------
# (surveys/builder/api.py)


# --- Waves: invitations (status only), answer submission -----------------------------------------
# (surveys/waves/api.py)


# --- Results: rates, aggregates, paired change ------------------------------------------------------
# (surveys/results/api.py)
