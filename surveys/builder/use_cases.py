"""The builder's actions and lookups, shared by its pages and its API.

Lookups resolve ids inside the organisation and through the policy: a program survey or program
the viewer does not run is 404 (like another organisation's), a template is 403 to a member
(``surveys.access``). Actions ask the policy before reading a body, then call the services, which
ask it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from organizations.models import Membership
from programs import access as program_policy
from programs import content
from programs import selectors as program_selectors
from programs.models import Objective, Program
from surveys import access as policy
from surveys import library, selectors
from surveys.builder import services
from surveys.models import WAVE_ORDER, ObjectiveAnchor, Question, Survey, SurveyResponse, Wave
from surveys.respond.forms import AnswerForm, questions_for

PREVIEW_ROLES = {"mentor": "As a mentor", "mentee": "As a mentee", "all": "Every question"}


# --- Lookups --------------------------------------------------------------------------------------


def templates_for(membership: Membership, *, archived: bool = False) -> QuerySet[Survey]:
    """The organisation's templates (staff only). The shipped ones are installed on the first
    visit of an organisation that has none."""
    policy.template_access(membership).require(policy.TEMPLATE_VIEW)
    if not selectors.templates().exists():
        with transaction.atomic():
            library.install_library(organization=membership.organization, actor=None)
    return selectors.templates().filter(is_active=not archived)


def survey_for(membership: Membership, pk: int) -> Survey:
    """A template or a program's survey, as the policy lets ``membership`` see it."""
    survey = Survey.objects.select_related("program").filter(pk=pk).first()
    if survey is None:
        raise Http404("No such survey.")
    return policy.visible_survey(membership, survey)


def program_for(membership: Membership, pk: int) -> Program:
    return program_policy.managed_program(membership, pk)


def program_survey_for(membership: Membership, program: Program, pk: int) -> Survey:
    survey = Survey.objects.filter(program=program, pk=pk).first()
    if survey is None:
        raise Http404("No such survey.")
    return policy.visible_survey(membership, survey)


def question_of(survey: Survey, pk: int) -> Question:
    """A question of the survey's current version (earlier versions are history: 404)."""
    question = selectors.current_questions(survey).filter(pk=pk).first()
    if question is None:
        raise Http404("No such question.")
    return question


def objective_of(program: Program, pk: int) -> Objective:
    objective = program_selectors.objective_list(program=program).filter(pk=pk).first()
    if objective is None:
        raise Http404("No such objective.")
    return objective


def objective_or_field_error(program: Program, pk: int) -> Objective:
    """An objective id from a body: one of the program's, or a field error."""
    objective = program_selectors.objective_list(program=program).filter(pk=pk).first()
    if objective is None:
        raise ValidationError({"objective": "Choose an objective of this program."})
    return objective


def anchor_link_of(program: Program, pk: int) -> ObjectiveAnchor:
    link = (
        ObjectiveAnchor.objects.select_related("objective__program")
        .filter(objective__program=program, pk=pk)
        .first()
    )
    if link is None:
        raise Http404("No such link.")
    return link


def require_manage(membership: Membership, survey: Survey) -> None:
    permission = policy.TEMPLATE_MANAGE if survey.is_template else policy.MANAGE
    policy.survey_access(membership, survey).require(permission)


def active_template(membership: Membership, pk: Any) -> Survey:
    """A template to copy from, by id from a form or a body: a field error otherwise."""
    found = (
        templates_for(membership).filter(pk=pk).first()
        if isinstance(pk, int) and not isinstance(pk, bool)
        else None
    )
    if found is None:
        raise ValidationError({"template": "Choose one of the organisation's active templates."})
    return found


# --- Actions shared by the pages and the API --------------------------------------------------------

MOVE_DIRECTIONS = ("up", "down")


def move_question(
    *, membership: Membership, actor: User, survey: Survey, question_pk: int, direction: Any
) -> list[Question]:
    """Move a question of the survey's current version one step up or down (the builder's
    buttons, ``POST …/questions/<id>/move/``). The policy first (a member 403, another program's
    staff never get here: 404), then the question (404), then the direction (400)."""
    require_manage(membership, survey)
    question = question_of(survey, question_pk)
    if direction not in MOVE_DIRECTIONS:
        raise ValidationError({"direction": "Move a question up or down."})
    return services.question_move(
        actor=actor, survey=survey, question=question, direction=direction
    )


def add_recommended_surveys(
    *, membership: Membership, actor: User, program_pk: int
) -> tuple[Program, list[Survey]]:
    """The one click of the program's surveys page: the shipped survey of every wave the program
    has none for yet. Returns the program and the surveys added (none the second time)."""
    program = program_for(membership, program_pk)
    return program, services.use_recommended(actor=actor, program=program)


# --- The program's surveys page --------------------------------------------------------------------


@dataclass(frozen=True)
class WaveRow:
    wave: str
    label: str
    survey: Survey | None
    version: int | None
    questions: int
    responses: int


def wave_rows(program: Program) -> list[WaveRow]:
    """The four waves of the program, with the survey of each (or none yet)."""
    surveys = {s.wave: s for s in selectors.program_surveys(program)}
    rows = []
    for wave in WAVE_ORDER:
        survey = surveys.get(wave)
        version = selectors.current_version(survey) if survey else None
        rows.append(
            WaveRow(
                wave=wave,
                label=Wave(wave).label,
                survey=survey,
                version=version.number if version else None,
                questions=version.questions.count() if version else 0,
                responses=SurveyResponse.objects.filter(survey=survey).count() if survey else 0,
            )
        )
    return rows


@dataclass(frozen=True)
class AnchorItem:
    key: str
    text: str


def anchor_items(program: Program) -> list[AnchorItem]:
    """The anchor items asked in the program's surveys, each with the words of its question."""
    texts: dict[str, str] = {}
    for survey in selectors.program_surveys(program):
        for key, text in (
            selectors.current_questions(survey)
            .exclude(anchor_key="")
            .values_list("anchor_key", "text")
        ):
            texts.setdefault(key, text)
    return [AnchorItem(key, texts[key]) for key in sorted(texts)]


def anchor_links(program: Program) -> dict[int, list[ObjectiveAnchor]]:
    links: dict[int, list[ObjectiveAnchor]] = {}
    for link in ObjectiveAnchor.objects.filter(objective__program=program).order_by("anchor_key"):
        links.setdefault(link.objective_id, []).append(link)
    return links


def objective_targets_update(
    *,
    membership: Membership,
    actor: User,
    objective: Objective,
    baseline: Decimal | None,
    target: Decimal,
    unit: str,
) -> Objective:
    """Baseline and target of an objective, on the scale of its anchor items, through the programs
    app's objective service."""
    program_policy.program_access(membership, objective.program).require(program_policy.MANAGE)
    values: Mapping[str, Any] = {"baseline": baseline, "target": target, "unit": unit}
    return content.objective_update(actor=actor, objective=objective, values=values)


# --- Preview ---------------------------------------------------------------------------------------


def preview_form(survey: Survey, role: str) -> AnswerForm:
    """The respondent's form of the survey's current version, for a mentor, a mentee, or every
    question ("all"): exactly what the answering pages render."""
    questions = list(selectors.current_questions(survey))
    return AnswerForm(questions_for(questions, role if role in ("mentor", "mentee") else None))
