"""Forms of the program pages. They parse input; services decide what is valid.

Querysets are built in ``__init__`` (inside the request's organisation scope): a class-level
``Topic.objects`` would be evaluated at import time, outside any scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q

from accounts.models import User
from core.text import single_line
from programs import selectors
from programs.models import PROGRAM_SETTINGS, Audience, Program, ProgramStatus, Topic
from programs.validation import TERMINOLOGY_KEYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgramForm(forms.Form):
    name = forms.CharField(max_length=200, validators=[single_line])
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    focus_topics: forms.ModelMultipleChoiceField[Topic] = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="From the organisation's topic vocabulary.",
    )
    start_date = forms.DateField(widget=DATE, required=False)
    mid_review_date = forms.DateField(widget=DATE, required=False, label="Mid-review date")
    end_date = forms.DateField(widget=DATE, required=False)
    time_zone = forms.CharField(
        max_length=64, initial="UTC", help_text="An IANA name, e.g. Europe/London."
    )
    session_cadence_days = forms.IntegerField(
        label="Sessions every (days)", initial=14, help_text="Expected time between sessions."
    )
    checkin_cadence_days = forms.IntegerField(label="Check-ins every (days)", initial=28)
    max_mentees_per_mentor = forms.IntegerField(label="Maximum mentees per mentor", initial=1)
    self_registration = forms.BooleanField(
        required=False,
        label="People may apply themselves",
        help_text="An admin approves each application.",
    )

    def __init__(self, *args: Any, program: Program | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = Q(is_active=True)
        if program is not None and program.pk:
            # A topic retired since it was chosen stays visible (and kept) on this program.
            offered |= Q(pk__in=program.focus_topics.values("pk"))
        self.fields["focus_topics"].queryset = Topic.objects.filter(offered)  # type: ignore[attr-defined]
        for key, default in TERMINOLOGY_KEYS.items():
            self.fields[f"term_{key}"] = forms.CharField(
                label=f"Instead of “{default}”",
                max_length=80,
                required=False,
                help_text="Leave empty to keep the default wording.",
            )

    def terminology_fields(self) -> list[forms.BoundField]:
        return [self[f"term_{key}"] for key in TERMINOLOGY_KEYS]

    def setting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("term_")]

    @staticmethod
    def initial_for(program: Program) -> dict[str, Any]:
        initial: dict[str, Any] = {
            field: getattr(program, field) for field in PROGRAM_SETTINGS if field != "terminology"
        }
        initial["focus_topics"] = list(program.focus_topics.values_list("pk", flat=True))
        terminology = program.terminology if isinstance(program.terminology, dict) else {}
        initial.update({f"term_{key}": value for key, value in terminology.items()})
        return initial

    def values(self) -> dict[str, Any]:
        """Program settings for the services (focus topics are passed separately)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "focus_topics"}
        terminology = {key: data.pop(f"term_{key}", "") for key in TERMINOLOGY_KEYS}
        data["terminology"] = terminology
        return data


class _SectionForm(forms.Form):
    """A form of one section of the program page. Several sit on that page and share field names
    (audience, body): each gets ids of its own (``id_<section>_<field>``), so that every label
    points at its own field. The posted names stay the plain field names."""

    section = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.section}_%s")
        super().__init__(*args, **kwargs)


class ObjectiveForm(_SectionForm):
    section = "objective"
    statement = forms.CharField(max_length=300)
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.BOTH, label="For")
    measure = forms.CharField(
        max_length=200,
        required=False,
        label="Measured by (note)",
        help_text="Optional: a figure no survey item carries. Link survey anchor items on the "
        "program's Surveys page to have progress computed.",
    )
    baseline = forms.DecimalField(max_digits=8, decimal_places=2, required=False)
    target = forms.DecimalField(max_digits=8, decimal_places=2)
    unit = forms.CharField(max_length=30, required=False, help_text="e.g. % or points (1-5)")


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class CharterForm(_SectionForm):
    section = "charter"
    body = forms.CharField(
        label="Charter text",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Ground rules and confidentiality. Paragraphs are kept.",
    )
    change_note = forms.CharField(
        max_length=300,
        required=False,
        help_text="What changed since the last version (needed from version 2 on).",
    )


class TrainingForm(_SectionForm):
    section = "training"
    title = forms.CharField(max_length=200)
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.BOTH, label="For")
    url = forms.URLField(required=False, label="Link", assume_scheme="https")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Text")
    estimated_minutes = forms.IntegerField(initial=15, label="Estimated minutes")
    required = forms.BooleanField(required=False, initial=True)


if TYPE_CHECKING:
    _UserChoiceBase = forms.ModelChoiceField[User]
else:
    _UserChoiceBase = forms.ModelChoiceField


class UserChoiceField(_UserChoiceBase):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class CoordinatorForm(forms.Form):
    user = UserChoiceField(queryset=User.objects.none(), label="Coordinator")

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.coordinator_candidates(program=program)  # type: ignore[attr-defined]


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ProgramStatus.choices)


class TopicForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(max_length=300, required=False)
