"""Forms of a pair's page: notes, goals, the lifecycle steps and ending the pair (the sessions'
forms are in ``feedback.sessions.forms``).

They check shape only (a date, a whole number, a known choice); the rules live in the services
(``feedback.sessions``, ``notes``, ``goals``, ``ics``, ``matching.pairs``), whose field messages
the views put back on these forms.
"""

from __future__ import annotations

from typing import Any

from django import forms

from feedback import goals, notes
from feedback.models import GoalOwner, NoteVisibility
from feedback.sessions.forms import BAD_DATE, DATE
from matching.models import Pair
from matching.pairs import REASON_MAX_LENGTH


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


class PairEndForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Both people receive it by email.",
    )
    rematch_mentee = forms.BooleanField(required=False)
    rematch_mentor = forms.BooleanField(required=False)

    def __init__(self, *args: Any, pair: Pair, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "rematch_mentee"
        ].label = f"Start a re-match for {pair.mentee.person.full_name} (mentee)"
        self.fields[
            "rematch_mentor"
        ].label = f"Start a re-match for {pair.mentor.person.full_name} (mentor)"
