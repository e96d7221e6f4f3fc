from __future__ import annotations

from django import forms

from organizations.models import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class AllProgramsForm(forms.Form):
    all_programs = forms.BooleanField(label="Coordinates every program", required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What uses this token, e.g. “HRIS sync”. It works in this organisation only.",
    )
