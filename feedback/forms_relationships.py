"""Forms of a pair's page: sessions, notes, goals, lifecycle and the calendar invitation.

They check shape only (a date, a whole number, a known choice); the rules live in the services
(``feedback.sessions``, ``notes``, ``goals``, ``ics``, ``matching.pairs``), whose field messages
the views put back on these forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from feedback import goals, ics, notes, sessions
from feedback.models import MAX_SESSION_MINUTES, GoalOwner, NoteVisibility, SessionFormat
from matching.pairs import REASON_MAX_LENGTH
from programs.models import Topic

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
BAD_DATE = {"required": "Give the date.", "invalid": "Give a date as YYYY-MM-DD."}


def _minutes(maximum: int, minimum: int = 1, **kwargs: Any) -> forms.IntegerField:
    message = f"Give the length in minutes, from {minimum} to {maximum}."
    return forms.IntegerField(
        min_value=minimum,
        max_value=maximum,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
        **kwargs,
    )


class _SessionFacts(forms.Form):
    held_on = forms.DateField(label="Date of the session", widget=DATE, error_messages=BAD_DATE)
    duration_minutes = _minutes(MAX_SESSION_MINUTES, label="Length (minutes)", initial=60)
    format = forms.ChoiceField(
        choices=SessionFormat.choices,
        initial=SessionFormat.VIDEO,
        error_messages={"required": "Choose how you met.", "invalid_choice": "Choose how you met."},
    )
    topics: forms.ModelMultipleChoiceField[Topic] = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="From the program's focus topics.",
        error_messages={"invalid_choice": "Choose topics from the program's focus topics."},
    )

    def __init__(self, *args: Any, topics: QuerySet[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["topics"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = topics.order_by("name")

    def topic_ids(self) -> list[int]:
        return [topic.pk for topic in self.cleaned_data.get("topics") or ()]


class SessionForm(_SessionFacts):
    """Log or edit a session; the log form also takes notes written with it."""

    learned = forms.CharField(
        label="What was learned",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=sessions.TEXT_MAX_LENGTH,
        help_text="Seen by the two of you only.",
    )
    action_items = forms.CharField(
        label="Action items",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=sessions.TEXT_MAX_LENGTH,
        help_text="Seen by the two of you only.",
    )


class SessionLogForm(SessionForm):
    shared_note = forms.CharField(
        label="Shared note",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=notes.NOTE_MAX_LENGTH,
        help_text="Optional. Your partner sees it too; the program team never does.",
    )
    private_note = forms.CharField(
        label="Private note",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=notes.NOTE_MAX_LENGTH,
        help_text="Optional. Only you see this.",
    )


class SessionCorrectionForm(_SessionFacts):
    """Confirm a partner's session with its facts as they really were."""

    def corrections(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "duration_minutes": data["duration_minutes"],
            "format": data["format"],
            "topics": self.topic_ids(),
        }


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=notes.NOTE_MAX_LENGTH,
        error_messages={"required": "Write something first."},
    )
    visibility = forms.ChoiceField(
        label="Who sees it",
        choices=NoteVisibility.choices,
        initial=NoteVisibility.SHARED,
        widget=forms.RadioSelect,
        help_text="The program team never sees notes.",
        error_messages={
            "required": "Choose who sees the note: your partner too, or only you.",
            "invalid_choice": "Choose who sees the note: your partner too, or only you.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "note")
        super().__init__(*args, **kwargs)


class GoalForm(forms.Form):
    owner = forms.ChoiceField(
        label="Whose goal",
        choices=GoalOwner.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whose goal it is: the mentor's or the mentee's.",
            "invalid_choice": "Say whose goal it is: the mentor's or the mentee's.",
        },
    )
    description = forms.CharField(
        max_length=goals.DESCRIPTION_MAX_LENGTH, error_messages={"required": "Describe the goal."}
    )
    target_date = forms.DateField(
        widget=DATE, required=False, error_messages={"invalid": "Give a date as YYYY-MM-DD."}
    )

    def __init__(self, *args: Any, owner_labels: dict[str, str], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "goal")
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (value, owner_labels.get(value, label)) for value, label in GoalOwner.choices
        ]


class GoalProgressForm(forms.Form):
    progress = forms.IntegerField(
        label="Progress (%)",
        min_value=0,
        max_value=100,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"),
            "Give the progress as a whole number from 0 to 100.",
        ),
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=goals.COMMENT_MAX_LENGTH,
        help_text="Optional. Seen by the two of you only.",
    )

    def __init__(self, *args: Any, goal_pk: int, **kwargs: Any) -> None:
        # One form per goal on the page: ids stay unique, field names stay plain.
        kwargs.setdefault("auto_id", f"id_%s_goal{goal_pk}")
        super().__init__(*args, **kwargs)


class PauseForm(forms.Form):
    resume_on = forms.DateField(label="Resume on", widget=DATE, error_messages=BAD_DATE)


class ExtendForm(forms.Form):
    ends_on = forms.DateField(label="New end date", widget=DATE, error_messages=BAD_DATE)


class RematchForm(forms.Form):
    reason = forms.CharField(
        label="Why you would like another partner",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        help_text="Only the program's coordinators read it.",
        error_messages={"required": "Tell the coordinator why, in a sentence or two."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "rematch")
        super().__init__(*args, **kwargs)


class InviteForm(forms.Form):
    """A planned next session as a calendar file; the time is the viewer's local time."""

    date = forms.DateField(widget=DATE, error_messages=BAD_DATE)
    time = forms.TimeField(
        widget=TIME,
        error_messages={"required": "Give the time.", "invalid": "Give a time as HH:MM."},
    )
    minutes = _minutes(ics.MAX_MINUTES, ics.MIN_MINUTES, label="Length (minutes)", initial=60)
    location = forms.CharField(
        label="Place or link", max_length=300, required=False, help_text="Optional."
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text="Optional. It goes into the calendar entry.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "invite")
        super().__init__(*args, **kwargs)
