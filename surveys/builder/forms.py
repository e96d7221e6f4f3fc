"""Forms of the builder's pages. They parse shape (a number, a known choice, one line per option);
the rules of a question and of a survey live in ``surveys.builder.validation`` and the services,
whose field messages the views put back on these forms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet

from programs.models import Audience
from surveys.builder.validation import ANCHOR_MAX, HELP_MAX, SECTION_MAX, TEXT_MAX
from surveys.models import LIKERT_POINTS, QuestionKind, Survey, Wave


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class SettingsForm(forms.Form):
    """A survey's settings; a template also has its wave, a program survey its open days."""

    title = forms.CharField(max_length=200)
    intro = forms.CharField(
        label="Introduction",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        help_text="Shown above the questions: why you ask, how long it takes, who sees what.",
    )
    wave = forms.ChoiceField(
        choices=Wave.choices,
        error_messages={"required": "Choose a wave.", "invalid_choice": "Choose a wave."},
    )
    anonymous = forms.BooleanField(
        required=False,
        label="Anonymous",
        help_text=(
            "Answers are stored with no link to the person (pre and post still pair). Cannot "
            "change once anyone has answered."
        ),
    )
    open_days = forms.IntegerField(
        label="Open for (days)",
        min_value=3,
        max_value=60,
        initial=14,
        help_text="How long an invitation stays open after it is sent (3 to 60 days).",
        error_messages={"invalid": "Give a whole number of days."},
    )

    def __init__(self, *args: Any, survey: Survey | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if survey is not None and not survey.is_template:
            del self.fields["wave"]  # a program survey's wave is its place in the program

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class QuestionForm(forms.Form):
    """One question. Options and scale labels are typed one per line."""

    kind = forms.ChoiceField(
        choices=QuestionKind.choices,
        error_messages={"required": "Choose a kind.", "invalid_choice": "Choose a kind."},
    )
    text = forms.CharField(label="Question", max_length=TEXT_MAX)
    help_text = forms.CharField(label="Help", max_length=HELP_MAX, required=False)
    section = forms.CharField(
        max_length=SECTION_MAX,
        required=False,
        help_text="Questions in a row with the same section are shown under one heading.",
    )
    audience = forms.ChoiceField(
        label="Asked of",
        choices=Audience.choices,
        initial=Audience.BOTH,
        error_messages={"invalid_choice": "Ask mentors, mentees or both."},
    )
    required = forms.BooleanField(required=False, initial=True, label="An answer is required")
    scale_points = forms.TypedChoiceField(
        label="Scale points (Likert)",
        choices=[("", "—")] + [(p, f"{p} points") for p in LIKERT_POINTS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    labels = forms.CharField(
        label="Scale labels (Likert)",
        widget=forms.Textarea(attrs={"rows": 7}),
        required=False,
        help_text="One per line, lowest point first: a label for every point.",
    )
    choices = forms.CharField(
        label="Options (one or several choices)",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="One per line; at least 2, each once.",
    )
    min_value = forms.DecimalField(
        label="Lowest answer (number)", required=False, max_digits=10, decimal_places=2
    )
    max_value = forms.DecimalField(
        label="Highest answer (number)", required=False, max_digits=10, decimal_places=2
    )
    anchor_key = forms.CharField(
        label="Anchor key",
        max_length=ANCHOR_MAX,
        required=False,
        help_text=(
            "Optional. The same key in the pre, post and follow-up surveys pairs each person's "
            "answers, e.g. confidence_ai_tools. Scale, NPS and number questions only."
        ),
    )

    @staticmethod
    def initial_for(question: Any) -> dict[str, Any]:
        return {
            "kind": question.kind,
            "text": question.text,
            "help_text": question.help_text,
            "section": question.section,
            "audience": question.audience,
            "required": question.required,
            "scale_points": question.scale_points,
            "labels": "\n".join(question.labels or []),
            "choices": "\n".join(question.choices or []),
            "min_value": question.min_value,
            "max_value": question.max_value,
            "anchor_key": question.anchor_key,
        }

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["labels"] = _lines(data.get("labels", ""))
        data["choices"] = _lines(data.get("choices", ""))
        return data


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


if TYPE_CHECKING:
    _SurveyChoiceField = forms.ModelChoiceField[Survey]
else:  # not subscriptable at run time
    _SurveyChoiceField = forms.ModelChoiceField


class TemplateChoiceField(_SurveyChoiceField):
    def label_from_instance(self, obj: Survey) -> str:
        return f"{obj.title} ({obj.get_wave_display()})"


class CopyForm(forms.Form):
    """Copy a template into the program for a wave."""

    template = TemplateChoiceField(
        queryset=None,
        empty_label=None,
        error_messages={
            "required": "Choose a template.",
            "invalid_choice": "Choose one of the organisation's active templates.",
        },
    )
    wave = forms.ChoiceField(
        choices=Wave.choices,
        error_messages={"required": "Choose a wave.", "invalid_choice": "Choose a wave."},
    )

    def __init__(self, *args: Any, templates: QuerySet[Survey], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = templates


class AnchorLinkForm(forms.Form):
    anchor_key = forms.ChoiceField(
        label="Anchor item",
        error_messages={
            "required": "Choose an anchor item.",
            "invalid_choice": "Choose an anchor item asked in this program's surveys.",
        },
    )

    def __init__(self, *args: Any, anchors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["anchor_key"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = anchors


class TargetsForm(forms.Form):
    baseline = forms.DecimalField(
        required=False,
        max_digits=8,
        decimal_places=2,
        help_text="Optional. Where the group starts, on the item's scale (e.g. 2.8 of 5).",
    )
    target = forms.DecimalField(
        max_digits=8,
        decimal_places=2,
        help_text="Where the program aims to get, on the same scale.",
        error_messages={"required": "Give a target."},
    )
    unit = forms.CharField(max_length=30, required=False, help_text="e.g. points (1-5)")
