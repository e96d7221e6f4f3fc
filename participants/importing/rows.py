"""Checking every row of a file against one snapshot of the directory, and planning what each row does.

``check_rows`` validates every row against the directory loaded once (one query, no query per row)
and reports every problem of every row at once. A file's row matches an existing person by
employee id when it has one, else by email, so importing the same file again updates people instead
of adding them twice. For mapped columns the file is the truth: a blank cell clears the field
(except the time zone, which a blank cell leaves alone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from organizations.models import Organization
from participants import directory
from participants.importing.parsing import DEMOGRAPHIC_PREFIX, ParsedFile, cell_text
from participants.models import Person

PROGRESS_EVERY = 500
TRUE_WORDS = {"yes", "y", "true", "1", "x", "consented", "consent"}
FALSE_WORDS = {"", "no", "n", "false", "0"}


Node = tuple[str, int]  # ("p", person id) for a directory person, ("r", row index) for a new row


@dataclass
class Directory:
    """One snapshot of the organisation's people, as plain tuples (one query)."""

    people: dict[int, dict[str, Any]]
    by_email: dict[str, int]
    by_employee_id: dict[str, int]

    FIELDS = (
        "id",
        "email",
        "employee_id",
        "full_name",
        "job_title",
        "department",
        "manager_id",
        "level",
        "location",
        "time_zone",
        "languages",
        "start_date",
        "demographics",
        "demographics_consented_at",
    )

    @classmethod
    def load(cls) -> Directory:
        people = {row["id"]: row for row in Person.objects.order_by().values(*cls.FIELDS)}
        return cls(
            people=people,
            by_email={row["email"].lower(): pk for pk, row in people.items()},
            by_employee_id={
                row["employee_id"]: pk for pk, row in people.items() if row["employee_id"]
            },
        )


@dataclass
class RowPlan:
    """What one valid row does: create a person, or update (or leave) an existing one."""

    index: int
    values: dict[str, Any]
    existing_id: int | None = None
    manager: Node | None = None
    manager_mapped: bool = False
    changed: list[str] = field(default_factory=list)

    @property
    def row(self) -> int:
        return self.index + 2


@dataclass
class CheckResult:
    problems: list[dict[str, Any]]
    plans: list[RowPlan]
    skipped: int = 0

    def counts(self) -> dict[str, int]:
        created = sum(1 for plan in self.plans if plan.existing_id is None)
        updated = sum(1 for plan in self.plans if plan.existing_id is not None and plan.changed)
        return {
            "created": created,
            "updated": updated,
            "unchanged": len(self.plans) - created - updated,
            "skipped": self.skipped,
        }


class _RowChecker:
    """Checks every row; collects every problem (row, field, column, message)."""

    def __init__(
        self, organization: Organization, parsed: ParsedFile, mapping: dict[str, int]
    ) -> None:
        self.organization = organization
        self.headers = parsed.headers
        self.rows = parsed.rows
        self.mapping = mapping
        self.problems: list[dict[str, Any]] = []
        self.levels = directory.level_parser(organization)
        self.demographic_fields = [
            key.removeprefix(DEMOGRAPHIC_PREFIX)
            for key in mapping
            if key.startswith(DEMOGRAPHIC_PREFIX)
        ]
        self.demographics_mapped = (
            bool(self.demographic_fields) or "demographics_consent" in mapping
        )

    def problem(self, index: int, key: str, message: str) -> None:
        column = self.headers[self.mapping[key]] if key in self.mapping else ""
        self.problems.append({"row": index + 2, "field": key, "column": column, "message": message})

    def cells(self, row: list[Any]) -> dict[str, Any]:
        return {
            key: row[column] if column < len(row) else None for key, column in self.mapping.items()
        }

    def check(
        self, directory_: Directory, progress: Callable[[int], None] | None = None
    ) -> CheckResult:
        plans: dict[int, RowPlan] = {}
        skipped = 0
        for index, row in enumerate(self.rows):
            if progress is not None and index and index % PROGRESS_EVERY == 0:
                progress(index)
            cells = self.cells(row)
            if not any(cell_text(value) for value in cells.values()):
                skipped += 1
                continue
            plans[index] = RowPlan(index=index, values=self.check_fields(index, cells))
        self.check_duplicates(plans)
        self.match_existing(plans, directory_)
        if "manager" in self.mapping:
            self.resolve_managers(plans, directory_)
            self.check_cycles(plans, directory_)
        bad_rows = {problem["row"] for problem in self.problems}
        valid = [plan for plan in plans.values() if plan.row not in bad_rows]
        for plan in valid:
            plan.changed = self.changes(plan, directory_)
        self.problems.sort(key=lambda problem: problem["row"])
        return CheckResult(problems=self.problems, plans=valid, skipped=skipped)

    # One row's own fields ---------------------------------------------------------------------

    def check_fields(self, index: int, cells: dict[str, Any]) -> dict[str, Any]:
        """The row's clean values for the mapped fields (problems recorded on the side)."""
        values: dict[str, Any] = {}
        raw_email = cell_text(cells.get("email"))
        if not raw_email:
            self.problem(index, "email", "The email is missing.")
        else:
            self.rule(index, "email", values, directory.normalise_email, raw_email)
        self.check_name(index, cells, values)
        for key in directory.TEXT_LIMITS:
            if key in cells and key != "full_name":
                self.rule(index, key, values, directory.check_text, key, cell_text(cells[key]))
        if "level" in cells:
            self.rule(
                index,
                "level",
                values,
                lambda value: directory.parse_level(self.organization, value, accepted=self.levels),
                cells["level"],
            )
        if "time_zone" in cells and cell_text(cells["time_zone"]):
            self.rule(
                index,
                "time_zone",
                values,
                directory.canonical_time_zone,
                cell_text(cells["time_zone"]),
            )
        if "languages" in cells:
            self.rule(
                index, "languages", values, directory.parse_languages, cell_text(cells["languages"])
            )
        if "start_date" in cells:
            self.rule(index, "start_date", values, _parse_date, cells["start_date"])
        if "manager" in cells:
            values["manager"] = cell_text(cells["manager"])
        if self.demographics_mapped:
            self.check_demographics(index, cells, values)
        return values

    def rule(
        self, index: int, key: str, values: dict[str, Any], check: Callable[..., Any], *args: Any
    ) -> None:
        try:
            values[key] = check(*args)
        except ValidationError as error:
            for message in error.messages:
                self.problem(index, key, message)

    def check_name(self, index: int, cells: dict[str, Any], values: dict[str, Any]) -> None:
        name = cell_text(cells.get("full_name"))
        if not name:
            name = " ".join(
                part
                for part in (cell_text(cells.get("first_name")), cell_text(cells.get("last_name")))
                if part
            )
        key = (
            "full_name"
            if "full_name" in self.mapping
            else next(key for key in ("first_name", "last_name") if key in self.mapping)
        )
        if not name:
            self.problem(index, key, "The name is missing.")
        else:
            self.rule(index, key, values, directory.check_text, "full_name", name)
            if key in values:
                values["full_name"] = values.pop(key)

    def check_demographics(self, index: int, cells: dict[str, Any], values: dict[str, Any]) -> None:
        answers = {
            name: cell_text(cells[DEMOGRAPHIC_PREFIX + name]) for name in self.demographic_fields
        }
        consent: bool | None = None
        if "demographics_consent" in cells:
            word = cell_text(cells["demographics_consent"]).lower()
            if word in TRUE_WORDS:
                consent = True
            elif word in FALSE_WORDS:
                consent = False
            else:
                self.problem(index, "demographics_consent", "Write yes or no.")
                return
        if any(answers.values()) and consent is not True:
            self.problem(
                index,
                "demographics_consent",
                "Demographic answers are only imported when the consent column says yes.",
            )
            return
        clean: dict[str, str | None] = {}
        for name, answer in answers.items():
            try:
                clean[name] = directory.check_demographics(self.organization, {name: answer}).get(
                    name
                )
            except ValidationError as error:
                for message in error.messages:
                    self.problem(index, DEMOGRAPHIC_PREFIX + name, message)
        if len(clean) == len(answers):
            values["demographics"] = (consent, clean)

    # Across rows ------------------------------------------------------------------------------

    def check_duplicates(self, plans: dict[int, RowPlan]) -> None:
        for key in ("email", "employee_id"):
            first: dict[str, int] = {}
            for index, plan in plans.items():
                value = plan.values.get(key)
                if not value:
                    continue
                if value in first:
                    label = "email" if key == "email" else "employee id"
                    self.problem(
                        index, key, f"Duplicate {label} {value}: also on row {first[value] + 2}."
                    )
                else:
                    first[value] = index

    def match_existing(self, plans: dict[int, RowPlan], people: Directory) -> None:
        claimed: dict[int, int] = {}
        for index, plan in plans.items():
            email = plan.values.get("email")
            employee_id = plan.values.get("employee_id")
            by_id = people.by_employee_id.get(employee_id) if employee_id else None
            by_email = people.by_email.get(email) if email else None
            existing = by_id
            if existing is None and by_email is not None:
                other_id = people.people[by_email]["employee_id"]
                if employee_id and other_id and other_id != employee_id:
                    self.problem(
                        index,
                        "email",
                        f"{email} belongs to another person in the directory (employee id "
                        f"{other_id}).",
                    )
                    continue
                existing = by_email
            elif existing is not None and by_email is not None and by_email != existing:
                self.problem(index, "email", f"{email} belongs to another person in the directory.")
                continue
            if existing is None:
                continue
            if existing in claimed:
                self.problem(
                    index,
                    "email" if by_id is None else "employee_id",
                    f"Row {claimed[existing] + 2} already updates this person.",
                )
                continue
            claimed[existing] = index
            plan.existing_id = existing

    def node(self, plan: RowPlan) -> Node:
        return ("p", plan.existing_id) if plan.existing_id is not None else ("r", plan.index)

    def resolve_managers(self, plans: dict[int, RowPlan], people: Directory) -> None:
        row_by_email = {
            plan.values["email"]: plan for plan in plans.values() if plan.values.get("email")
        }
        row_by_employee_id = {
            plan.values["employee_id"]: plan
            for plan in plans.values()
            if plan.values.get("employee_id")
        }
        row_of_person = {
            plan.existing_id: plan for plan in plans.values() if plan.existing_id is not None
        }
        for index, plan in plans.items():
            plan.manager_mapped = True
            reference = plan.values.pop("manager", "")
            if not reference:
                continue
            if "@" in reference:
                target = row_by_email.get(reference.lower())
                person_id = people.by_email.get(reference.lower())
            else:
                target = row_by_employee_id.get(reference)
                person_id = people.by_employee_id.get(reference)
            if target is None and person_id is not None:
                target = row_of_person.get(person_id)
            if target is not None:
                manager: Node = self.node(target)
            elif person_id is not None:
                manager = ("p", person_id)
            else:
                self.problem(
                    index,
                    "manager",
                    f"Unknown manager {reference}: nobody in this file or in the directory has "
                    "this email or employee id.",
                )
                continue
            if manager == self.node(plan):
                self.problem(index, "manager", "A person cannot be their own manager.")
                continue
            plan.manager = manager

    def check_cycles(self, plans: dict[int, RowPlan], people: Directory) -> None:
        """Reporting lines after the import must form a forest: walk each chain once (O(n))."""
        parent: dict[Node, Node | None] = {
            ("p", pk): (("p", row["manager_id"]) if row["manager_id"] else None)
            for pk, row in people.people.items()
        }
        in_file: dict[Node, RowPlan] = {}
        for plan in plans.values():
            in_file[self.node(plan)] = plan
            parent[self.node(plan)] = plan.manager
        state: dict[Node, int] = {}  # 1: on the current walk, 2: known to end at a root
        for start in in_file:
            path: list[Node] = []
            node: Node | None = start
            while node is not None and node not in state:
                state[node] = 1
                path.append(node)
                node = parent.get(node)
            if node is not None and state[node] == 1:
                cycle = path[path.index(node) :]
                self.report_cycle(cycle, in_file, people)
            for visited in path:
                state[visited] = 2

    def report_cycle(
        self, cycle: list[Node], in_file: dict[Node, RowPlan], people: Directory
    ) -> None:
        def name(node: Node) -> str:
            plan = in_file.get(node)
            if plan is not None:
                return f"{plan.values.get('full_name', '?')} (row {plan.row})"
            return str(people.people[node[1]]["full_name"])

        names = " → ".join(name(node) for node in [*cycle, cycle[0]])
        for node in cycle:
            plan = in_file.get(node)
            if plan is not None:
                self.problem(plan.index, "manager", f"Reporting cycle: {names}.")

    # What changes -----------------------------------------------------------------------------

    def changes(self, plan: RowPlan, people: Directory) -> list[str]:
        """Fill ``plan.values`` with the final values and return the fields that differ."""
        current = people.people.get(plan.existing_id) if plan.existing_id is not None else None
        values = plan.values
        demographics = values.pop("demographics", None)
        if demographics is not None:
            consent, answers = demographics
            final = dict(current["demographics"]) if current else {}
            for name, answer in answers.items():
                if answer:
                    final[name] = answer
                else:
                    final.pop(name, None)
            if consent is False:
                final = {}
            values["demographics"] = final
            consented_at = current["demographics_consented_at"] if current else None
            values["demographics_consented_at"] = (
                (consented_at or timezone.now()) if final else None
            )
        if plan.manager_mapped:
            values["manager_id"] = plan.manager
        if current is None:
            return list(values)
        changed = []
        for key, value in values.items():
            old = current[key]
            if key == "manager_id":
                old = ("p", old) if old else None
            if key == "demographics_consented_at":
                continue
            if old != value:
                changed.append(key)
        if "demographics" in changed:
            changed.append("demographics_consented_at")
        return changed


def _parse_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"“{text}” is not a date: use YYYY-MM-DD.") from None


def check_rows(
    organization: Organization,
    parsed: ParsedFile,
    mapping: dict[str, int],
    *,
    people: Directory | None = None,
    progress: Callable[[int], None] | None = None,
) -> CheckResult:
    """Check every row against the directory (loaded once) and plan what each row does."""
    checker = _RowChecker(organization, parsed, mapping)
    return checker.check(people or Directory.load(), progress)
