"""Who a bulk invitation reaches: the directory filtered (level range, department, job title,
not yet in the program), or the ids ticked on the page.

"Select all" means every person the filters match, on every page, not only the visible page: the
server computes the same query again from the filters the form carries, so what is sent is what
was counted. Values are checked here (bad input is a field error, never a 500).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from participants.models import Enrollment, Person
from programs.models import Program

MAX_PEOPLE = 2000  # one batch; a larger directory is invited in several batches
TEXT_MAX = 120


@dataclass(frozen=True)
class Filters:
    search: str = ""
    department: str = ""
    title: str = ""
    level_min: int | None = None
    level_max: int | None = None
    not_invited: bool = True

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def narrowed(self) -> bool:
        return any((self.search, self.department, self.title, self.level_min, self.level_max))


def _text(data: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> str:
    value = data.get(name) or ""
    if not isinstance(value, str):
        errors[name] = ["Enter text."]
        return ""
    value = value.strip()
    if len(value) > TEXT_MAX:
        errors[name] = [f"Use at most {TEXT_MAX} characters."]
    return value[:TEXT_MAX]


def _level(data: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = ["Enter a level number."]
        return None
    if not 1 <= number <= 99:
        errors[name] = ["Levels go from 1 to 99."]
        return None
    return number


def _flag(value: Any) -> bool:
    return value in (True, "1", "true", "on", "yes", 1)


def clean_filters(data: Mapping[str, Any], *, default_not_invited: bool = True) -> Filters:
    """Filters from a query string, a form or a JSON object; a ValidationError names the field.
    ``not_invited`` is on unless the data says otherwise (a page with checkboxes says so with the
    hidden ``filtered`` marker: an unticked box is then off)."""
    errors: dict[str, list[str]] = {}
    filters = Filters(
        search=_text(data, "search", errors),
        department=_text(data, "department", errors),
        title=_text(data, "title", errors),
        level_min=_level(data, "level_min", errors),
        level_max=_level(data, "level_max", errors),
        not_invited=_flag(data["not_invited"]) if "not_invited" in data else default_not_invited,
    )
    if (
        filters.level_min is not None
        and filters.level_max is not None
        and filters.level_min > filters.level_max
    ):
        errors["level_max"] = ["The highest level is below the lowest."]
    if errors:
        raise ValidationError(errors)
    return filters


def people_matching(program: Program, filters: Filters) -> QuerySet[Person]:
    """Active people of the scoped organisation that the filters match, by name."""
    people = Person.objects.filter(is_active=True).annotate(
        in_program=Exists(Enrollment.objects.filter(program=program, person=OuterRef("pk")))
    )
    if filters.not_invited:
        people = people.filter(in_program=False)
    if filters.department:
        people = people.filter(department__iexact=filters.department)
    if filters.title:
        people = people.filter(job_title__icontains=filters.title)
    if filters.level_min is not None:
        people = people.filter(level__gte=filters.level_min)
    if filters.level_max is not None:
        people = people.filter(level__lte=filters.level_max)
    for word in filters.search.split()[:5]:
        people = people.filter(
            Q(full_name__icontains=word) | Q(email__icontains=word) | Q(employee_id__iexact=word)
        )
    return people.order_by("full_name", "id")


def chosen_people(
    program: Program, *, filters: Filters, select_all: bool, person_ids: list[int]
) -> list[int]:
    """The ids to invite: every match of the filters (select all), or the ticked ids (each must be
    an active person of this organisation)."""
    if select_all:
        ids = list(people_matching(program, filters).values_list("pk", flat=True)[: MAX_PEOPLE + 1])
        if not ids:
            raise ValidationError({"select_all": ["Nobody matches these filters."]})
    else:
        ids = list(dict.fromkeys(person_ids))
        if not ids:
            raise ValidationError(
                {"person_ids": ["Tick the people to invite, or select everyone who matches."]}
            )
        found = set(Person.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        unknown = [str(pk) for pk in ids if pk not in found]
        if unknown:
            raise ValidationError(
                {"person_ids": [f"Unknown or inactive person id(s): {', '.join(unknown[:10])}."]}
            )
    if len(ids) > MAX_PEOPLE:
        raise ValidationError(
            {
                "select_all" if select_all else "person_ids": [
                    f"Invite at most {MAX_PEOPLE} people at once; narrow the filters."
                ]
            }
        )
    return ids
