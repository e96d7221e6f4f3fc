"""Writes on programs, their topic vocabulary and their coordinators.

Keyword-only, typed, atomic, validated, audited; views, API and demo data call these. Objectives,
charter and training live in `programs.content`; lifecycle moves in `programs.lifecycle`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.text import CONTROL_MESSAGE, has_control_character
from organizations.audit import log_action
from organizations.models import Membership, Organization, Role
from programs import access, hooks, selectors
from programs.models import (
    PROGRAM_DATES,
    PROGRAM_SETTINGS,
    CharterVersion,
    Objective,
    Program,
    ProgramCoordinator,
    ProgramStatus,
    Topic,
    TrainingResource,
)
from programs.validation import clean_terminology, validate_program

PROGRAM_FIELDS = frozenset(PROGRAM_SETTINGS)
COPY_SUFFIX = " (copy)"
ARCHIVABLE = (ProgramStatus.DRAFT, ProgramStatus.CLOSED)


# --- Topic vocabulary ------------------------------------------------------------------------------


def _clean_topic(name: str, description: str) -> tuple[str, str]:
    name, description = (name or "").strip(), (description or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Give the topic a name."
    elif len(name) > 80:
        errors["name"] = "Use at most 80 characters."
    elif has_control_character(name):
        errors["name"] = CONTROL_MESSAGE
    if len(description) > 300:
        errors["description"] = "Use at most 300 characters."
    if errors:
        raise ValidationError(errors)
    return name, description


def _ensure_unique_topic(name: str, *, exclude: Topic | None = None) -> None:
    same = Topic.objects.filter(name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise ValidationError({"name": f"The vocabulary already has “{name}”."})


def topic_create(
    *, organization: Organization, actor: User, name: str, description: str = ""
) -> Topic:
    name, description = _clean_topic(name, description)
    _ensure_unique_topic(name)
    try:
        with transaction.atomic():
            topic = Topic.objects.create(
                organization=organization, name=name, description=description
            )
            log_action(actor=actor, action="topic.created", target=topic, data={"name": name})
    except IntegrityError:
        raise ValidationError({"name": f"The vocabulary already has “{name}”."}) from None
    return topic


def topic_update(*, actor: User, topic: Topic, name: str, description: str = "") -> Topic:
    name, description = _clean_topic(name, description)
    _ensure_unique_topic(name, exclude=topic)
    previous = topic.name
    try:
        with transaction.atomic():
            topic.name, topic.description = name, description
            topic.save(update_fields=["name", "description"])
            log_action(
                actor=actor,
                action="topic.updated",
                target=topic,
                data={"from": previous, "to": name},
            )
    except IntegrityError:
        raise ValidationError({"name": f"The vocabulary already has “{name}”."}) from None
    return topic


def topic_set_active(*, actor: User, topic: Topic, is_active: bool) -> Topic:
    """Deactivated topics stay on the programs and profiles that use them but are not offered
    for new choices (deleting would silently rewrite history)."""
    if topic.is_active == is_active:
        return topic
    with transaction.atomic():
        topic.is_active = is_active
        topic.save(update_fields=["is_active"])
        log_action(
            actor=actor,
            action="topic.activated" if is_active else "topic.deactivated",
            target=topic,
        )
    return topic


# --- Programs --------------------------------------------------------------------------------------


def _apply_values(program: Program, values: Mapping[str, Any]) -> list[str]:
    unknown = set(values) - PROGRAM_FIELDS
    if unknown:
        raise ValueError(f"Not program settings: {sorted(unknown)}")
    changed = []
    for field, value in values.items():
        if field == "name" and isinstance(value, str):
            value = value.strip()
        if field == "terminology" and isinstance(value, dict):
            value = clean_terminology(value)
        if getattr(program, field) != value:
            changed.append(field)
        setattr(program, field, value)
    return sorted(changed)


def _set_focus_topics(program: Program, topics: Iterable[Topic]) -> list[int]:
    """Replace the focus topics. Topics must be this organisation's; a deactivated topic may stay
    but not be newly added."""
    topics = list(topics)
    foreign = [t for t in topics if t.organization_id != program.organization_id]
    if foreign:
        raise ValidationError(
            {"focus_topics": "Choose topics from this organisation's vocabulary."}
        )
    current = set(program.focus_topics.values_list("pk", flat=True)) if program.pk else set()
    retired = [t.name for t in topics if not t.is_active and t.pk not in current]
    if retired:
        raise ValidationError(
            {"focus_topics": f"No longer in the vocabulary: {', '.join(sorted(retired))}."}
        )
    program.focus_topics.set(topics, through_defaults={"organization_id": program.organization_id})
    return sorted(t.pk for t in topics)


def _is_coordinator(user: User) -> bool:
    return Membership.objects.filter(user=user, role=Role.COORDINATOR).exists()


def program_create(
    *,
    organization: Organization,
    actor: User,
    values: Mapping[str, Any],
    focus_topics: Iterable[Topic] = (),
) -> Program:
    """A new draft program. A coordinator who creates one is assigned to it (else they could not
    see it)."""
    program = Program(organization=organization, created_by=actor, status=ProgramStatus.DRAFT)
    _apply_values(program, values)
    validate_program(program)
    with transaction.atomic():
        program.save()
        topic_ids = _set_focus_topics(program, focus_topics)
        if _is_coordinator(actor):
            ProgramCoordinator.objects.create(
                organization=organization, program=program, user=actor
            )
        log_action(
            actor=actor,
            action="program.created",
            target=program,
            data={"name": program.name, "focus_topics": topic_ids},
        )
    return program


def program_update(
    *,
    actor: User,
    program: Program,
    values: Mapping[str, Any],
    focus_topics: Iterable[Topic] | None = None,
) -> Program:
    """Change settings (only the keys given) and, when given, the focus topics."""
    if program.archived_at is not None:
        raise ValidationError("Unarchive the program to change it.")
    changed = _apply_values(program, values)
    validate_program(program)
    with transaction.atomic():
        program.updated_at = timezone.now()
        program.save()
        data: dict[str, Any] = {"changed": changed}
        if focus_topics is not None:
            data["focus_topics"] = _set_focus_topics(program, focus_topics)
        log_action(actor=actor, action="program.updated", target=program, data=data)
        if set(changed) & SCHEDULE_FIELDS:
            hooks.schedule_changed.send(sender=Program, program=program)
    return program


# The settings the program's schedule is computed from: its pairs' check-in calendars, survey
# waves, and engagement scores (the session cadence sets when a pair counts as quiet).
SCHEDULE_FIELDS = frozenset(
    {"start_date", "end_date", "checkin_cadence_days", "session_cadence_days", "time_zone"}
)


def _copy_name(name: str) -> str:
    limit = Program._meta.get_field("name").max_length or 200
    return name[: limit - len(COPY_SUFFIX)] + COPY_SUFFIX


def program_duplicate(*, actor: User, program: Program) -> Program:
    """A draft copy for the next cohort: settings, focus topics, objectives, training, coordinators
    and the current charter text (as v1 of the copy). Not enrolments, not history.

    Dates are cleared rather than shifted: the next cohort's calendar is a decision, and a shifted
    date could silently land in the past or on a holiday.
    """
    organization_id = program.organization_id
    with transaction.atomic():
        # Every setting but the dates, which are cleared (see above).
        settings = {
            field: getattr(program, field)
            for field in PROGRAM_SETTINGS
            if field not in PROGRAM_DATES
        }
        settings["name"] = _copy_name(program.name)
        settings["terminology"] = dict(program.terminology or {})
        copy = Program(
            organization_id=organization_id,
            duplicated_from=program,
            created_by=actor,
            **settings,
        )
        copy.save()
        copy.focus_topics.set(
            program.focus_topics.all(), through_defaults={"organization_id": organization_id}
        )
        Objective.objects.bulk_create(
            Objective(
                organization_id=organization_id,
                program=copy,
                statement=o.statement,
                audience=o.audience,
                measure=o.measure,
                baseline=o.baseline,
                target=o.target,
                unit=o.unit,
                position=o.position,
            )
            for o in selectors.objective_list(program=program)
        )
        TrainingResource.objects.bulk_create(
            TrainingResource(
                organization_id=organization_id,
                program=copy,
                title=r.title,
                audience=r.audience,
                url=r.url,
                body=r.body,
                estimated_minutes=r.estimated_minutes,
                required=r.required,
                position=r.position,
            )
            for r in selectors.training_list(program=program)
        )
        charter = selectors.current_charter(program=program)
        if charter is not None:
            CharterVersion.objects.create(
                organization_id=organization_id,
                program=copy,
                version=1,
                body=charter.body,
                change_note=f"Copied from “{program.name}” v{charter.version}.",
                published_by=actor,
            )
        coordinator_ids = set(
            selectors.coordinator_list(program=program).values_list("user_id", flat=True)
        )
        if _is_coordinator(actor):
            coordinator_ids.add(actor.pk)
        ProgramCoordinator.objects.bulk_create(
            ProgramCoordinator(organization_id=organization_id, program=copy, user_id=user_id)
            for user_id in sorted(coordinator_ids)
        )
        log_action(
            actor=actor,
            action="program.duplicated",
            target=copy,
            data={"from": program.pk, "name": copy.name},
        )
    return copy


def program_archive(*, actor: User, program: Program) -> Program:
    """Hide a program from the default lists. Only draft or closed programs: a running program
    must be closed first so nobody loses sight of live pairs."""
    if program.archived_at is not None:
        return program
    if program.status not in ARCHIVABLE:
        raise ValidationError(
            {"status": "Only draft or closed programs can be archived; close it first."}
        )
    with transaction.atomic():
        program.archived_at = timezone.now()
        program.save(update_fields=["archived_at"])
        log_action(actor=actor, action="program.archived", target=program)
    return program


def program_unarchive(*, actor: User, program: Program) -> Program:
    if program.archived_at is None:
        return program
    with transaction.atomic():
        program.archived_at = None
        program.save(update_fields=["archived_at"])
        log_action(actor=actor, action="program.unarchived", target=program)
    return program


# --- Coordinators ----------------------------------------------------------------------------------


def coordinator_assign(*, actor: User, program: Program, user: User) -> ProgramCoordinator:
    """Assign a member with the coordinator role (admins see every program anyway)."""
    access.require(actor, program, access.ASSIGN_COORDINATORS)
    if not Membership.objects.filter(user=user, role=Role.COORDINATOR).exists():
        raise ValidationError(
            {"user": "Only members with the coordinator role can coordinate a program."}
        )
    if ProgramCoordinator.objects.filter(program=program, user=user).exists():
        raise ValidationError({"user": f"{user.email} already coordinates this program."})
    try:
        with transaction.atomic():
            assignment = ProgramCoordinator.objects.create(
                organization_id=program.organization_id, program=program, user=user
            )
            log_action(
                actor=actor,
                action="program.coordinator_assigned",
                target=program,
                data={"user": user.pk, "email": user.email},
            )
    except IntegrityError:
        raise ValidationError({"user": f"{user.email} already coordinates this program."}) from None
    return assignment


def coordinator_remove(*, actor: User, assignment: ProgramCoordinator) -> None:
    access.require(actor, assignment.program, access.ASSIGN_COORDINATORS)
    with transaction.atomic():
        log_action(
            actor=actor,
            action="program.coordinator_removed",
            target=assignment.program,
            data={"user": assignment.user_id, "email": assignment.user.email},
        )
        assignment.delete()
