"""Forms of the directory pages. They only shape input; the services validate it."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from organizations.models import Organization
from participants import directory
from participants.models import Person

STATUS_CHOICES = [("active", "Active"), ("inactive", "Deactivated"), ("all", "Everyone")]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    department = forms.ChoiceField(label="Department", required=False)
    level = forms.TypedChoiceField(label="Level", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)
    group = forms.TypedChoiceField(label="Group", required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        departments: list[str],
        groups: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group"]).choices = [("", "All groups")] + [
            (str(pk), name) for pk, name in groups or []
        ]
        if not groups:
            # No group was provisioned: the field is not shown, and a group in the URL is refused.
            self.fields["group"].widget = forms.HiddenInput()
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": "Name, email or department"}
        )
        cast(forms.ChoiceField, self.fields["department"]).choices = [("", "All departments")] + [
            (name, name) for name in departments
        ]
        cast(forms.ChoiceField, self.fields["level"]).choices = [("", "All levels")] + [
            (str(number), label) for number, label in directory.level_scale(organization)
        ]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"status": "active"}
        data = self.cleaned_data
        return {
            "search": data["q"] or "",
            "department": data["department"] or "",
            "level": data["level"],
            "status": data["status"] or "active",
            "group": data["group"],
        }


class PersonForm(forms.Form):
    """Create or edit a person. Demographics are not here: they are the person's own answers."""

    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.CharField(label="Email", max_length=254)
    employee_id = forms.CharField(label="Employee id", max_length=64, required=False)
    job_title = forms.CharField(label="Job title", max_length=200, required=False)
    department = forms.CharField(label="Department", max_length=120, required=False)
    manager = forms.CharField(
        label="Manager",
        max_length=254,
        required=False,
        help_text="Their email or employee id; leave empty for nobody.",
    )
    level = forms.ChoiceField(label="Level", required=False)
    location = forms.CharField(label="Location", max_length=120, required=False)
    time_zone = forms.CharField(
        label="Time zone", max_length=64, initial="UTC", help_text="An IANA name: Europe/Paris."
    )
    languages = forms.CharField(
        label="Languages",
        max_length=200,
        required=False,
        help_text="Language codes separated by commas: en, fr, pt-br.",
    )
    start_date = forms.DateField(
        label="Start date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["type"] = "email"
        cast(forms.ChoiceField, self.fields["level"]).choices = [("", "—")] + [
            (str(number), label) for number, label in directory.level_scale(organization)
        ]

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        return {
            "full_name": person.full_name,
            "email": person.email,
            "employee_id": person.employee_id,
            "job_title": person.job_title,
            "department": person.department,
            "manager": person.manager.email if person.manager else "",
            "level": str(person.level) if person.level else "",
            "location": person.location,
            "time_zone": person.time_zone,
            "languages": ", ".join(person.languages or []),
            "start_date": person.start_date,
        }

    def person_fields(self) -> directory.PersonFields:
        """The cleaned values for the services, the manager resolved inside the organisation."""
        data = self.cleaned_data
        manager_ref = data["manager"].strip()
        return directory.PersonFields(
            full_name=data["full_name"],
            email=data["email"],
            employee_id=data["employee_id"],
            job_title=data["job_title"],
            department=data["department"],
            manager=directory.resolve_person(manager_ref) if manager_ref else None,
            level=data["level"] or None,
            location=data["location"],
            time_zone=data["time_zone"],
            languages=data["languages"],
            start_date=data["start_date"],
        )
