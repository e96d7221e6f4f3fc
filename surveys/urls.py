"""Survey pages under /o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from surveys.results import views as results

urlpatterns: list[URLPattern | URLResolver] = []

# --- Builder: templates, program surveys, questions, preview, objective anchors ------------------
# (surveys/builder/)


# --- Waves: invitations, answering (signed link and signed in), my surveys ------------------------
# (surveys/waves/)


# --- Results: response rates, per-question aggregates, paired change ------------------------------
# (surveys/results/)
urlpatterns += [
    path(
        "o/<slug:org_slug>/programs/<id:program_pk>/outcomes/",
        results.program_outcomes,
        name="program_outcomes",
    ),
    path(
        "o/<slug:org_slug>/programs/<id:program_pk>/outcomes.csv",
        results.program_outcomes_csv,
        name="program_outcomes_csv",
    ),
    path(
        "o/<slug:org_slug>/surveys/<id:pk>/results/", results.survey_results, name="survey_results"
    ),
    path(
        "o/<slug:org_slug>/surveys/<id:pk>/results.csv",
        results.survey_results_csv,
        name="survey_results_csv",
    ),
]
