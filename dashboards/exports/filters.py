"""The filters of an export: a period, a department, a level, a role. One cleaner for the page form,
the API body and the task (which reads them back from the job row).

Unknown names, malformed values and a reversed period are ``ValidationError``s with field messages
(400), never ignored: an export that silently dropped a filter would hand out more than was asked.

What the period means per dataset: enrolments by the date they were made, pairs by the date they
were paired, sessions by the date they were held, check-ins by their due date, engagement by the
date the score was computed. Survey results have no period (a survey is one wave): asking for one
is refused. Department and level are the person's (for a pair: the side named by ``role``, or
either side); ``role`` is the enrolment's role (mentor or mentee).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from dashboards.models import ExportDataset

FILTER_NAMES = ("date_from", "date_to", "department", "level", "role")
ROLES = ("mentor", "mentee")


@dataclass(frozen=True)
class ExportFilters:
    date_from: date | None = None
    date_to: date | None = None
    department: str = ""
    level: int | None = None
    role: str = ""

    def as_json(self) -> dict[str, Any]:
        """Only the filters that are set, dates as ISO strings (stored on the job row)."""
        values: dict[str, Any] = {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "department": self.department,
            "level": self.level,
            "role": self.role,
        }
        return {name: value for name, value in values.items() if value not in (None, "")}

    def describe(self) -> str:
        parts = []
        if self.date_from or self.date_to:
            start = self.date_from.isoformat() if self.date_from else "…"
            end = self.date_to.isoformat() if self.date_to else "…"
            parts.append(f"{start} to {end}")
        if self.department:
            parts.append(f"department {self.department}")
        if self.level is not None:
            parts.append(f"level {self.level}")
        if self.role:
            parts.append(f"{self.role}s")
        return ", ".join(parts) or "everything"


def _date(name: str, value: Any, errors: dict[str, list[str]]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = ["Give a date as YYYY-MM-DD."]
        return None


def _level(value: Any, errors: dict[str, list[str]]) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isascii() or not text.isdigit() or len(text) > 2:
        errors["level"] = ["Give a level from 1 to 99."]
        return None
    level = int(text)
    if not 1 <= level <= 99:
        errors["level"] = ["Give a level from 1 to 99."]
        return None
    return level


def clean_filters(dataset: str, raw: Mapping[str, Any] | None) -> ExportFilters:
    """The filters of ``raw`` (names as in ``FILTER_NAMES``), or a ValidationError naming each
    bad field."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ValidationError({"filters": ["Give the filters as an object of name → value."]})
    unknown = sorted(str(name) for name in raw if name not in FILTER_NAMES)
    if unknown:
        raise ValidationError(
            {
                "filters": [
                    f"Unknown filter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                    f"The filters are {', '.join(FILTER_NAMES)}."
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    date_from = _date("date_from", raw.get("date_from"), errors)
    date_to = _date("date_to", raw.get("date_to"), errors)
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = ["The end of the period is before its start."]
    department = raw.get("department") or ""
    if not isinstance(department, str) or len(department.strip()) > 120:
        errors["department"] = ["Give a department name of up to 120 characters."]
        department = ""
    level = _level(raw.get("level"), errors)
    role = raw.get("role") or ""
    if role not in ("", *ROLES):
        errors["role"] = ["Choose mentor, mentee or nothing."]
        role = ""
    if dataset == ExportDataset.SURVEY_RESULTS and (date_from or date_to):
        errors.setdefault(
            "date_from", ["Survey results are per survey (one wave): they take no period."]
        )
    if errors:
        raise ValidationError(errors)
    return ExportFilters(date_from, date_to, department.strip(), level, role)


def stored_filters(values: Mapping[str, Any]) -> ExportFilters:
    """The filters of a job row (cleaned when it was made; cleaned again, as rows outlive code)."""
    return clean_filters("", values)
