"""The organisation's directory of people: field rules, writes (services) and reads (selectors).

Writes are keyword-only, atomic, validated and audited. The field rules (``parse_level``,
``canonical_time_zone``, ``parse_languages``, …) are shared with the bulk import, which applies them
to every row of a file without a query per row.

Demographics are self-reported and consented; they are written here but never read back into the
directory pages or the API (only aggregates elsewhere use them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, NotRequired, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core import locales
from core.text import single_line
from organizations.audit import log_action
from organizations.models import Organization
from participants.enrollment import enrollment_withdraw_departed
from participants.models import Person
from participants.signals import person_departed

DEFAULT_LEVELS = 10
MAX_LANGUAGES = 10
# The longest reporting chain we follow: deeper than any real organisation, and a guard against a
# cycle that could only come from data written outside the services.
MAX_CHAIN_DEPTH = 100
_LANGUAGE_LISTS = re.compile(r"[,;/|\n]+")

# Free-text fields and their column sizes (checked before the database would refuse them).
TEXT_LIMITS = {
    "full_name": 200,
    "employee_id": 64,
    "job_title": 200,
    "department": 120,
    "location": 120,
    "external_id": 255,
}


# --- Field rules -------------------------------------------------------------------------------------


def normalise_email(value: str) -> str:
    """Lower-cased, trimmed and valid, or a ValidationError with a message for the person."""
    email = (value or "").strip().lower()
    if not email:
        raise ValidationError("Enter an email address.")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"“{value.strip()}” is not a valid email address.") from None
    return email


def level_scale(organization: Organization) -> list[tuple[int, str]]:
    """The organisation's levels, lowest first: named grades, or plain numbers 1-10."""
    labels = [str(label) for label in organization.level_labels or []]
    if labels:
        return [(number, label) for number, label in enumerate(labels, start=1)]
    return [(number, str(number)) for number in range(1, DEFAULT_LEVELS + 1)]


def level_label(organization: Organization, level: int | None) -> str:
    if level is None:
        return ""
    return dict(level_scale(organization)).get(level, str(level))


def level_parser(organization: Organization) -> dict[str, int]:
    """Accepted spellings of each level (its number and, with named grades, its name)."""
    accepted: dict[str, int] = {}
    for number, label in level_scale(organization):
        accepted[str(number)] = number
        accepted[label.strip().lower()] = number
    return accepted


def parse_level(
    organization: Organization, value: object, *, accepted: dict[str, int] | None = None
) -> int | None:
    """A level given as its number or its name; None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    accepted = accepted if accepted is not None else level_parser(organization)
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    number = accepted.get(text.lower())
    if number is None:
        scale = level_scale(organization)
        if organization.level_labels:
            names = ", ".join(label for _number, label in scale)
            raise ValidationError(f"“{text}” is not a level here. Use one of: {names}.")
        raise ValidationError(f"“{text}” is not a level here. Use a number from 1 to {len(scale)}.")
    return number


def canonical_time_zone(value: str) -> str:
    """The IANA name in its usual spelling, from a zone, a city, a country or a Windows zone name.

    ``europe/paris``, ``Paris`` and ``France`` are all ``Europe/Paris`` (``core.locales``).
    """
    text = (value or "").strip()
    try:
        return locales.time_zone(text)
    except locales.AmbiguousNameError as error:
        examples = ", ".join(error.choices[:4])
        raise ValidationError(
            f"“{text}” spans several time zones. Write a city or a zone, such as {examples}."
        ) from None
    except locales.UnknownNameError as error:
        raise ValidationError(
            f"“{text}” is not a time zone.{_did_you_mean(error.suggestions)}"
            " Use an IANA name such as Europe/Paris, a city or a country."
        ) from None


def _did_you_mean(suggestions: list[str]) -> str:
    if not suggestions:
        return ""
    return f" Did you mean {' or '.join(suggestions)}?"


def _language_items(value: str) -> list[str]:
    """The languages of a cell: split on commas, semicolons, slashes and bars; a part that is not
    one language name ("British English" is) is split on spaces too ("en fr")."""
    items: list[str] = []
    for part in _LANGUAGE_LISTS.split(value):
        part = part.strip()
        if not part:
            continue
        try:
            locales.language_code(part)
        except locales.UnknownNameError:
            items.extend(part.split())
        else:
            items.append(part)
    return items


def parse_languages(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Language codes (ISO 639, optionally with a region: ``en``, ``pt-br``), without repeats.

    Each language may be written as a code in any case (``EN``, ``en_GB``, ``en-GB``), an English
    name ("German") or its own name ("Deutsch", "français"): ``core.locales`` reads them.
    """
    if value is None:
        return []
    items = _language_items(value) if isinstance(value, str) else [str(v) for v in value]
    codes: list[str] = []
    bad: list[str] = []
    for item in items:
        if not item.strip():
            continue
        try:
            code = locales.language_code(item)
        except locales.UnknownNameError as error:
            close = " or ".join(error.suggestions)
            bad.append(f"“{error.value}” (did you mean {close}?)" if close else f"“{error.value}”")
            continue
        if code not in codes:
            codes.append(code)
    if bad:
        raise ValidationError(
            f"Not a language: {'; '.join(bad)}. Use names or codes such as English, Deutsch, "
            "en, fr, pt-br."
        )
    if len(codes) > MAX_LANGUAGES:
        raise ValidationError(f"List at most {MAX_LANGUAGES} languages.")
    return codes


def check_demographics(organization: Organization, demographics: dict[str, Any]) -> dict[str, str]:
    """Values in the organisation's configured options (canonical spelling); blank values dropped.

    Messages never repeat the value: it is a person's self-reported data.
    """
    options: dict[str, list[str]] = organization.demographic_options or {}
    clean: dict[str, str] = {}
    errors: list[str] = []
    for field, raw in demographics.items():
        value = str(raw or "").strip()
        if not value:
            continue
        allowed = {str(option).lower(): str(option) for option in options.get(field, [])}
        if field not in options:
            errors.append(f"{field} is not a demographic field of this organisation.")
        elif value.lower() not in allowed:
            errors.append(f"Unknown value for {field}: use one of {', '.join(options[field])}.")
        else:
            clean[field] = allowed[value.lower()]
    if errors:
        raise ValidationError(errors)
    return clean


def check_text(field: str, value: str) -> str:
    value = (value or "").strip()
    limit = TEXT_LIMITS[field]
    if len(value) > limit:
        raise ValidationError(f"Use at most {limit} characters.")
    single_line(value)
    return value


# --- Reporting lines ---------------------------------------------------------------------------------

_CHAIN_SQL = """
WITH RECURSIVE chain(id, manager_id, depth) AS (
    SELECT id, manager_id, 0 FROM participants_person
    WHERE id = %(start)s AND organization_id = %(org)s
    UNION ALL
    SELECT p.id, p.manager_id, chain.depth + 1
    FROM participants_person p JOIN chain ON p.id = chain.manager_id
    WHERE p.organization_id = %(org)s AND chain.depth < %(limit)s
)
SELECT id FROM chain ORDER BY depth
"""


def chain_ids(*, organization: Organization, start_id: int) -> list[int]:
    """``start_id`` and everyone above them, nearest first, in one recursive query."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CHAIN_SQL, {"start": start_id, "org": organization.pk, "limit": MAX_CHAIN_DEPTH}
        )
        return [row[0] for row in cursor.fetchall()]


def reporting_chain(person: Person) -> list[Person]:
    """The person's manager, their manager, … up to the top (nearest first). Two queries."""
    ids = chain_ids(organization=person.organization, start_id=person.pk)[1:]
    if not ids:
        return []
    by_id = Person.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def manager_map() -> dict[int, int | None]:
    """Every person's manager id in the scoped organisation (for bulk checks such as matching)."""
    return dict(Person.objects.values_list("id", "manager_id"))


# --- Selectors ---------------------------------------------------------------------------------------


def person_list(
    *,
    search: str = "",
    department: str = "",
    status: str = "active",
    level: int | None = None,
    group: int | None = None,
) -> QuerySet[Person]:
    """People of the scoped organisation, filtered (``group``: members of that directory group);
    managers joined (one query per page)."""
    people = Person.objects.select_related("manager").defer("demographics", "manager__demographics")
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False)
    if department:
        people = people.filter(department__iexact=department)
    if level is not None:
        people = people.filter(level=level)
    if group is not None:
        people = people.filter(groups=group)
    for word in search.split()[:5]:
        people = people.filter(
            Q(full_name__icontains=word)
            | Q(email__icontains=word)
            | Q(department__icontains=word)
            | Q(employee_id__iexact=word)
        )
    return people.order_by("full_name", "id")


def department_list() -> list[str]:
    return list(
        Person.objects.exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


def direct_reports(person: Person) -> QuerySet[Person]:
    return Person.objects.filter(manager=person).order_by("full_name", "id")


def resolve_person(value: int | str, *, field: str = "manager") -> Person:
    """A person of the scoped organisation, else a field error. An int is an id; a string is an
    email (it has an @) or an employee id (which are often numeric, hence never read as an id)."""
    people = Person.objects.all()
    found: Person | None
    if isinstance(value, int):
        found = people.filter(pk=value).first() if 0 < value < 2**63 else None
        text = str(value)
    else:
        text = value.strip()
        if "@" in text:
            found = people.filter(email__iexact=text).first()
        else:
            found = people.filter(employee_id=text).first() if text else None
    if found is None:
        raise ValidationError({field: f"No person “{text}” in this organisation."})
    return found


# --- Services ----------------------------------------------------------------------------------------


class PersonFields(TypedDict):
    """What an admin or coordinator may set on a person (demographics have their own service)."""

    email: NotRequired[str]
    full_name: NotRequired[str]
    employee_id: NotRequired[str]
    external_id: NotRequired[str]
    job_title: NotRequired[str]
    department: NotRequired[str]
    manager: NotRequired[Person | None]
    level: NotRequired[int | str | None]
    location: NotRequired[str]
    time_zone: NotRequired[str]
    languages: NotRequired[str | list[str]]
    start_date: NotRequired[date | None]


@dataclass
class _Errors:
    fields: dict[str, list[str]]

    def check(self, field: str, rule: Any, *args: Any) -> Any:
        try:
            return rule(*args)
        except ValidationError as error:
            self.fields.setdefault(field, []).extend(error.messages)
            return None


def _clean(
    organization: Organization, person: Person | None, fields: PersonFields
) -> dict[str, Any]:
    errors = _Errors({})
    clean: dict[str, Any] = {}
    if "email" in fields:
        clean["email"] = errors.check("email", normalise_email, fields["email"])
    for name in TEXT_LIMITS:
        if name in fields:
            clean[name] = errors.check(name, check_text, name, fields[name])  # type: ignore[literal-required]
    if "full_name" in clean and not clean["full_name"] and "full_name" not in errors.fields:
        errors.fields["full_name"] = ["Enter the person's name."]
    if "level" in fields:
        clean["level"] = errors.check("level", parse_level, organization, fields["level"])
    if "time_zone" in fields:
        clean["time_zone"] = errors.check("time_zone", canonical_time_zone, fields["time_zone"])
    if "languages" in fields:
        clean["languages"] = errors.check("languages", parse_languages, fields["languages"])
    if "start_date" in fields:
        clean["start_date"] = fields["start_date"]
    if "manager" in fields:
        manager = fields["manager"]
        if manager is not None and manager.organization_id != organization.pk:
            errors.fields["manager"] = ["No such person in this organisation."]
        elif manager is not None and person is not None and manager.pk == person.pk:
            errors.fields["manager"] = ["A person cannot be their own manager."]
        elif (
            manager is not None
            and person is not None
            and person.pk in chain_ids(organization=organization, start_id=manager.pk)
        ):
            errors.fields["manager"] = [
                f"{manager.full_name} reports to {person.full_name} (directly or through "
                "others): this would make a reporting cycle."
            ]
        clean["manager"] = manager
    _check_unique(clean, person, errors)
    if errors.fields:
        raise ValidationError(errors.fields)
    return clean


def _check_unique(clean: dict[str, Any], person: Person | None, errors: _Errors) -> None:
    others = Person.objects.exclude(pk=person.pk) if person is not None else Person.objects.all()
    if clean.get("email") and others.filter(email__iexact=clean["email"]).exists():
        errors.fields.setdefault("email", []).append("Another person already has this email.")
    if clean.get("employee_id") and others.filter(employee_id=clean["employee_id"]).exists():
        errors.fields.setdefault("employee_id", []).append(
            "Another person already has this employee id."
        )


def lock_reporting_lines(organization: Organization) -> None:
    """Serialise writes that change reporting lines in one organisation (no cycle by write skew)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7201, organization.pk])


def _save(person: Person, *, update_fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            person.save(update_fields=update_fields)
    except IntegrityError as error:
        message = str(error)
        if "person_unique_email" in message:
            raise ValidationError({"email": "Another person already has this email."}) from None
        if "person_unique_employee_id" in message:
            raise ValidationError(
                {"employee_id": "Another person already has this employee id."}
            ) from None
        raise


def person_create(
    *, organization: Organization, actor: Any, **fields: Unpack[PersonFields]
) -> Person:
    """Add a person to the directory. Email and name are required."""
    fields.setdefault("email", "")
    fields.setdefault("full_name", "")
    with transaction.atomic():
        lock_reporting_lines(organization)
        clean = _clean(organization, None, fields)
        person = Person(organization=organization, **clean)
        _save(person)
        log_action(
            actor=actor, action="person.created", target=person, data={"email": person.email}
        )
    return person


def person_update(
    *, organization: Organization, actor: Any, person: Person, **fields: Unpack[PersonFields]
) -> Person:
    """Change some fields of a person; only the fields given are checked and written."""
    with transaction.atomic():
        lock_reporting_lines(organization)
        clean = _clean(organization, person, fields)
        changed = [name for name, value in clean.items() if getattr(person, name) != value]
        if not changed:
            return person
        for name in changed:
            setattr(person, name, clean[name])
        person.updated_at = timezone.now()
        _save(person, update_fields=[*changed, "updated_at"])
        log_action(actor=actor, action="person.updated", target=person, data={"fields": changed})
    return person


def person_set_active(*, actor: Any, person: Person, active: bool) -> Person:
    """Deactivate (they stay in reporting lines and history) or reactivate a person.

    Deactivating means they left: their open pairs end (each partner is told and the program's
    staff are offered a re-match, ``person_departed``), then their open enrolments are withdrawn.
    Reactivating restores the directory entry only; enrolling again is a new enrolment."""
    if person.is_active == active:
        return person
    with transaction.atomic():
        person.is_active = active
        person.updated_at = timezone.now()
        person.save(update_fields=["is_active", "updated_at"])
        log_action(
            actor=actor,
            action="person.reactivated" if active else "person.deactivated",
            target=person,
        )
        if not active:
            person_departed.send(Person, person=person, actor=actor)
            enrollment_withdraw_departed(person=person, actor=actor)
    return person


def person_set_demographics(
    *,
    organization: Organization,
    actor: Any,
    person: Person,
    demographics: dict[str, Any],
    consent: bool,
) -> Person:
    """The person's own, consented answers. Without consent, every stored answer is removed."""
    clean: dict[str, str] = {}
    if consent:
        try:
            clean = check_demographics(organization, demographics)
        except ValidationError as error:
            raise ValidationError({"demographics": error.messages}) from None
    elif any(str(value or "").strip() for value in demographics.values()):
        raise ValidationError(
            {"demographics": "Demographic answers are only kept with the person's consent."}
        )
    with transaction.atomic():
        person.demographics = clean
        if not clean:
            person.demographics_consented_at = None
        elif person.demographics_consented_at is None:
            person.demographics_consented_at = timezone.now()
        person.updated_at = timezone.now()
        person.save(update_fields=["demographics", "demographics_consented_at", "updated_at"])
        # The audit trail records that answers changed, never what they are.
        log_action(
            actor=actor,
            action="person.demographics_updated",
            target=person,
            data={"consented": bool(clean)},
        )
    return person
