"""The form of the exports page. It only shapes input; the job service validates it (unknown
filters, a reversed period, a dataset that takes no period: field messages)."""

from __future__ import annotations

from typing import Any

from django import forms

from dashboards.models import ExportDataset, ExportFormat

PERIOD_HELP = (
    "Enrolments by the date they were made, pairs by the date they were paired, sessions by the "
    "date held, check-ins by due date, engagement by the date scored. Survey results take no "
    "period."
)


class DateInput(forms.DateInput):
    input_type = "date"


class ExportForm(forms.Form):
    dataset = forms.ChoiceField(choices=ExportDataset.choices, label="What to export")
    format = forms.ChoiceField(
        choices=ExportFormat.choices, initial=ExportFormat.CSV, widget=forms.RadioSelect
    )
    date_from = forms.DateField(
        label="From", required=False, widget=DateInput(format="%Y-%m-%d"), help_text=PERIOD_HELP
    )
    date_to = forms.DateField(label="To", required=False, widget=DateInput(format="%Y-%m-%d"))
    department = forms.CharField(required=False, max_length=120)
    level = forms.IntegerField(required=False, min_value=1, max_value=99)
    role = forms.ChoiceField(
        required=False, choices=[("", "Both roles"), ("mentor", "Mentors"), ("mentee", "Mentees")]
    )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("date_from", "date_to", "department", "level", "role")
            if data.get(name) not in (None, "")
        }
