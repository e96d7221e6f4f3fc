"""Forms of the sessions feature: log, edit, correct a session; plan the next one as an .ics.

They check shape only (a date, a whole number, a known choice); the rules live in the services
(``feedback.sessions.services``, ``feedback.ics``), whose field messages the views put back on
these forms. The date widget and the minutes field are shared with the pair page's other forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from feedback import ics, notes
from feedback.models import MAX_SESSION_MINUTES, SessionFormat
from feedback.sessions import services as sessions
from programs.models import Topic

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
BAD_DATE = {"required": "Give the date.", "invalid": "Give a date as YYYY-MM-DD."}


def minutes_field(maximum: int, minimum: int = 1, **kwargs: Any) -> forms.IntegerField:
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
    duration_minutes = minutes_field(MAX_SESSION_MINUTES, label="Length (minutes)", initial=60)
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
        if not self["topics"].data:  # none ticked: no query for the empty choice
            return []
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


class InviteForm(forms.Form):
    """A planned next session as a calendar file; the time is the viewer's local time."""

    date = forms.DateField(widget=DATE, error_messages=BAD_DATE)
    time = forms.TimeField(
        widget=TIME,
        error_messages={"required": "Give the time.", "invalid": "Give a time as HH:MM."},
    )
    minutes = minutes_field(ics.MAX_MINUTES, ics.MIN_MINUTES, label="Length (minutes)", initial=60)
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


class PlanForm(forms.Form):
    """Plan (or move) a session both members get as a calendar invitation. Times are the
    viewer's local time (the page says which zone); no start time plans the whole day."""

    date = forms.DateField(label="Day", widget=DATE, error_messages=BAD_DATE)
    start = forms.TimeField(
        label="Starts at",
        widget=TIME,
        required=False,
        help_text="Optional: leave empty to plan the day without a time.",
        error_messages={"invalid": "Give a time as HH:MM."},
    )
    end = forms.TimeField(
        label="Ends at",
        widget=TIME,
        required=False,
        help_text="Optional: an hour after the start when empty.",
        error_messages={"invalid": "Give a time as HH:MM."},
    )
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
        kwargs.setdefault("prefix", "plan")
        super().__init__(*args, **kwargs)
