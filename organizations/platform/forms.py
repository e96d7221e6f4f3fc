from __future__ import annotations

from django import forms

from core.text import SingleLineValidator


class OpenOrganizationForm(forms.Form):
    name = forms.CharField(
        label="Organisation name",
        max_length=200,
        validators=[SingleLineValidator()],
        help_text="As people will see it, e.g. Acme Ltd.",
    )
    slug = forms.SlugField(
        label="Web address",
        max_length=50,
        help_text="Lowercase letters, digits and hyphens; it appears in every link (/o/acme/).",
    )
    admin_email = forms.EmailField(
        label="First admin's email",
        help_text="They receive an invitation to set up the organisation and invite others.",
    )
