"""Field rules for programs that the model alone cannot express.

Services call `validate_program` before every save; pages and the API therefore show the same field
messages (a Django ``ValidationError`` keyed by field name).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from core.timezones import time_zone_names
from programs.models import Program, ProgramStatus

# Wording a program may override, and what the product calls it by default.
TERMINOLOGY_KEYS: dict[str, str] = {
    "program": "program",
    "mentor": "mentor",
    "mentee": "mentee",
    "pair": "pair",
    "session": "session",
    "check_in": "check-in",
}
TERM_MAX_LENGTH = 40


def valid_time_zones() -> frozenset[str]:
    return time_zone_names()


def _terminology_errors(terminology: Any) -> list[str]:
    if not isinstance(terminology, dict):
        return ["Give the terminology as an object of wording overrides."]
    errors = []
    unknown = sorted(set(terminology) - set(TERMINOLOGY_KEYS))
    if unknown:
        errors.append(
            f"Unknown terms: {', '.join(unknown)}. Allowed: {', '.join(TERMINOLOGY_KEYS)}."
        )
    for key, value in terminology.items():
        if key in TERMINOLOGY_KEYS and not isinstance(value, str):
            errors.append(f"The wording for “{key}” must be text.")
        elif isinstance(value, str) and len(value) > TERM_MAX_LENGTH:
            errors.append(f"The wording for “{key}” is longer than {TERM_MAX_LENGTH} characters.")
    return errors


def _date_errors(program: Program) -> dict[str, str]:
    errors: dict[str, str] = {}
    start, mid, end = program.start_date, program.mid_review_date, program.end_date
    if start and end and end <= start:
        errors["end_date"] = "The end date must be after the start date."
    if mid and start and mid <= start:
        errors["mid_review_date"] = "The mid-review date must be after the start date."
    elif mid and end and mid >= end:
        errors["mid_review_date"] = "The mid-review date must be before the end date."
    if program.status != ProgramStatus.DRAFT:
        # Past draft, people have been told when the program runs: the dates cannot disappear.
        for field, label in (("start_date", "start"), ("end_date", "end")):
            if getattr(program, field) is None:
                errors[field] = f"A program past draft needs its {label} date."
    return errors


def validate_program(program: Program) -> None:
    """Raise a field-keyed ValidationError listing every problem at once."""
    errors: dict[str, list[str]] = {}
    try:
        # Relations are set by services, not typed in: skip their lookups.
        program.full_clean(
            exclude=["organization", "created_by", "duplicated_from"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    for field, message in _date_errors(program).items():
        errors.setdefault(field, []).append(message)
    if program.time_zone not in valid_time_zones():
        errors.setdefault("time_zone", []).append(
            f"“{program.time_zone}” is not a time zone. Use a name like Europe/Berlin."
        )
    terminology = _terminology_errors(program.terminology)
    if terminology:
        errors.setdefault("terminology", []).extend(terminology)
    if errors:
        raise ValidationError(errors)


def clean_terminology(terminology: dict[str, Any]) -> dict[str, Any]:
    """Drop empty overrides (an empty field in the form means "use the default wording")."""
    return {
        key: value.strip() if isinstance(value, str) else value
        for key, value in terminology.items()
        if not (isinstance(value, str) and not value.strip())
    }
