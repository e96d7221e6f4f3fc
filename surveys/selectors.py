"""Reads shared by the survey features (builder, waves, results)."""

from __future__ import annotations

from django.db.models import QuerySet

from programs.models import Program
from surveys.models import WAVE_ORDER, Question, Survey, SurveyVersion


def current_version(survey: Survey) -> SurveyVersion | None:
    """The survey's newest version (the one new answers go to); None before the first question."""
    return survey.versions.order_by("-number").first()


def current_questions(survey: Survey) -> QuerySet[Question]:
    version = current_version(survey)
    if version is None:
        return Question.objects.none()
    return version.questions.order_by("position", "id")


def program_surveys(program: Program) -> list[Survey]:
    """The program's surveys in wave order (pre, mid, post, follow-up)."""
    surveys = list(Survey.objects.filter(program=program))
    return sorted(surveys, key=lambda s: WAVE_ORDER.index(s.wave))


def templates() -> QuerySet[Survey]:
    """The organisation's survey templates (active first)."""
    return Survey.objects.filter(program__isnull=True).order_by("-is_active", "wave", "title")


def program_anchor_keys(program: Program) -> list[str]:
    """Every anchor key asked in the current version of any of the program's surveys."""
    keys: set[str] = set()
    for survey in program_surveys(program):
        keys |= {
            key for key in current_questions(survey).values_list("anchor_key", flat=True) if key
        }
    return sorted(keys)
