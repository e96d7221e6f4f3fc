"""The rules of a survey question, written once: the builder's services, its forms and API, and the
shipped library all pass through ``clean_question``.

A rule broken is a ``ValidationError`` keyed by the question's field names (``labels``,
``choices``, ``anchor_key``…), so pages and API show each message beside its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import slug_re

from programs.models import Audience
from surveys.models import LIKERT_POINTS, NUMERIC_KINDS, QuestionKind

QUESTION_FIELDS: tuple[str, ...] = (
    "section",
    "kind",
    "text",
    "help_text",
    "required",
    "audience",
    "scale_points",
    "labels",
    "choices",
    "min_value",
    "max_value",
    "anchor_key",
)
CHOICE_KINDS: tuple[str, ...] = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
TEXT_MAX, HELP_MAX, SECTION_MAX = 300, 300, 120
LABEL_MAX, CHOICE_MAX, MAX_CHOICES = 60, 120, 20
ANCHOR_MAX = 50
NUMBER_LIMIT = Decimal("99999999.99")  # max_digits=10, decimal_places=2

DEFAULTS: dict[str, Any] = {
    "section": "",
    "help_text": "",
    "required": True,
    "audience": Audience.BOTH,
    "scale_points": None,
    "labels": [],
    "choices": [],
    "min_value": None,
    "max_value": None,
    "anchor_key": "",
}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _strings(value: Any) -> list[str] | None:
    """A list of trimmed strings, or None when ``value`` is not a list of strings."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return None
    return [v.strip() for v in value]


def _number(value: Any) -> Decimal | str | None:
    """The decimal, None when empty, or "bad" when it is not a finite number in range."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return "bad"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return "bad"
    if not number.is_finite() or abs(number) > NUMBER_LIMIT:
        return "bad"
    return number.quantize(Decimal("0.01"))


def clean_question(
    values: Mapping[str, Any], *, taken_anchor_keys: Iterable[str] = ()
) -> dict[str, Any]:
    """The question's fields, checked and normalised (fields the kind does not use are emptied).

    ``taken_anchor_keys`` are the anchor keys of the version's other questions: an anchor key
    appears once per version, or the pairing of answers would be ambiguous.
    """
    unknown = sorted(set(values) - set(QUESTION_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: "This is not a field of a question."})
    data = {**DEFAULTS, **values}
    errors: dict[str, str] = {}

    kind = data.get("kind")
    if kind not in QuestionKind.values:
        errors["kind"] = f"Choose a kind of question: {', '.join(QuestionKind.labels)}."
    text = _text(data.get("text", ""))
    if not text:
        errors["text"] = "Write the question."
    elif len(text) > TEXT_MAX:
        errors["text"] = f"Keep the question to {TEXT_MAX} characters (it has {len(text)})."
    help_text = _text(data["help_text"])
    if len(help_text) > HELP_MAX:
        errors["help_text"] = f"Keep the help to {HELP_MAX} characters (it has {len(help_text)})."
    section = _text(data["section"])
    if len(section) > SECTION_MAX:
        errors["section"] = f"Keep the section title to {SECTION_MAX} characters."
    audience = data["audience"]
    if audience not in Audience.values:
        errors["audience"] = "Ask mentors, mentees or both."
    required = data["required"]
    if not isinstance(required, bool):
        errors["required"] = "Say whether an answer is required (true or false)."

    scale_points: int | None = None
    labels: list[str] = []
    if kind == QuestionKind.LIKERT:
        points = data["scale_points"]
        if isinstance(points, bool) or points not in LIKERT_POINTS:
            errors["scale_points"] = "A Likert scale has 5 or 7 points."
        else:
            scale_points = int(points)
        given = _strings(data["labels"])
        if given is None:
            errors["labels"] = "Give the labels as a list of texts, lowest point first."
        elif scale_points is not None and len(given) != scale_points:
            errors["labels"] = (
                f"A {scale_points}-point scale needs {scale_points} labels, one per point, lowest "
                f"first (there are {len(given)})."
            )
        elif any(not label for label in given):
            errors["labels"] = "Every point of the scale needs a label."
        elif any(len(label) > LABEL_MAX for label in given):
            errors["labels"] = f"Keep each label to {LABEL_MAX} characters."
        elif len({label.casefold() for label in given}) != len(given):
            errors["labels"] = "Each point needs its own label: two are the same."
        else:
            labels = given

    choices: list[str] = []
    if kind in CHOICE_KINDS:
        given = _strings(data["choices"])
        if given is None:
            errors["choices"] = "Give the options as a list of texts."
        else:
            given = [c for c in given if c]
            if len(given) < 2:
                errors["choices"] = "Give at least 2 options."
            elif len(given) > MAX_CHOICES:
                errors["choices"] = f"Give at most {MAX_CHOICES} options."
            elif any(len(c) > CHOICE_MAX for c in given):
                errors["choices"] = f"Keep each option to {CHOICE_MAX} characters."
            else:
                seen: set[str] = set()
                duplicate = None
                for option in given:
                    if option.casefold() in seen:
                        duplicate = option
                        break
                    seen.add(option.casefold())
                if duplicate is not None:
                    errors["choices"] = f"Each option once: “{duplicate}” is there twice."
                else:
                    choices = given

    min_value: Decimal | None = None
    max_value: Decimal | None = None
    if kind == QuestionKind.NUMBER:
        low, high = _number(data["min_value"]), _number(data["max_value"])
        if low == "bad":
            errors["min_value"] = "Give the lowest allowed answer as a number."
        if high == "bad":
            errors["max_value"] = "Give the highest allowed answer as a number."
        if isinstance(low, Decimal) and isinstance(high, Decimal) and low >= high:
            errors["max_value"] = "The highest allowed answer must be above the lowest."
        min_value = low if isinstance(low, Decimal) else None
        max_value = high if isinstance(high, Decimal) else None

    anchor_key = _text(data["anchor_key"])
    if anchor_key:
        if len(anchor_key) > ANCHOR_MAX or not slug_re.fullmatch(anchor_key):
            errors["anchor_key"] = (
                "An anchor key is a short slug: lowercase letters, digits, hyphens and "
                f"underscores (at most {ANCHOR_MAX}), e.g. confidence_ai_tools."
            )
        elif anchor_key != anchor_key.lower():
            errors["anchor_key"] = "Write the anchor key in lowercase, e.g. confidence_ai_tools."
        elif anchor_key in set(taken_anchor_keys):
            errors["anchor_key"] = (
                f"Another question of this survey is already the anchor item “{anchor_key}”: "
                "an anchor key appears once per survey."
            )
        elif kind in QuestionKind.values and kind not in NUMERIC_KINDS:
            errors["anchor_key"] = (
                "Anchor items are compared from wave to wave: make it a Likert, NPS or number "
                "question."
            )

    if errors:
        raise ValidationError(errors)
    return {
        "section": section,
        "kind": kind,
        "text": text,
        "help_text": help_text,
        "required": required,
        "audience": audience,
        "scale_points": scale_points,
        "labels": labels,
        "choices": choices,
        "min_value": min_value,
        "max_value": max_value,
        "anchor_key": anchor_key,
    }
