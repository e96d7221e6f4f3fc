"""A program's registration form: the custom questions admins configure, and a participant's
answers to them plus the built-in profile fields (skills, interests, availability, meeting format,
languages, time zone, a mentor's own capacity).

Pages and API hand plain data to ``registration_save``/``question_create``; validation lives here
once, and errors come back as a ``ValidationError`` keyed by field (``answers.<question id>`` for
custom questions) so both the form and the API show them next to the right input.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from accounts.models import User
from core.timezones import time_zone_names
from organizations.audit import log_action
from participants import access, directory
from participants.models import (
    Enrollment,
    EnrollmentRole,
    EnrollmentSkill,
    MatchingUse,
    MeetingFormat,
    QuestionKind,
    RegistrationQuestion,
    SkillDirection,
)
from participants.participation import PARTICIPATING_STATUSES, audience_of
from programs.models import Audience, Program, Topic

MAX_WINDOWS = 14
MAX_TEXT_ANSWER = 500
MAX_CHOICES = 20
MAX_CHOICE_LENGTH = 100
SCALE_LIMIT = 10
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


# --- Questions (configured by admins and coordinators) ------------------------------------------


@dataclass
class QuestionInput:
    text: str
    kind: str
    help_text: str = ""
    choices: list[str] = field(default_factory=list)
    scale_min: int = 1
    scale_max: int = 5
    required: bool = False
    audience: str = Audience.BOTH
    matching_use: str = MatchingUse.NONE


def question_list(program: Program) -> QuerySet[RegistrationQuestion]:
    return RegistrationQuestion.objects.filter(program=program).order_by("position", "id")


def questions_for(program: Program, role: str) -> list[RegistrationQuestion]:
    return list(question_list(program).filter(audience__in=(Audience.BOTH, audience_of(role))))


def _clean_question(data: QuestionInput) -> QuestionInput:
    errors: dict[str, list[str]] = {}
    text = (data.text or "").strip()
    if not text:
        errors["text"] = ["Write the question."]
    elif len(text) > 300:
        errors["text"] = ["Use at most 300 characters."]
    if len(data.help_text or "") > 300:
        errors["help_text"] = ["Use at most 300 characters."]
    if data.kind not in QuestionKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(QuestionKind.values)}."]
    if data.audience not in Audience.values:
        errors["audience"] = [f"Choose one of: {', '.join(Audience.values)}."]
    if data.matching_use not in MatchingUse.values:
        errors["matching_use"] = [f"Choose one of: {', '.join(MatchingUse.values)}."]
    elif data.kind == QuestionKind.SHORT_TEXT and data.matching_use != MatchingUse.NONE:
        errors["matching_use"] = ["Free text cannot be compared for matching; choose “not used”."]
    choices = [str(c).strip() for c in data.choices if str(c).strip()]
    if data.kind in CHOICE_KINDS:
        if len(choices) < 2:
            errors["choices"] = ["Give at least two choices."]
        elif len(choices) > MAX_CHOICES:
            errors["choices"] = [f"Give at most {MAX_CHOICES} choices."]
        elif len({c.lower() for c in choices}) != len(choices):
            errors["choices"] = ["Each choice must be different."]
        elif any(len(c) > MAX_CHOICE_LENGTH for c in choices):
            errors["choices"] = [f"Keep each choice under {MAX_CHOICE_LENGTH} characters."]
    elif choices:
        errors["choices"] = ["Only choice questions have choices."]
    if data.kind == QuestionKind.SCALE and not (
        -SCALE_LIMIT <= data.scale_min < data.scale_max <= SCALE_LIMIT
    ):
        errors["scale_max"] = [
            f"The scale needs minimum < maximum, both between {-SCALE_LIMIT} and {SCALE_LIMIT}."
        ]
    if errors:
        raise ValidationError(errors)
    data.text, data.help_text = text, (data.help_text or "").strip()
    data.choices = choices if data.kind in CHOICE_KINDS else []
    if data.kind != QuestionKind.SCALE:
        data.scale_min, data.scale_max = 1, 5
    return data


def _question_fields(data: QuestionInput) -> dict[str, Any]:
    return {
        "text": data.text,
        "help_text": data.help_text,
        "kind": data.kind,
        "choices": data.choices,
        "scale_min": data.scale_min,
        "scale_max": data.scale_max,
        "required": data.required,
        "audience": data.audience,
        "matching_use": data.matching_use,
    }


def question_create(*, program: Program, actor: User, data: QuestionInput) -> RegistrationQuestion:
    data = _clean_question(data)
    with transaction.atomic():
        Program.objects.select_for_update().filter(pk=program.pk).first()
        last = question_list(program).aggregate(last=Max("position"))["last"]
        question = RegistrationQuestion.objects.create(
            organization_id=program.organization_id,
            program=program,
            position=0 if last is None else last + 1,
            **_question_fields(data),
        )
        log_action(
            actor=actor,
            action="registration_question.created",
            target=question,
            data={"program": program.pk, "text": question.text, "kind": question.kind},
        )
    return question


def question_update(
    *, question: RegistrationQuestion, actor: User, data: QuestionInput
) -> RegistrationQuestion:
    data = _clean_question(data)
    with transaction.atomic():
        for name, value in _question_fields(data).items():
            setattr(question, name, value)
        question.save()
        log_action(
            actor=actor,
            action="registration_question.updated",
            target=question,
            data={"program": question.program_id, "text": question.text},
        )
    return question


def question_delete(*, question: RegistrationQuestion, actor: User) -> None:
    """Remove a question; answers already given to it stay in the enrolments' history."""
    with transaction.atomic():
        log_action(
            actor=actor,
            action="registration_question.deleted",
            target=question,
            data={"program": question.program_id, "text": question.text},
        )
        question.delete()


def question_move(
    *, question: RegistrationQuestion, actor: User, direction: str
) -> RegistrationQuestion:
    """Move a question one place up or down; positions are renumbered 0..n-1."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move a question up or down."})
    with transaction.atomic():
        Program.objects.select_for_update().filter(pk=question.program_id).first()
        ordered = list(question_list(question.program))
        index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
        target = index - 1 if direction == "up" else index + 1
        if 0 <= target < len(ordered):
            ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, item in enumerate(ordered):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
        log_action(
            actor=actor,
            action="registration_question.moved",
            target=question,
            data={"program": question.program_id, "direction": direction},
        )
    return next(q for q in ordered if q.pk == question.pk)


# --- A participant's registration ----------------------------------------------------------------


@dataclass
class RegistrationInput:
    """Plain data from a form or JSON. Skill maps are ``{topic id: level 1-5}``."""

    teach: dict[Any, Any] = field(default_factory=dict)
    learn: dict[Any, Any] = field(default_factory=dict)
    interests: list[Any] = field(default_factory=list)
    availability: list[Any] = field(default_factory=list)
    meeting_format: str = MeetingFormat.EITHER
    languages: list[Any] = field(default_factory=list)
    time_zone: str = "UTC"
    max_mentees: Any = None
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass
class CleanRegistration:
    teach: dict[int, int]
    learn: dict[int, int]
    interests: list[int]
    availability: list[dict[str, Any]]
    meeting_format: str
    languages: list[str]
    time_zone: str
    max_mentees: int | None
    answers: dict[str, Any]


def registration_initial(enrollment: Enrollment) -> RegistrationInput:
    """The saved registration as input data (to prefill the form or answer GET)."""
    skills = list(EnrollmentSkill.objects.filter(enrollment=enrollment))
    return RegistrationInput(
        teach={s.topic_id: s.level for s in skills if s.direction == SkillDirection.TEACH},
        learn={s.topic_id: s.level for s in skills if s.direction == SkillDirection.LEARN},
        interests=list(enrollment.interests.values_list("pk", flat=True)),
        availability=list(enrollment.availability or []),
        meeting_format=enrollment.meeting_format,
        languages=list(enrollment.person.languages or []),
        time_zone=enrollment.person.time_zone,
        max_mentees=enrollment.max_mentees,
        answers=dict(enrollment.answers or {}),
    )


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,6}", value.strip()):
        return int(value.strip())
    return None


def _clean_skills(
    raw: Any, topic_ids: set[int], errors: dict[str, list[str]], key: str
) -> dict[int, int]:
    if not isinstance(raw, dict):
        errors[key] = ["Send an object of topic id to level (1-5)."]
        return {}
    cleaned: dict[int, int] = {}
    for topic, level in raw.items():
        topic_id, level_value = _as_int(topic), _as_int(level)
        if topic_id is None or topic_id not in topic_ids:
            errors.setdefault(key, []).append(f"Unknown topic “{topic}”.")
        elif level_value is None or not 1 <= level_value <= 5:
            errors.setdefault(key, []).append("Levels go from 1 (basic) to 5 (expert).")
        else:
            cleaned[topic_id] = level_value
    return cleaned


def _clean_availability(raw: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        errors["availability"] = ["Send a list of {weekday, start, end} windows."]
        return []
    if len(raw) > MAX_WINDOWS:
        errors["availability"] = [f"Give at most {MAX_WINDOWS} windows."]
        return []
    windows: list[dict[str, Any]] = []
    for number, window in enumerate(raw, start=1):
        if not isinstance(window, dict):
            errors.setdefault("availability", []).append(f"Window {number}: not a window.")
            continue
        weekday = _as_int(window.get("weekday"))
        start, end = str(window.get("start") or ""), str(window.get("end") or "")
        if weekday is None or not 0 <= weekday <= 6:
            errors.setdefault("availability", []).append(
                f"Window {number}: choose a weekday (0 Monday - 6 Sunday)."
            )
        elif not (_TIME.match(start) and _TIME.match(end)):
            errors.setdefault("availability", []).append(
                f"Window {number}: give start and end times as HH:MM."
            )
        elif start >= end:
            errors.setdefault("availability", []).append(
                f"Window {number}: the start must be before the end."
            )
        else:
            windows.append({"weekday": weekday, "start": start, "end": end})
    windows.sort(key=lambda w: (w["weekday"], w["start"]))
    for before, after in itertools.pairwise(windows):
        if before["weekday"] == after["weekday"] and after["start"] < before["end"]:
            errors.setdefault("availability", []).append("Two windows overlap on the same day.")
            break
    return windows


def _clean_languages(raw: Any, errors: dict[str, list[str]]) -> list[str]:
    """The same language codes as the directory and the import (one format everywhere)."""
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        errors["languages"] = ["Send a list of language codes."]
        return []
    try:
        return directory.parse_languages(raw)
    except ValidationError as error:
        errors["languages"] = list(error.messages)
        return []


def clean_answer(question: RegistrationQuestion, value: Any) -> tuple[Any, str | None]:
    """The stored form of one answer, or an error message. Blank answers become None/[]."""
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        values = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        if any(v not in question.choices for v in values):
            return None, "Choose from the listed options."
        if question.required and not values:
            return None, "Choose at least one option."
        return [c for c in question.choices if c in values], None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ("Answer this question." if question.required else None)
    if question.kind == QuestionKind.SINGLE_CHOICE:
        if value not in question.choices:
            return None, "Choose one of the listed options."
        return value, None
    if question.kind == QuestionKind.SCALE:
        number = _as_int(value)
        if number is None or not question.scale_min <= number <= question.scale_max:
            return None, f"Choose a number from {question.scale_min} to {question.scale_max}."
        return number, None
    if not isinstance(value, str):
        return None, "Write a text answer."
    text = value.strip()
    if len(text) > MAX_TEXT_ANSWER:
        return None, f"Use at most {MAX_TEXT_ANSWER} characters."
    return text, None


def registration_clean(*, enrollment: Enrollment, data: RegistrationInput) -> CleanRegistration:
    program = enrollment.program
    errors: dict[str, list[str]] = {}
    topic_ids = set(Topic.objects.filter(is_active=True).values_list("pk", flat=True))
    teach = _clean_skills(data.teach, topic_ids, errors, "teach")
    learn = _clean_skills(data.learn, topic_ids, errors, "learn")
    interests: list[int] = []
    raw_interests = data.interests if isinstance(data.interests, list) else [None]
    for topic in raw_interests:
        topic_id = _as_int(topic)
        if topic_id is None or topic_id not in topic_ids:
            errors.setdefault("interests", []).append(f"Unknown topic “{topic}”.")
        elif topic_id not in interests:
            interests.append(topic_id)
    availability = _clean_availability(data.availability, errors)
    if data.meeting_format not in MeetingFormat.values:
        errors["meeting_format"] = ["Choose in person, video or either."]
    languages = _clean_languages(data.languages, errors)
    if data.time_zone not in time_zone_names():
        errors["time_zone"] = ["Choose a time zone such as Europe/Paris."]
    max_mentees: int | None = None
    if enrollment.role == EnrollmentRole.MENTOR and data.max_mentees not in (None, ""):
        max_mentees = _as_int(data.max_mentees)
        if max_mentees is None or not 1 <= max_mentees <= program.max_mentees_per_mentor:
            errors["max_mentees"] = [
                f"Choose from 1 to {program.max_mentees_per_mentor} (the program's maximum)."
            ]
    answers: dict[str, Any] = {}
    raw_answers = data.answers if isinstance(data.answers, dict) else {}
    if not isinstance(data.answers, dict):
        errors["answers"] = ["Send an object of question id to answer."]
    questions = {str(q.pk): q for q in questions_for(program, enrollment.role)}
    unknown = [key for key in raw_answers if str(key) not in questions]
    if unknown:
        errors["answers"] = [f"Unknown question(s): {', '.join(map(str, unknown))}."]
    for key, question in questions.items():
        value, message = clean_answer(question, raw_answers.get(key))
        if message:
            errors[f"answers.{key}"] = [message]
        elif value not in (None, []):
            answers[key] = value
    if errors:
        raise ValidationError(errors)
    return CleanRegistration(
        teach=teach,
        learn=learn,
        interests=interests,
        availability=availability,
        meeting_format=data.meeting_format,
        languages=languages,
        time_zone=data.time_zone,
        max_mentees=max_mentees,
        answers=answers,
    )


def registration_save(
    *, enrollment: Enrollment, actor: User, data: RegistrationInput
) -> Enrollment:
    """Save the participant's own registration: all fields together, or nothing."""
    access.user_enrollment_access(actor, enrollment).require(access.EDIT_REGISTRATION)
    if enrollment.status not in PARTICIPATING_STATUSES:
        raise ValidationError(
            f"Your enrolment is {enrollment.get_status_display().lower()}; it cannot be changed."
        )
    clean = registration_clean(enrollment=enrollment, data=data)
    organization_id = enrollment.organization_id
    with transaction.atomic():
        enrollment.availability = clean.availability
        enrollment.meeting_format = clean.meeting_format
        enrollment.max_mentees = clean.max_mentees
        enrollment.answers = clean.answers
        enrollment.save(update_fields=["availability", "meeting_format", "max_mentees", "answers"])
        EnrollmentSkill.objects.filter(enrollment=enrollment).delete()
        EnrollmentSkill.objects.bulk_create(
            [
                EnrollmentSkill(
                    organization_id=organization_id,
                    enrollment=enrollment,
                    topic_id=topic_id,
                    direction=direction,
                    level=level,
                )
                for direction, levels in (
                    (SkillDirection.TEACH, clean.teach),
                    (SkillDirection.LEARN, clean.learn),
                )
                for topic_id, level in levels.items()
            ]
        )
        enrollment.interests.set(
            clean.interests, through_defaults={"organization_id": organization_id}
        )
        person = enrollment.person
        person.languages = clean.languages
        person.time_zone = clean.time_zone
        person.updated_at = timezone.now()
        person.save(update_fields=["languages", "time_zone", "updated_at"])
        log_action(
            actor=actor,
            action="enrollment.registration_saved",
            target=enrollment,
            data={"program": enrollment.program_id},
        )
    return enrollment


# --- Completeness --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completeness:
    done: list[str]
    missing: list[str]

    @property
    def percent(self) -> int:
        total = len(self.done) + len(self.missing)
        return round(100 * len(self.done) / total) if total else 100

    @property
    def complete(self) -> bool:
        return not self.missing


def profile_completeness(enrollment: Enrollment) -> Completeness:
    """Which parts of the registration are filled: the skills the role brings or seeks,
    availability, languages, and each required question of their audience."""
    return completeness_of(
        enrollment,
        has_skills=EnrollmentSkill.objects.filter(
            enrollment=enrollment, direction=skill_direction(enrollment.role)
        ).exists(),
        questions=questions_for(enrollment.program, enrollment.role),
    )


def skill_direction(role: str) -> str:
    """Mentors register the skills they can teach; mentees the skills they want to learn."""
    return SkillDirection.TEACH if role == EnrollmentRole.MENTOR else SkillDirection.LEARN


def completeness_of(
    enrollment: Enrollment,
    *,
    has_skills: bool,
    questions: list[RegistrationQuestion],
) -> Completeness:
    """The rule of :func:`profile_completeness` on facts already loaded (``questions``: those of
    the enrolment's audience), so that a page listing several enrolments loads them in bulk."""
    skill_label = (
        "Skills you can teach"
        if skill_direction(enrollment.role) == SkillDirection.TEACH
        else "Skills you want to learn"
    )
    # Interests are optional: the registration asks one question per topic (a level, or
    # "curious" for an interest), so the skills part already says the topics were gone through.
    parts: list[tuple[str, bool]] = [
        (skill_label, has_skills),
        ("Availability", bool(enrollment.availability)),
        ("Languages", bool(enrollment.person.languages)),
    ]
    answers = enrollment.answers or {}
    for question in questions:
        if question.required:
            parts.append((question.text, answers.get(str(question.pk)) not in (None, "", [])))
    return Completeness(
        done=[label for label, ok in parts if ok],
        missing=[label for label, ok in parts if not ok],
    )
