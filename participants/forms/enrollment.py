"""Forms of the enrolment pages (staff and participant). They only shape input: the use cases
and services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms

from participants.models import EnrollmentRole


class IdListField(forms.Field):
    """A list of ids from checkboxes; whether each id exists is the service's question."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return [int(v) for v in values]
        except (TypeError, ValueError):
            raise forms.ValidationError("Choose people from the list.") from None


class InviteForm(forms.Form):
    role = forms.ChoiceField(choices=EnrollmentRole.choices, label="Invite as")
    person_ids = IdListField(required=False, label="People")


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        required=False,
        label="Reason",
        help_text="Required. Shared with the program team.",
    )


class ApplyForm(forms.Form):
    role = forms.ChoiceField(choices=EnrollmentRole.choices, label="I would like to take part as")
