"""Forms of the import pages. They only shape input; the job services validate it."""

from __future__ import annotations

from typing import Any

from django import forms

from organizations.models import Organization
from participants.importing.parsing import MAX_UPLOAD_BYTES, import_targets


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text=(
            f"Up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. The first row holds the column names."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class ImportMappingForm(forms.Form):
    """One select per directory field: which column of the file fills it."""

    def __init__(
        self, *args: Any, organization: Organization, headers: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", "— not imported —")] + [
            (str(index), header or f"Column {index + 1}") for index, header in enumerate(headers)
        ]
        for target in import_targets(organization):
            self.fields[target.key] = forms.ChoiceField(
                label=target.label, choices=columns, required=False, help_text=target.help
            )

    def mapping(self) -> dict[str, int]:
        return {key: int(value) for key, value in self.cleaned_data.items() if value != ""}
