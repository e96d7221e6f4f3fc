"""Forms of the bulk invitation and of the invitation link. They shape input; the selection and
the services check it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from organizations.models import Organization
from participants import directory
from participants.forms.enrollment import IdListField
from participants.models import EnrollmentRole
from programs.models import CharterVersion, Program


class FilterForm(forms.Form):
    """Shown, not validated: the values are checked by ``selection.clean_filters``."""

    program = forms.ChoiceField(label="Program", required=False)
    search = forms.CharField(label="Name or email", required=False, max_length=120)
    department = forms.ChoiceField(label="Department", required=False)
    title = forms.CharField(label="Job title contains", required=False, max_length=120)
    level_min = forms.ChoiceField(label="Level from", required=False)
    level_max = forms.ChoiceField(label="Level to", required=False)
    not_invited = forms.BooleanField(label="Only people not yet in this program", required=False)

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        programs: QuerySet[Program],
        departments: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["program"]).choices = [("", "Choose a program")] + [
            (str(p.pk), f"{p.name} ({p.get_status_display().lower()})") for p in programs
        ]
        cast(forms.ChoiceField, self.fields["department"]).choices = [("", "All departments")] + [
            (d, d) for d in departments
        ]
        levels = [(str(n), label) for n, label in directory.level_scale(organization)]
        cast(forms.ChoiceField, self.fields["level_min"]).choices = [("", "Any"), *levels]
        cast(forms.ChoiceField, self.fields["level_max"]).choices = [("", "Any"), *levels]


class InviteByEmailForm(forms.Form):
    role = forms.ChoiceField(choices=EnrollmentRole.choices, label="Invite as")
    person_ids = IdListField(required=False, label="People")
    select_all = forms.BooleanField(required=False, label="Everyone who matches the filters")
    resend = forms.BooleanField(
        required=False,
        label="Email again the people who already got an invitation (their old link stops working)",
    )


class JoinForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=200)
    password = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not only digits, not a common password.",
        strip=False,
    )
    accept_charter = forms.BooleanField(label="I accept the charter above", required=True)

    def __init__(
        self, *args: Any, new_account: bool, charter: CharterVersion | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not new_account:
            del self.fields["full_name"]
            del self.fields["password"]
        if charter is None:
            del self.fields["accept_charter"]
        else:
            self.fields[
                "accept_charter"
            ].label = f"I accept version {charter.version} of the charter above"


class FirstPasswordRequestForm(forms.Form):
    email = forms.EmailField(
        label="Your work email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


class FirstPasswordForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=200)
    password = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not only digits, not a common password.",
        strip=False,
    )
