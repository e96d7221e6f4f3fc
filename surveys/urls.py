"""Survey pages under /o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from surveys.respond import views as respond
from surveys.waves import views as waves

_ORG = "o/<slug:org_slug>/"

urlpatterns: list[URLPattern | URLResolver] = []

# --- Builder: templates, program surveys, questions, preview, objective anchors ------------------
# (surveys/builder/)


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
