from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.timezones import time_zone_choices
from organizations.configuration.validation import MAX_LOGO_BYTES, inspect_logo


class SettingsForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    slug = forms.CharField(
        label="Address",
        max_length=50,
        help_text=(
            "Pages live at /o/<address>/. Changing it changes every link to the organisation: "
            "bookmarks and links in earlier emails stop working."
        ),
    )
    time_zone = forms.ChoiceField(label="Time zone", choices=())
    brand_colour = forms.CharField(
        label="Brand colour",
        max_length=7,
        required=False,
        help_text="Like #1f6feb. White text is shown on it, so it must be dark enough (4.5:1).",
    )
    min_aggregate_size = forms.IntegerField(
        label="Smallest group shown in results",
        min_value=2,
        max_value=100,
        help_text="Survey results over fewer people than this are hidden (2 to 100).",
    )
    require_mfa = forms.BooleanField(
        label="Require two-factor authentication",
        required=False,
        help_text="Members without it are sent to set it up on their next visit.",
    )
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text=f"PNG or JPEG, at most {MAX_LOGO_BYTES // 1024} KB, 16 to 2000 pixels a side.",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]

    def clean_logo(self) -> bytes | None:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        content: bytes = upload.read(MAX_LOGO_BYTES + 1)
        try:
            inspect_logo(content)
        except ValidationError as error:
            raise ValidationError(error.message_dict["logo"]) from None
        return content

    def setting_values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in (
                "name",
                "slug",
                "time_zone",
                "brand_colour",
                "min_aggregate_size",
                "require_mfa",
            )
        }
