"""Survey API under /api/v1/o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from organizations.api.views import ID_REGEX
from surveys.builder import api as builder
from surveys.results import api as results_api
from surveys.waves.api import SurveyInvitationViewSet

urlpatterns: list[URLPattern | URLResolver] = []

# --- Builder: templates, program surveys, questions ---------------------------------------------
# (surveys/builder/api.py)
_PROGRAM = f"programs/(?P<program_pk>{ID_REGEX})"
_builder = SimpleRouter()
_builder.register("survey-templates", builder.SurveyTemplateViewSet, basename="api-survey-template")
_builder.register(
    f"survey-templates/(?P<survey_pk>{ID_REGEX})/questions",
    builder.TemplateQuestionViewSet,
    basename="api-survey-template-question",
)
_builder.register(
    f"{_PROGRAM}/surveys", builder.ProgramSurveyViewSet, basename="api-program-survey"
)
_builder.register(
    f"{_PROGRAM}/surveys/(?P<survey_pk>{ID_REGEX})/questions",
    builder.ProgramSurveyQuestionViewSet,
    basename="api-program-survey-question",
)
_builder.register(
    f"{_PROGRAM}/objective-anchors", builder.ObjectiveAnchorViewSet, basename="api-objective-anchor"
)
urlpatterns += _builder.urls


# --- Waves: invitations (status only), answer submission -----------------------------------------
# (surveys/waves/api.py)
_waves = SimpleRouter()
_waves.register("survey-invitations", SurveyInvitationViewSet, basename="api-survey-invitation")
urlpatterns += _waves.urls


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
