"""Survey API under /api/v1/o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from surveys.results import api as results_api

urlpatterns: list[URLPattern | URLResolver] = []

# --- Builder: templates, program surveys, questions ---------------------------------------------
# (surveys/builder/api.py)


# --- Waves: invitations (status only), answer submission -----------------------------------------
# (surveys/waves/api.py)


# --- Results: rates, aggregates, paired change ------------------------------------------------------
# (surveys/results/api.py)
urlpatterns += [
    path(
        "programs/<id:program_pk>/outcomes/",
        results_api.ProgramOutcomesView.as_view(),
        name="api-program-outcomes",
    ),
    path(
        "surveys/<id:pk>/results/",
        results_api.SurveyResultsView.as_view(),
        name="api-survey-results",
    ),
]
