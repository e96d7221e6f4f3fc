"""The program dashboard's filters (period, department, level, role) and the privacy gate they pass.

The form checks values against the program's own people: a department or level nobody in the
program has is an unknown value (400 on the API, a message on the page, no data), as is a reversed
date range. The period narrows what happened when (sessions, check-ins); department, level and role
narrow who is counted, and are people conditions under ``surveys.privacy``: a filtered dashboard is
shown only if the people it counts are at least k, and differ from every coarser selection by 0 or
at least k (the differencing rule), so narrowing a filter cannot single out a small group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.db.models import Count, Q

from participants.models import Enrollment, EnrollmentRole
from programs.models import Program
from surveys import privacy

ROLE_CHOICES = [
    ("", "Everyone"),
    (EnrollmentRole.MENTEE, "Mentees"),
    (EnrollmentRole.MENTOR, "Mentors"),
]


@dataclass(frozen=True)
class DashboardFilters:
    start: date | None = None
    end: date | None = None
    department: str = ""
    level: int | None = None
    role: str = ""

    def people_conditions(self) -> dict[str, Any]:
        values = {"role": self.role, "department": self.department, "level": self.level}
        return {name: value for name, value in values.items() if value not in ("", None)}

    @property
    def narrows_people(self) -> bool:
        return bool(self.people_conditions())

    def enrollment_q(self, prefix: str = "") -> Q:
        """The people condition on an enrolment (``prefix`` reaches it from another model)."""
        q = Q()
        if self.role:
            q &= Q(**{f"{prefix}role": self.role})
        if self.department:
            q &= Q(**{f"{prefix}person__department": self.department})
        if self.level is not None:
            q &= Q(**{f"{prefix}person__level": self.level})
        return q

    def pair_q(self, prefix: str = "") -> Q:
        """A pair counts when its member of the chosen role (either member without a role) is one
        of the selected people."""
        people = DashboardFilters(department=self.department, level=self.level, role="")
        if self.role == EnrollmentRole.MENTOR:
            return people.enrollment_q(f"{prefix}mentor__")
        if self.role == EnrollmentRole.MENTEE:
            return people.enrollment_q(f"{prefix}mentee__")
        if not people.narrows_people:
            return Q()
        return people.enrollment_q(f"{prefix}mentor__") | people.enrollment_q(f"{prefix}mentee__")

    def describe(self) -> str:
        parts = []
        if self.role:
            parts.append("mentors" if self.role == EnrollmentRole.MENTOR else "mentees")
        if self.department:
            parts.append(f"department {self.department}")
        if self.level is not None:
            parts.append(f"level {self.level}")
        if self.start or self.end:
            parts.append(f"from {self.start or 'the start'} to {self.end or 'today'}")
        return ", ".join(parts)


class Population:
    """The program's people counted per (role, department, level): one query, the valid filter
    values and every count the differencing rule needs."""

    def __init__(self, program: Program) -> None:
        self.cells: list[tuple[str, str, int | None, int]] = [
            (row["role"], row["person__department"] or "", row["person__level"], row["n"])
            for row in Enrollment.objects.filter(program=program)
            .values("role", "person__department", "person__level")
            .annotate(n=Count("id"))
            .order_by()
        ]
        self.departments = sorted({d for _, d, _, _ in self.cells if d})
        self.levels = sorted({lv for _, _, lv, _ in self.cells if lv is not None})

    def count(self, conditions: dict[str, Any]) -> int:
        index = {"role": 0, "department": 1, "level": 2}
        return sum(
            cell[3]
            for cell in self.cells
            if all(cell[index[name]] == value for name, value in conditions.items())
        )

    def decide(self, filters: DashboardFilters, k: int) -> privacy.Decision:
        conditions = filters.people_conditions()
        return privacy.decide(
            lambda names: self.count({n: conditions[n] for n in names}), frozenset(conditions), k
        )


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    department = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "No one in this program is in that department."},
    )
    level = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "No one in this program has that level."},
    )
    role = forms.ChoiceField(
        required=False,
        choices=ROLE_CHOICES,
        error_messages={"invalid_choice": "Choose mentee, mentor or nothing."},
    )

    def __init__(self, data: Any, *, population: Population) -> None:
        super().__init__(data)
        departments = self.fields["department"]
        assert isinstance(departments, forms.ChoiceField)
        departments.choices = [("", "Every department"), *[(d, d) for d in population.departments]]
        levels = self.fields["level"]
        assert isinstance(levels, forms.ChoiceField)
        levels.choices = [("", "Every level"), *[(str(lv), str(lv)) for lv in population.levels]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period comes before its start.")
        return data

    def filters(self) -> DashboardFilters:
        data = self.cleaned_data
        return DashboardFilters(
            start=data.get("start"),
            end=data.get("end"),
            department=data.get("department") or "",
            level=data.get("level"),
            role=data.get("role") or "",
        )
