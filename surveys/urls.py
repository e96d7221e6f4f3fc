"""Survey pages under /o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from surveys.builder import views as builder
from surveys.respond import views as respond
from surveys.results import views as results
from surveys.waves import views as waves

_ORG = "o/<slug:org_slug>/"

urlpatterns: list[URLPattern | URLResolver] = []

# --- Builder: templates, program surveys, questions, preview, objective anchors ------------------
# (surveys/builder/)
_T = "o/<slug:org_slug>/surveys/templates/"
_S = "o/<slug:org_slug>/surveys/<id:pk>/"
_Q = _S + "questions/<id:question_pk>/"
_P = "o/<slug:org_slug>/programs/<id:program_pk>/surveys/"
urlpatterns += [
    path(_T, builder.template_list, name="survey_template_list"),
    path(_T + "new/", builder.template_create, name="survey_template_create"),
    path(_T + "install/", builder.library_install, name="survey_library_install"),
    path(_S, builder.survey_detail, name="survey_detail"),
    path(_S + "settings/", builder.survey_settings, name="survey_settings"),
    path(_S + "archive/", builder.survey_archive, name="survey_archive"),
    path(_S + "preview/", builder.survey_preview, name="survey_preview"),
    path(_S + "questions/", builder.question_add, name="survey_question_add"),
    path(_Q + "edit/", builder.question_edit, name="survey_question_edit"),
    path(_Q + "delete/", builder.question_delete, name="survey_question_delete"),
    path(_Q + "move/", builder.question_move, name="survey_question_move"),
    path(_P, builder.program_surveys, name="program_surveys"),
    path(_P + "copy/", builder.program_survey_copy, name="program_survey_copy"),
    path(
        _P + "recommended/", builder.program_survey_recommended, name="program_survey_recommended"
    ),
    path(_P + "objectives/", builder.program_objectives, name="program_survey_objectives"),
    path(
        _P + "objectives/<id:objective_pk>/anchors/",
        builder.objective_anchor_add,
        name="program_objective_anchor_add",
    ),
    path(
        _P + "objectives/<id:objective_pk>/targets/",
        builder.objective_targets,
        name="program_objective_targets",
    ),
    path(
        _P + "anchors/<id:pk>/remove/",
        builder.objective_anchor_remove,
        name="program_objective_anchor_remove",
    ),
]


# --- Waves: invitations, answering (signed link and signed in), my surveys ------------------------
# (surveys/waves/)
urlpatterns += [
    path(f"{_ORG}me/surveys/", respond.my_survey_list, name="my_survey_list"),
    path(f"{_ORG}me/surveys/<id:pk>/", respond.my_survey_answer, name="my_survey_answer"),
    path(
        f"{_ORG}surveys/<id:survey_pk>/invitations/",
        waves.survey_invitation_list,
        name="survey_invitation_list",
    ),
    # The email's signed link: outside /o/ because it works signed out (the token decides).
    path("surveys/<slug:org_slug>/<str:token>/", respond.survey_link, name="survey_link"),
]


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
