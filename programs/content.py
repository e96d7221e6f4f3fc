"""Writes on what a program contains: objectives, the charter and training resources.

Same contract as `programs.services`: keyword-only, typed, atomic, validated, audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model

from accounts.models import User
from organizations.audit import log_action
from programs import selectors
from programs.models import (
    CharterVersion,
    Objective,
    Program,
    ProgramStatus,
    TrainingResource,
)

OBJECTIVE_FIELDS = frozenset({"statement", "audience", "measure", "baseline", "target", "unit"})
TRAINING_FIELDS = frozenset({"title", "audience", "url", "body", "estimated_minutes", "required"})
CHARTER_MAX_LENGTH = 50_000
# Set by services, never typed in: skipped by full_clean (saves a lookup each).
_RELATIONS = ["organization", "program"]


def _apply(instance: Model, allowed: frozenset[str], values: Mapping[str, Any]) -> list[str]:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    changed = []
    for field, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(instance, field) != value:
            changed.append(field)
        setattr(instance, field, value)
    return sorted(changed)


def _next_position(model: type[Objective] | type[TrainingResource], program: Program) -> int:
    last = model.objects.filter(program=program).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


# --- Objectives ------------------------------------------------------------------------------------


def objective_create(*, actor: User, program: Program, values: Mapping[str, Any]) -> Objective:
    objective = Objective(organization_id=program.organization_id, program=program)
    _apply(objective, OBJECTIVE_FIELDS, values)
    objective.full_clean(exclude=_RELATIONS)
    with transaction.atomic():
        objective.position = _next_position(Objective, program)
        objective.save()
        log_action(
            actor=actor,
            action="objective.created",
            target=objective,
            data={"program": program.pk, "statement": objective.statement},
        )
    return objective


def objective_update(*, actor: User, objective: Objective, values: Mapping[str, Any]) -> Objective:
    changed = _apply(objective, OBJECTIVE_FIELDS, values)
    objective.full_clean(exclude=_RELATIONS)
    with transaction.atomic():
        objective.save()
        log_action(
            actor=actor,
            action="objective.updated",
            target=objective,
            data={"program": objective.program_id, "changed": changed},
        )
    return objective


def objective_delete(*, actor: User, objective: Objective) -> None:
    """Past draft a program keeps at least one objective (enrolling required one)."""
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=objective.program_id)
        remaining = selectors.objective_list(program=program).exclude(pk=objective.pk)
        if program.status != ProgramStatus.DRAFT and not remaining.exists():
            raise ValidationError(
                "A program past draft keeps at least one objective; add another one first."
            )
        log_action(
            actor=actor,
            action="objective.deleted",
            target=objective,
            data={"program": program.pk, "statement": objective.statement},
        )
        objective.delete()


def objective_reorder(*, actor: User, program: Program, order: Sequence[int]) -> list[Objective]:
    """Put the program's objectives in this order; ``order`` lists each of their ids once."""
    with transaction.atomic():
        objectives = {
            o.pk: o for o in selectors.objective_list(program=program).select_for_update()
        }
        if len(order) != len(set(order)) or set(order) != set(objectives):
            raise ValidationError({"order": "List each objective of this program exactly once."})
        for position, pk in enumerate(order):
            objectives[pk].position = position
        Objective.objects.bulk_update(objectives.values(), ["position"])
        log_action(
            actor=actor,
            action="objective.reordered",
            target=program,
            data={"order": list(order)},
        )
    return [objectives[pk] for pk in order]


def objective_move(*, actor: User, objective: Objective, direction: str) -> list[Objective]:
    """One step up or down (the buttons that work without JavaScript)."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move up or down."})
    program = objective.program
    ids = list(selectors.objective_list(program=program).values_list("pk", flat=True))
    index = ids.index(objective.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return objective_reorder(actor=actor, program=program, order=ids)


# --- Charter ---------------------------------------------------------------------------------------


def charter_publish(
    *, actor: User, program: Program, body: str, change_note: str = ""
) -> CharterVersion:
    """Publish a new, immutable version (last + 1). It becomes current at once, and participants
    are asked to accept it again."""
    body, change_note = (body or "").strip(), (change_note or "").strip()
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        current = selectors.current_charter(program=locked)
        errors: dict[str, str] = {}
        if locked.status == ProgramStatus.CLOSED:
            errors["body"] = "The charter of a closed program can no longer change."
        elif not body:
            errors["body"] = "Write the ground rules and confidentiality charter."
        elif len(body) > CHARTER_MAX_LENGTH:
            errors["body"] = f"Use at most {CHARTER_MAX_LENGTH:,} characters."
        elif current is not None and current.body == body:
            errors["body"] = f"The text is the same as the current version (v{current.version})."
        if current is not None and not change_note:
            errors["change_note"] = "Say what changed: participants are asked to accept it again."
        elif len(change_note) > 300:
            errors["change_note"] = "Use at most 300 characters."
        if errors:
            raise ValidationError(errors)
        version = CharterVersion.objects.create(
            organization_id=locked.organization_id,
            program=locked,
            version=1 if current is None else current.version + 1,
            body=body,
            change_note=change_note,
            published_by=actor,
        )
        log_action(
            actor=actor,
            action="charter.published",
            target=version,
            data={"program": locked.pk, "version": version.version},
        )
    return version


# --- Training --------------------------------------------------------------------------------------


def _clean_training(resource: TrainingResource) -> None:
    errors: dict[str, list[str]] = {}
    try:
        resource.full_clean(exclude=_RELATIONS, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not resource.url and not resource.body:
        errors.setdefault("url", []).append("Give a link, a text, or both.")
    if errors:
        raise ValidationError(errors)


def training_create(
    *, actor: User, program: Program, values: Mapping[str, Any]
) -> TrainingResource:
    resource = TrainingResource(organization_id=program.organization_id, program=program)
    _apply(resource, TRAINING_FIELDS, values)
    _clean_training(resource)
    with transaction.atomic():
        resource.position = _next_position(TrainingResource, program)
        resource.save()
        log_action(
            actor=actor,
            action="training.created",
            target=resource,
            data={"program": program.pk, "title": resource.title},
        )
    return resource


def training_update(
    *, actor: User, resource: TrainingResource, values: Mapping[str, Any]
) -> TrainingResource:
    changed = _apply(resource, TRAINING_FIELDS, values)
    _clean_training(resource)
    with transaction.atomic():
        resource.save()
        log_action(
            actor=actor,
            action="training.updated",
            target=resource,
            data={"program": resource.program_id, "changed": changed},
        )
    return resource


def training_delete(*, actor: User, resource: TrainingResource) -> None:
    with transaction.atomic():
        log_action(
            actor=actor,
            action="training.deleted",
            target=resource,
            data={"program": resource.program_id, "title": resource.title},
        )
        resource.delete()
