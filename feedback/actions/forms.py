"""Forms of actions and success stories. They check shape only; the rules (dates, topics, lengths,
moves) are the services', whose field messages the views put back on these forms."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet

from core.converters import IdConverter
from feedback.actions import services
from feedback.models import (
    ACTION_RESULT_MAX_LENGTH,
    SUCCESS_STORY_MAX_LENGTH,
    ActionStatus,
    SessionLog,
)
from feedback.sessions.forms import BAD_DATE, DATE
from programs.models import Topic

OPTIONAL_DATE = {"invalid": BAD_DATE["invalid"]}
_ID = re.compile(rf"^{IdConverter.regex}$")


class IdChoiceField(forms.ModelChoiceField):
    """A choice among a queryset that refuses anything but a database id before querying (a
    number too large for a bigint would otherwise reach PostgreSQL and fail as a 500)."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if not _ID.fullmatch(str(value)):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class _ActionFields(forms.Form):
    title = forms.CharField(
        label="What will you do?",
        max_length=services.TITLE_MAX_LENGTH,
        error_messages={"required": "Say what you will do."},
    )
    due_on = forms.DateField(
        label="By when",
        widget=DATE,
        required=False,
        help_text="Optional.",
        error_messages=OPTIONAL_DATE,
    )
    topic = IdChoiceField(
        queryset=None,
        required=False,
        empty_label="No topic",
        help_text="The program's focus topics, or the session's.",
        error_messages={"invalid_choice": "Choose one of the topics listed."},
    )

    def __init__(self, *args: Any, topics: QuerySet[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["topic"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = topics

    def topic_id(self) -> int | None:
        topic = self.cleaned_data.get("topic")
        return topic.pk if topic is not None else None


class SessionChoiceField(IdChoiceField):
    def label_from_instance(self, obj: SessionLog) -> str:
        return f"{obj.held_on:%-d %B %Y}"


class ActionForm(_ActionFields):
    """A new action, optionally from one of the pair's sessions."""

    session = SessionChoiceField(
        queryset=None,
        required=False,
        label="From the session of",
        empty_label="No session",
        help_text="Optional. The conversation this action came from.",
        error_messages={"invalid_choice": "Choose a session of this pair."},
    )
    field_order = ("title", "due_on", "session", "topic")

    def __init__(
        self, *args: Any, topics: QuerySet[Topic], sessions: QuerySet[SessionLog], **kwargs: Any
    ) -> None:
        super().__init__(*args, topics=topics, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sessions

    def session_id(self) -> int | None:
        session = self.cleaned_data.get("session")
        return session.pk if session is not None else None


class ActionEditForm(_ActionFields):
    result = forms.CharField(
        label="Result",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=ACTION_RESULT_MAX_LENGTH,
        help_text="Optional. What changed, in a few sentences.",
    )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=ActionStatus.choices,
        error_messages={
            "required": "Choose the new status.",
            "invalid_choice": "Choose the new status.",
        },
    )
    result = forms.CharField(
        label="Result",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=ACTION_RESULT_MAX_LENGTH,
    )


class ActionShareForm(forms.Form):
    shared = forms.TypedChoiceField(
        choices=(("1", "Share"), ("0", "Stop sharing")),
        coerce=lambda value: value == "1",
        error_messages={
            "required": "Say whether to share it.",
            "invalid_choice": "Say whether to share it.",
        },
    )


class StoryForm(forms.Form):
    text = forms.CharField(
        label="Your story",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=SUCCESS_STORY_MAX_LENGTH,
        error_messages={"required": "Write the story first."},
        help_text=(
            "A few sentences on what your mentoring changed. It is published to the organisation "
            "only when both of you agree, and either of you can withdraw it."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "story")
        super().__init__(*args, **kwargs)
