from __future__ import annotations

from django import forms

from privacy.retention.services import MAX_MONTHS, RULES


class ErasureForm(forms.Form):
    confirm_name = forms.CharField(
        label="Type the person's name to confirm", max_length=200, strip=True
    )


class RetentionForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, label in RULES:
            self.fields[name] = forms.IntegerField(
                label=label,
                required=False,
                min_value=1,
                max_value=MAX_MONTHS,
                help_text="Months; leave empty to keep this data.",
            )
