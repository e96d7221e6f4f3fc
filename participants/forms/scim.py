from __future__ import annotations

from django import forms


class ScimTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="The identity provider that will use it, e.g. “Okta” or “Entra ID”.",
    )
