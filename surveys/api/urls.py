"""Survey API under /api/v1/o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from surveys.waves.api import SurveyInvitationViewSet

urlpatterns: list[URLPattern | URLResolver] = []

# --- Builder: templates, program surveys, questions ---------------------------------------------
# (surveys/builder/api.py)


# --- Waves: invitations (status only), answer submission -----------------------------------------
# (surveys/waves/api.py)
_waves = SimpleRouter()
_waves.register("survey-invitations", SurveyInvitationViewSet, basename="api-survey-invitation")
urlpatterns += _waves.urls


# --- Results: rates, aggregates, paired change ------------------------------------------------------
# (surveys/results/api.py)
