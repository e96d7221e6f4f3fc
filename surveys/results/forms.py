"""The results filters: who to count (role, department, level, demographic group) and what to break
the numeric questions down by. They check shape only; what may be shown is ``surveys.privacy``'s
decision. The page reads them from the query string, the API from its query parameters: one form,
one set of field messages (400).
"""

from __future__ import annotations

from typing import Any

from django import forms

from surveys.results.aggregates import DIMENSIONS, Filters

GROUP_HELP = "A consented demographic group, as key:value (e.g. generation:millennial)."


def _group(value: str, field: str) -> str:
    key, sep, wanted = value.partition(":")
    if value and (not sep or not key.strip() or not wanted.strip()):
        raise forms.ValidationError(GROUP_HELP, code=field)
    return value


class ResultsFilterForm(forms.Form):
    role = forms.ChoiceField(
        required=False,
        choices=[("", "Everyone"), ("mentee", "Mentees"), ("mentor", "Mentors")],
        error_messages={"invalid_choice": "Choose mentee, mentor or nothing."},
    )
    department = forms.CharField(required=False, max_length=120)
    level = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=99,
        error_messages={
            "invalid": "Give a level from 1 to 99.",
            "min_value": "Give a level from 1 to 99.",
            "max_value": "Give a level from 1 to 99.",
        },
    )
    group = forms.CharField(required=False, max_length=200, help_text=GROUP_HELP)
    by = forms.CharField(
        label="Break down by",
        required=False,
        max_length=200,
        help_text="role, department, level, or group:<key> (a demographic key).",
    )

    def clean_group(self) -> str:
        return _group(self.cleaned_data.get("group", "").strip(), "group")

    def clean_by(self) -> str:
        value = self.cleaned_data.get("by", "").strip()
        dimension, sep, key = value.partition(":")
        if not value:
            return ""
        if dimension not in DIMENSIONS or (dimension == "group") != bool(sep and key.strip()):
            raise forms.ValidationError(
                "Break down by role, department, level, or group:<key> (a demographic key)."
            )
        return value

    def filters(self) -> Filters:
        data: dict[str, Any] = self.cleaned_data
        return Filters(
            role=data.get("role") or "",
            department=(data.get("department") or "").strip(),
            level=data.get("level"),
            group=data.get("group") or "",
        )

    def breakdown_by(self) -> str:
        return str(self.cleaned_data.get("by") or "")
