"""Writes of the survey builder: templates, program surveys copied from them, their questions, and
objectives linked to anchor items. Keyword-only, typed, atomic, validated, audited; each takes the
``actor`` and asks ``surveys.access`` again (``None`` is the system).

**Versioning** (the issue's "a survey with answers is never edited in place"): every question
change goes through ``_change_questions``. It locks the survey; when the current version already
has a ``SurveyResponse`` it first copies that version (number + 1, every question) and applies the
change to the copy, so old answers stay with the questions they answered. A program survey that
gets a new version sends ``surveys.signals.program_survey_changed``, as it does when it is created
or its settings change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.text import CONTROL_MESSAGE, has_control_character
from organizations.audit import log_action
from organizations.models import Organization
from programs import access as program_policy
from programs.models import Objective, Program
from surveys import access as policy
from surveys import library
from surveys.builder.validation import QUESTION_FIELDS, clean_question
from surveys.models import (
    ObjectiveAnchor,
    Question,
    Survey,
    SurveyResponse,
    SurveyVersion,
    Wave,
)
from surveys.selectors import current_version, program_anchor_keys, program_surveys
from surveys.signals import program_survey_changed

TITLE_MAX, INTRO_MAX = 200, 2000
OPEN_DAYS_MIN, OPEN_DAYS_MAX = 3, 60
TEMPLATE_SETTINGS = frozenset({"title", "intro", "wave", "anonymous", "open_days"})
PROGRAM_SETTINGS = frozenset({"title", "intro", "anonymous", "open_days"})
ANONYMITY_LOCKED = (
    "This survey already has answers: whether it is anonymous can no longer change, or answers "
    "given under one promise would be shown under another."
)


def _changed(survey: Survey) -> None:
    """Tell the waves planner (inside the transaction) that a program survey changed."""
    if survey.program_id is not None:
        program_survey_changed.send(sender=Survey, survey=survey)


def _require_manage(actor: User | None, survey: Survey) -> None:
    """Templates are the admins' (the policy's own words for them); a program survey its staff's."""
    permission = policy.TEMPLATE_MANAGE if survey.is_template else policy.MANAGE
    policy.require(actor, survey, permission)


def _has_responses(survey: Survey) -> bool:
    return SurveyResponse.objects.filter(survey=survey).exists()


# --- Settings ------------------------------------------------------------------------------------


def _clean_settings(
    survey: Survey | None, values: Mapping[str, Any], allowed: frozenset[str]
) -> dict[str, Any]:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError({unknown[0]: "This cannot be changed here."})
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if "title" in values:
        title = values["title"].strip() if isinstance(values["title"], str) else ""
        if not title:
            errors["title"] = "Give the survey a title."
        elif len(title) > TITLE_MAX:
            errors["title"] = f"Keep the title to {TITLE_MAX} characters (it has {len(title)})."
        elif has_control_character(title):
            errors["title"] = CONTROL_MESSAGE
        clean["title"] = title
    if "intro" in values:
        intro = values["intro"].strip() if isinstance(values["intro"], str) else None
        if intro is None:
            errors["intro"] = "Write the introduction as text."
        elif len(intro) > INTRO_MAX:
            errors["intro"] = (
                f"Keep the introduction to {INTRO_MAX} characters (it has {len(intro)})."
            )
        clean["intro"] = intro or ""
    if "wave" in values:
        if values["wave"] not in Wave.values:
            errors["wave"] = f"Choose a wave: {', '.join(Wave.labels)}."
        clean["wave"] = values["wave"]
    if "anonymous" in values:
        anonymous = values["anonymous"]
        if not isinstance(anonymous, bool):
            errors["anonymous"] = "Say whether the survey is anonymous (true or false)."
        elif survey is not None and anonymous != survey.anonymous and _has_responses(survey):
            errors["anonymous"] = ANONYMITY_LOCKED
        clean["anonymous"] = anonymous
    if "open_days" in values:
        days = values["open_days"]
        if (
            isinstance(days, bool)
            or not isinstance(days, int)
            or not (OPEN_DAYS_MIN <= days <= OPEN_DAYS_MAX)
        ):
            errors["open_days"] = (
                f"Keep a survey open from {OPEN_DAYS_MIN} to {OPEN_DAYS_MAX} days after it is sent."
            )
        clean["open_days"] = days
    if errors:
        raise ValidationError(errors)
    return clean


def template_create(
    *,
    organization: Organization,
    actor: User | None,
    wave: str,
    title: str,
    intro: str = "",
    anonymous: bool = False,
    open_days: int = 14,
) -> Survey:
    """A new, empty template of the organisation (questions are added next)."""
    policy.require_template(actor, policy.TEMPLATE_MANAGE)
    values = _clean_settings(
        None,
        {
            "wave": wave,
            "title": title,
            "intro": intro,
            "anonymous": anonymous,
            "open_days": open_days,
        },
        TEMPLATE_SETTINGS,
    )
    with transaction.atomic():
        survey = Survey.objects.create(organization=organization, created_by=actor, **values)
        log_action(actor=actor, action="survey.template.create", target=survey, data=values)
    return survey


def survey_update_settings(
    *, actor: User | None, survey: Survey, values: Mapping[str, Any]
) -> Survey:
    """Title, introduction, anonymity, open days (and the wave, for a template). Anonymity is
    locked once the survey has answers."""
    _require_manage(actor, survey)
    allowed = TEMPLATE_SETTINGS if survey.is_template else PROGRAM_SETTINGS
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        clean = _clean_settings(locked, values, allowed)
        changed = sorted(name for name, value in clean.items() if getattr(locked, name) != value)
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.save()
        log_action(actor=actor, action="survey.settings", target=locked, data={"changed": changed})
        if changed:
            _changed(locked)
    return locked


def template_set_active(*, actor: User | None, survey: Survey, active: bool) -> Survey:
    """Archive a template (it leaves the list of templates to copy) or bring it back. Program
    surveys already copied from it keep their questions."""
    _require_manage(actor, survey)
    if not survey.is_template:
        raise ValidationError("Only templates are archived; a program's survey stays with it.")
    with transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(is_active=active, updated_at=timezone.now())
        survey.refresh_from_db()
        log_action(
            actor=actor,
            action="survey.template.unarchive" if active else "survey.template.archive",
            target=survey,
        )
    return survey


# --- Questions, through one versioning service -----------------------------------------------------


@dataclass(frozen=True)
class Editable:
    """The version a change applies to, and where each question of the current version is in it
    (the same rows, or their copies when a new version was made)."""

    version: SurveyVersion
    questions: dict[int, Question]
    new_version: bool


def _copy_version(
    source: SurveyVersion, *, number: int, survey: Survey, actor: User | None
) -> Editable:
    version = SurveyVersion.objects.create(
        organization_id=survey.organization_id, survey=survey, number=number, created_by=actor
    )
    mapping: dict[int, Question] = {}
    originals = list(source.questions.order_by("position", "id"))
    copies = [
        Question(
            organization_id=survey.organization_id,
            version=version,
            position=position,
            **{name: getattr(original, name) for name in QUESTION_FIELDS},
        )
        for position, original in enumerate(originals)
    ]
    Question.objects.bulk_create(copies)
    for original, copy in zip(originals, copies, strict=True):
        mapping[original.pk] = copy
    return Editable(version=version, questions=mapping, new_version=True)


def _editable(survey: Survey, actor: User | None) -> Editable:
    current = current_version(survey)
    if current is None:
        version = SurveyVersion.objects.create(
            organization_id=survey.organization_id, survey=survey, number=1, created_by=actor
        )
        return Editable(version=version, questions={}, new_version=False)
    if SurveyResponse.objects.filter(version=current).exists():
        return _copy_version(current, number=current.number + 1, survey=survey, actor=actor)
    questions = {q.pk: q for q in current.questions.order_by("position", "id")}
    return Editable(version=current, questions=questions, new_version=False)


def _change_questions[T](
    *,
    actor: User | None,
    survey: Survey,
    action: str,
    change: Callable[[Editable], tuple[T, dict[str, Any]]],
) -> T:
    """The one way questions change: lock the survey, take the version a change may touch (a copy
    when the current one has answers), apply ``change``, audit, tell the planner of a new
    version."""
    _require_manage(actor, survey)
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        editable = _editable(locked, actor)
        result, data = change(editable)
        Survey.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
        log_action(
            actor=actor,
            action=action,
            target=locked,
            data={**data, "version": editable.version.number, "new_version": editable.new_version},
        )
        if editable.new_version:
            _changed(locked)
    return result


def _target(editable: Editable, question: Question) -> Question:
    """``question`` (of the current version) in the version being changed."""
    found = editable.questions.get(question.pk)
    if found is None:
        raise ValidationError("This question is not in the survey's current version.")
    return found


def _taken(editable: Editable, *, besides: Question | None = None) -> set[str]:
    return {
        q.anchor_key
        for q in editable.questions.values()
        if q.anchor_key and (besides is None or q.pk != besides.pk)
    }


def _positions(editable: Editable) -> list[Question]:
    return sorted(editable.questions.values(), key=lambda q: (q.position, q.pk))


def _renumber(ordered: Sequence[Question]) -> None:
    for position, question in enumerate(ordered):
        question.position = position
    Question.objects.bulk_update(ordered, ["position"])


def question_add(
    *, actor: User | None, survey: Survey, values: Mapping[str, Any], position: int | None = None
) -> Question:
    """Add a question (at the end, or before ``position``)."""

    def change(editable: Editable) -> tuple[Question, dict[str, Any]]:
        clean = clean_question(values, taken_anchor_keys=_taken(editable))
        ordered = _positions(editable)
        question = Question.objects.create(
            organization_id=survey.organization_id,
            version=editable.version,
            position=len(ordered),
            **clean,
        )
        if position is not None and 0 <= position < len(ordered):
            ordered.insert(position, question)
            _renumber(ordered)
        return question, {"question": question.pk, "kind": question.kind}

    return _change_questions(
        actor=actor, survey=survey, action="survey.question.add", change=change
    )


def question_update(
    *, actor: User | None, survey: Survey, question: Question, values: Mapping[str, Any]
) -> Question:
    """Edit a question of the current version (its copy, when the version has answers). Fields
    not in ``values`` keep their value."""

    def change(editable: Editable) -> tuple[Question, dict[str, Any]]:
        target = _target(editable, question)
        merged = {name: getattr(target, name) for name in QUESTION_FIELDS}
        merged.update(values)
        clean = clean_question(merged, taken_anchor_keys=_taken(editable, besides=target))
        changed = sorted(name for name, value in clean.items() if getattr(target, name) != value)
        for name, value in clean.items():
            setattr(target, name, value)
        target.save()
        return target, {"question": target.pk, "changed": changed}

    return _change_questions(
        actor=actor, survey=survey, action="survey.question.update", change=change
    )


def question_delete(*, actor: User | None, survey: Survey, question: Question) -> None:
    def change(editable: Editable) -> tuple[None, dict[str, Any]]:
        target = _target(editable, question)
        data = {"question": target.pk, "text": target.text}
        target.delete()
        _renumber([q for q in _positions(editable) if q.pk != target.pk])
        return None, data

    _change_questions(actor=actor, survey=survey, action="survey.question.delete", change=change)


def question_reorder(*, actor: User | None, survey: Survey, order: Sequence[int]) -> list[Question]:
    """Put the current version's questions in this order (``order`` lists each of their ids once)."""

    def change(editable: Editable) -> tuple[list[Question], dict[str, Any]]:
        if len(order) != len(set(order)) or set(order) != set(editable.questions):
            raise ValidationError({"order": "List each question of the survey exactly once."})
        ordered = [editable.questions[pk] for pk in order]
        _renumber(ordered)
        return ordered, {"order": [q.pk for q in ordered]}

    return _change_questions(
        actor=actor, survey=survey, action="survey.question.reorder", change=change
    )


def question_move(
    *, actor: User | None, survey: Survey, question: Question, direction: str
) -> list[Question]:
    """One step up or down (the buttons that work without JavaScript)."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move up or down."})
    version = current_version(survey)
    ids = (
        list(version.questions.order_by("position", "id").values_list("pk", flat=True))
        if version
        else []
    )
    if question.pk not in ids:
        raise ValidationError("This question is not in the survey's current version.")
    index = ids.index(question.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return question_reorder(actor=actor, survey=survey, order=ids)


# --- Program surveys ---------------------------------------------------------------------------------


def _wave_taken(program: Program, wave: str) -> Survey | None:
    return Survey.objects.filter(program=program, wave=wave).first()


def survey_from_template(
    *, actor: User | None, program: Program, template: Survey, wave: str | None = None
) -> Survey:
    """Copy ``template`` (its current questions) into ``program`` as its survey for ``wave``
    (the template's own wave by default). One survey per program and wave."""
    program_policy.require_program_staff(actor, program)
    if not template.is_template:
        raise ValidationError({"template": "Choose one of the organisation's survey templates."})
    wave = wave or template.wave
    if wave not in Wave.values:
        raise ValidationError({"wave": f"Choose a wave: {', '.join(Wave.labels)}."})
    if _wave_taken(program, wave) is not None:
        raise ValidationError(
            {
                "wave": f"This program already has its {Wave(wave).label.lower()} survey: edit it "
                "instead."
            }
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                survey = Survey.objects.create(
                    organization_id=program.organization_id,
                    program=program,
                    wave=wave,
                    title=template.title,
                    intro=template.intro,
                    anonymous=template.anonymous,
                    open_days=template.open_days,
                    copied_from=template,
                    library_key=template.library_key,
                    created_by=actor,
                )
        except IntegrityError:
            raise ValidationError(
                {"wave": "This program already has a survey for this wave: edit it instead."}
            ) from None
        source = current_version(template)
        if source is None:
            SurveyVersion.objects.create(
                organization_id=program.organization_id, survey=survey, number=1, created_by=actor
            )
        else:
            _copy_version(source, number=1, survey=survey, actor=actor)
        log_action(
            actor=actor,
            action="survey.copy_into_program",
            target=survey,
            data={"program": program.pk, "template": template.pk, "wave": wave},
        )
        _changed(survey)
    return survey


def use_recommended(*, actor: User | None, program: Program) -> list[Survey]:
    """The one click: copy the shipped template of every wave the program has no survey for yet
    (installing the shipped templates first if the organisation has not)."""
    program_policy.require_program_staff(actor, program)
    with transaction.atomic():
        # Shipped content, installed by the system: a coordinator may use it without editing the
        # organisation's templates.
        library.install_library(organization=program.organization, actor=None)
        shipped = {
            s.library_key: s
            for s in Survey.objects.filter(
                program__isnull=True, library_key__in=list(library.LIBRARY)
            )
        }
        taken = {s.wave for s in program_surveys(program)}
        created = []
        for wave, key in library.LIBRARY_KEY_BY_WAVE.items():
            if wave in taken or key not in shipped:
                continue
            created.append(
                survey_from_template(actor=actor, program=program, template=shipped[key], wave=wave)
            )
    return created


# --- Objectives measured by anchor items ----------------------------------------------------------


def objective_anchor_link(
    *, actor: User | None, objective: Objective, anchor_key: str
) -> ObjectiveAnchor:
    """Measure ``objective`` by an anchor item asked in its program's surveys."""
    program = objective.program
    program_policy.require_program_staff(actor, program)
    key = anchor_key.strip() if isinstance(anchor_key, str) else ""
    if key not in program_anchor_keys(program):
        raise ValidationError(
            {"anchor_key": "Choose an anchor item asked in this program's surveys."}
        )
    if ObjectiveAnchor.objects.filter(objective=objective, anchor_key=key).exists():
        raise ValidationError({"anchor_key": "This objective is already measured by that item."})
    with transaction.atomic():
        try:
            with transaction.atomic():
                link = ObjectiveAnchor.objects.create(
                    organization_id=objective.organization_id, objective=objective, anchor_key=key
                )
        except IntegrityError:
            raise ValidationError(
                {"anchor_key": "This objective is already measured by that item."}
            ) from None
        log_action(
            actor=actor,
            action="objective.anchor.link",
            target=objective,
            data={"program": program.pk, "anchor_key": key},
        )
    return link


def objective_anchor_unlink(*, actor: User | None, link: ObjectiveAnchor) -> None:
    objective = link.objective
    program_policy.require_program_staff(actor, objective.program)
    with transaction.atomic():
        log_action(
            actor=actor,
            action="objective.anchor.unlink",
            target=objective,
            data={"program": objective.program_id, "anchor_key": link.anchor_key},
        )
        link.delete()
