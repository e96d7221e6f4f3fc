"""The mid-review decision form (the rules live in ``feedback.review.decision_record``)."""

from __future__ import annotations

from typing import Any

from django import forms

from feedback.models import ReviewDecisionKind
from feedback.review import NOTE_MAX_LENGTH


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=ReviewDecisionKind.choices,
        error_messages={
            "required": "Choose a decision.",
            "invalid_choice": "Choose one of the decisions listed.",
        },
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="Required for every decision but “continue”. Staff only: the pair never sees it.",
    )

    def __init__(self, *args: Any, pair_pk: int | None = None, **kwargs: Any) -> None:
        # One form per pair on the queue page: ids stay unique, field names stay plain.
        if pair_pk is not None:
            kwargs.setdefault("auto_id", f"id_%s_{pair_pk}")
        super().__init__(*args, **kwargs)
