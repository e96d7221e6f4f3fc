"""Survey pages under /o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

# --- Builder: templates, program surveys, questions, preview, objective anchors ------------------
# (surveys/builder/)


# --- Waves: invitations, answering (signed link and signed in), my surveys ------------------------
# (surveys/waves/)


# --- Results: response rates, per-question aggregates, paired change ------------------------------
# (surveys/results/)
