"""Forms of the round pages. They only shape input: the use cases and services validate and decide."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet

from core.converters import IdConverter
from matching.engine.rules import HardRules
from matching.engine.scoring import CRITERIA, CRITERION_LABELS, MAX_WEIGHT
from matching.models import MatchingRound, ProposedPair, RoundMode
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus
from programs.models import Program

_ID = re.compile(rf"^{IdConverter.regex}$")

CRITERION_HINTS: dict[str, str] = {
    "complementarity": "The mentor can teach what the mentee wants to learn, at the level wanted.",
    "interests": "Interests they have in common.",
    "focus": "Their overlap lies in the program's focus topics.",
    "availability": "Weekly time slots they share (full marks from 2 hours a week).",
    "time_zone": "Closer time zones score higher.",
    "language": "They share at least one language.",
    "meeting_format": "In person and video-only do not mix.",
    "diversity": "Different generations or departments.",
    "questions": "Answers to the program's matching questions.",
}
DEFAULT_WEIGHTS: dict[str, float] = {
    "complementarity": 5,
    "interests": 2,
    "focus": 2,
    "availability": 2,
    "time_zone": 1,
    "language": 1,
    "meeting_format": 1,
    "diversity": 1,
    "questions": 1,
}
# Rule toggles with their labels, then each rule's parameters (shown under it).
RULE_LABELS: dict[str, str] = {
    "junior_mentor": "The mentor is more junior than the mentee",
    "reporting_chain": "Neither is in the other's reporting chain",
    "different_department": "They work in different departments",
    "rotation": "They have not been paired before",
    "admin_blocks": "Pairs an administrator blocked are never proposed",
    "shared_language": "They share a language",
}
RULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "junior_mentor": ("level_gap", "allow_unknown_level"),
    "reporting_chain": ("chain_levels",),
}


def weight_field_name(criterion: str) -> str:
    return f"weight_{criterion}"


class RoundConfigForm(forms.Form):
    """Weights (0-10 each, one above 0), hard rules with their parameters, and the mode."""

    level_gap = forms.IntegerField(
        min_value=0,
        max_value=98,
        label="Levels more junior, at least",
        help_text="0 allows the same level; a higher level number is more senior.",
    )
    allow_unknown_level = forms.BooleanField(
        required=False, label="Allow people whose level is not known"
    )
    chain_levels = forms.IntegerField(
        min_value=1,
        max_value=64,
        label="Managers checked up the chain",
        help_text="1 is the direct manager only; 2 adds the manager's manager.",
    )
    mode = forms.ChoiceField(
        choices=RoundMode.choices,
        widget=forms.RadioSelect,
        label="Optimise for",
        initial=RoundMode.SCORE_FIRST,
        help_text=(
            "Highest total: the best pairs overall. Most matched: as many pairs as possible. "
            "Fairest: as many pairs as possible, with the lowest pair score as high as it can be "
            "(then the total), so that no one gets a poor partner to lift the average."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in CRITERIA:
            self.fields[weight_field_name(criterion)] = forms.FloatField(
                min_value=0,
                max_value=MAX_WEIGHT,
                label=CRITERION_LABELS[criterion],
                help_text=CRITERION_HINTS[criterion],
                widget=forms.NumberInput(attrs={"step": "0.5", "class": "weight-input"}),
            )
        for rule, label in RULE_LABELS.items():
            self.fields[rule] = forms.BooleanField(required=False, label=label)

    @classmethod
    def initial_from(cls, matching_round: MatchingRound | None) -> dict[str, Any]:
        """The form's initial values: a round's config, else the defaults."""
        weights: Mapping[str, Any] = (
            matching_round.weights if matching_round is not None else DEFAULT_WEIGHTS
        )
        rules = HardRules(**(matching_round.rules if matching_round is not None else {}))
        initial: dict[str, Any] = {
            weight_field_name(c): _plain_number(weights.get(c, 0)) for c in CRITERIA
        }
        for name in (*RULE_LABELS, "level_gap", "allow_unknown_level", "chain_levels"):
            initial[name] = getattr(rules, name)
        initial["mode"] = (
            matching_round.mode if matching_round is not None else RoundMode.SCORE_FIRST
        )
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        weights = [cleaned.get(weight_field_name(c)) for c in CRITERIA]
        if all(value is not None for value in weights) and not any(weights):
            raise forms.ValidationError("Give at least one criterion a weight above 0.")
        return cleaned

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[weight_field_name(c)] for c in CRITERIA]

    def rule_groups(self) -> list[tuple[forms.BoundField, list[forms.BoundField]]]:
        return [
            (self[rule], [self[p] for p in RULE_PARAMETERS.get(rule, ())]) for rule in RULE_LABELS
        ]

    def weights(self) -> dict[str, float]:
        return {c: self.cleaned_data[weight_field_name(c)] for c in CRITERIA}

    def rules(self) -> dict[str, Any]:
        names = (*RULE_LABELS, "level_gap", "allow_unknown_level", "chain_levels")
        return {name: self.cleaned_data[name] for name in names}


def _plain_number(value: Any) -> Any:
    """5.0 → 5, so the number input shows what a person would type."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _IdModelChoiceField(forms.ModelChoiceField):
    """A choice among a queryset that rejects anything but a database id before querying."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if not _ID.fullmatch(str(value)):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class _EnrollmentField(_IdModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person.full_name)


def accepted(program: Program, role: str) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(program=program, role=role, status=EnrollmentStatus.ACCEPTED)
        .select_related("person")
        .order_by("person__full_name", "id")
    )


class PairRuleForm(forms.Form):
    """A mentor and a mentee among the program's accepted enrolments (for a pin or a block).

    The fields are built per request: a tenant queryset cannot exist at import time (no scope).
    """

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"] = _EnrollmentField(
            queryset=accepted(program, EnrollmentRole.MENTOR),
            label="Mentor",
            empty_label="Choose a mentor",
            error_messages={"invalid_choice": "Choose a mentor accepted in this program."},
        )
        self.fields["mentee"] = _EnrollmentField(
            queryset=accepted(program, EnrollmentRole.MENTEE),
            label="Mentee",
            empty_label="Choose a mentee",
            error_messages={"invalid_choice": "Choose a mentee accepted in this program."},
        )


class _ProposalField(_IdModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.mentor.person.full_name} with {obj.mentee.person.full_name} ({obj.score:.1f})"


class SwapForm(forms.Form):
    """The second pair of a swap: another unpinned proposal of the round with another mentor."""

    def __init__(self, *args: Any, pair_a: ProposedPair, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pair_b"] = _ProposalField(
            queryset=ProposedPair.objects.filter(round_id=pair_a.round_id, pinned=False)
            .exclude(mentor_id=pair_a.mentor_id)
            .select_related("mentor__person", "mentee__person")
            .order_by("-score", "id"),
            label="Swap mentors with",
            empty_label="Choose a pair",
            error_messages={"invalid_choice": "Choose another pair of this round."},
        )
