"""Directory import from CSV or XLSX: upload, map columns, dry run, commit all rows or none.

The steps run as Celery tasks (``participants.tasks``) that claim their ``ImportJob`` with a
conditional update, so a duplicate or redelivered message never runs a step twice. Both steps use
``check_rows``, which validates every row against one snapshot of the directory (one query, no query
per row) and reports every problem of every row at once. Rows are numbered as in a spreadsheet: the
header is row 1, the first person row 2.

A file's row matches an existing person by employee id when it has one, else by email, so importing
the same file again updates people instead of adding them twice. For mapped columns the file is the
truth: a blank cell clears the field (except the time zone, which a blank cell leaves alone).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from organizations.audit import log_action
from organizations.models import Organization
from organizations.tasks import enqueue_on_commit
from participants import directory
from participants.models import ImportJob, ImportStatus, Person

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
PROGRESS_EVERY = 500
BATCH_SIZE = 1000
# Statuses from which a (new) dry run may start.
REVALIDATABLE = (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.FAILED)
TRUE_WORDS = {"yes", "y", "true", "1", "x", "consented", "consent"}
FALSE_WORDS = {"", "no", "n", "false", "0"}
_HEADER_NOISE = re.compile(r"[^a-z0-9]")


# --- Targets and mapping -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A directory field that a column of the file can fill."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    help: str = ""


BASE_TARGETS = (
    Target("email", "Email", ("email", "emailaddress", "workemail", "mail", "businessemail")),
    Target("full_name", "Full name", ("name", "fullname", "employeename", "displayname", "person")),
    Target("first_name", "First name", ("firstname", "givenname", "forename")),
    Target("last_name", "Last name", ("lastname", "surname", "familyname")),
    Target(
        "employee_id",
        "Employee id",
        ("employeeid", "employeenumber", "empid", "staffid", "employeeno", "workerid", "id"),
    ),
    Target("job_title", "Job title", ("jobtitle", "title", "position", "role", "jobrole")),
    Target("department", "Department", ("department", "dept", "team", "division", "businessunit")),
    Target(
        "manager",
        "Manager",
        (
            "manager",
            "manageremail",
            "managerid",
            "manageremployeeid",
            "reportsto",
            "linemanager",
            "linemanageremail",
            "supervisor",
            "supervisoremail",
        ),
        "The manager's email or employee id: someone in the directory or in this file.",
    ),
    Target("level", "Level", ("level", "grade", "band", "joblevel", "seniority", "careerlevel")),
    Target("location", "Location", ("location", "office", "site", "city", "worklocation")),
    Target("time_zone", "Time zone", ("timezone", "tz", "zone"), "IANA names: Europe/Paris."),
    Target("languages", "Languages", ("languages", "language", "spokenlanguages")),
    Target(
        "start_date",
        "Start date",
        ("startdate", "hiredate", "joindate", "datejoined", "hired", "joined"),
        "YYYY-MM-DD, or a date cell in XLSX.",
    ),
    Target(
        "demographics_consent",
        "Demographics consent",
        ("demographicsconsent", "consent", "diversityconsent"),
        "yes / no. Demographic answers are only imported with a yes.",
    ),
)
DEMOGRAPHIC_PREFIX = "demographic:"


def import_targets(organization: Organization) -> list[Target]:
    demographic = [
        Target(
            f"{DEMOGRAPHIC_PREFIX}{name}",
            f"{name.replace('_', ' ').capitalize()} (demographic)",
            (_normalise_header(name),),
        )
        for name in (organization.demographic_options or {})
    ]
    return [*BASE_TARGETS, *demographic]


def _normalise_header(header: str) -> str:
    return _HEADER_NOISE.sub("", header.lower())


def suggest_mapping(headers: list[str], targets: list[Target]) -> dict[str, int]:
    """Target → column index, by header names; each column used once."""
    by_header: dict[str, int] = {}
    for index, header in enumerate(headers):
        by_header.setdefault(_normalise_header(header), index)
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for target in targets:
        for synonym in target.synonyms:
            column = by_header.get(synonym)
            if column is not None and column not in used:
                mapping[target.key] = column
                used.add(column)
                break
    return mapping


def clean_mapping(
    organization: Organization, headers: list[str], mapping: dict[str, Any]
) -> dict[str, int]:
    """Check a mapping given by column index or header name; field errors keyed by target."""
    targets = {target.key for target in import_targets(organization)}
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for key, column in mapping.items():
        if column is None or column == "":
            continue
        if key not in targets:
            errors.setdefault("mapping", []).append(f"“{key}” is not a directory field.")
            continue
        index = _column_index(headers, column)
        if index is None:
            errors.setdefault(key, []).append(f"The file has no column “{column}”.")
        elif index in clean.values():
            errors.setdefault(key, []).append(f"Column “{headers[index]}” is already used.")
        else:
            clean[key] = index
    if "email" not in clean and "email" not in errors:
        errors["email"] = ["Choose the column that holds email addresses."]
    if not {"full_name", "first_name", "last_name"} & clean.keys():
        errors.setdefault("full_name", []).append(
            "Choose the column with full names (or the first and last name columns)."
        )
    if errors:
        raise ValidationError(errors)
    return clean


def _column_index(headers: list[str], column: Any) -> int | None:
    if isinstance(column, int) and not isinstance(column, bool):
        return column if 0 <= column < len(headers) else None
    text = str(column).strip()
    if text.isascii() and text.isdigit() and int(text) < len(headers):
        return int(text)
    matches = [index for index, header in enumerate(headers) if header == text]
    return matches[0] if len(matches) == 1 else None


# --- Reading files -----------------------------------------------------------------------------------


@dataclass
class ParsedFile:
    headers: list[str]
    rows: list[list[Any]]
    encoding: str = ""


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def file_format(file_name: str, content: bytes) -> str:
    if content.startswith(b"PK\x03\x04") or file_name.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if file_name.lower().endswith(".xls"):
        raise _file_error("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV.")
    return "csv"


def parse_file(file_name: str, content: bytes, *, fmt: str | None = None) -> ParsedFile:
    """Headers and rows of a CSV or XLSX file, or a ``file`` field error that says what is wrong."""
    if not content:
        raise _file_error("The file is empty.")
    if len(content) > MAX_UPLOAD_BYTES:
        raise _file_error(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if (fmt or file_format(file_name, content)) == "xlsx":
        parsed = ParsedFile(*_read_xlsx(content))
    else:
        text, encoding = decode_text(content)
        parsed = ParsedFile(*_read_csv(text), encoding=encoding)
    while parsed.rows and not any(_text(cell) for cell in parsed.rows[-1]):
        parsed.rows.pop()
    if not parsed.headers or not any(parsed.headers):
        raise _file_error("The first row must hold the column names; it is empty.")
    if not parsed.rows:
        raise _file_error("The file has column names but no rows of people.")
    if len(parsed.rows) > MAX_ROWS:
        raise _file_error(f"The file has more than {MAX_ROWS:,} rows: split it into several files.")
    return parsed


def as_csv(parsed: ParsedFile) -> bytes:
    """The rows as UTF-8 CSV text. XLSX uploads are stored like this: reading a workbook costs
    about 50x more than reading CSV, and the dry run and the commit each read the stored file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(parsed.headers)
    writer.writerows([_text(cell) for cell in row] for row in parsed.rows)
    return buffer.getvalue().encode()


def parse_stored(job: ImportJob) -> ParsedFile:
    """The rows of a job's stored file (CSV text for XLSX uploads, see ``as_csv``)."""
    fmt = "csv" if job.summary.get("stored_as") == "csv" else job.file_format
    return parse_file(job.file_name, bytes(job.content), fmt=fmt)


def decode_text(content: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (Excel's "CSV" on Windows)."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _file_error("The file says it is UTF-16 but is not valid UTF-16.") from None
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise _file_error(
                f"The file starts as UTF-8 but line {_line_of(content, error.start)} holds bytes "
                "that are not UTF-8. Save it again as “CSV UTF-8”."
            ) from None
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return content.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise _file_error(
                "The file is neither UTF-8 nor Windows-1252 text (first unreadable byte on line "
                f"{_line_of(content, utf8_error.start)}). In Excel, save it as “CSV UTF-8”."
            ) from None


def _line_of(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def _read_csv(text: str) -> tuple[list[str], list[list[Any]]]:
    if "\x00" in text:
        raise _file_error("The file is not a CSV text file.")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [cell.strip() for cell in next(reader, [])]
        rows = [row for _, row in zip(range(MAX_ROWS + 1), reader, strict=False)]
    except csv.Error as error:
        raise _file_error(f"The CSV file cannot be read: {error}.") from None
    return _check_columns(headers), rows


def _read_xlsx(content: bytes) -> tuple[list[str], list[list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise _file_error("The file is not a valid XLSX workbook.") from None
    try:
        sheet = workbook.worksheets[0]
        values: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        headers = [_text(cell) for cell in next(values, ())]
        while headers and not headers[-1]:
            headers.pop()
        width = len(headers)
        rows = [list(row[:width]) for _, row in zip(range(MAX_ROWS + 1), values, strict=False)]
    finally:
        workbook.close()
    return _check_columns(headers), rows


def _check_columns(headers: list[str]) -> list[str]:
    if len(headers) > MAX_COLUMNS:
        raise _file_error(f"The file has more than {MAX_COLUMNS} columns.")
    return [header[:200] for header in headers]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


# --- Checking rows -----------------------------------------------------------------------------------

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
            if not any(_text(value) for value in cells.values()):
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
        raw_email = _text(cells.get("email"))
        if not raw_email:
            self.problem(index, "email", "The email is missing.")
        else:
            self.rule(index, "email", values, directory.normalise_email, raw_email)
        self.check_name(index, cells, values)
        for key in directory.TEXT_LIMITS:
            if key in cells and key != "full_name":
                self.rule(index, key, values, directory.check_text, key, _text(cells[key]))
        if "level" in cells:
            self.rule(
                index,
                "level",
                values,
                lambda value: directory.parse_level(self.organization, value, accepted=self.levels),
                cells["level"],
            )
        if "time_zone" in cells and _text(cells["time_zone"]):
            self.rule(
                index, "time_zone", values, directory.canonical_time_zone, _text(cells["time_zone"])
            )
        if "languages" in cells:
            self.rule(
                index, "languages", values, directory.parse_languages, _text(cells["languages"])
            )
        if "start_date" in cells:
            self.rule(index, "start_date", values, _parse_date, cells["start_date"])
        if "manager" in cells:
            values["manager"] = _text(cells["manager"])
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
        name = _text(cells.get("full_name"))
        if not name:
            name = " ".join(
                part
                for part in (_text(cells.get("first_name")), _text(cells.get("last_name")))
                if part
            )
        key = (
            "full_name"
            if "full_name" in self.mapping
            else next(key for key in ("first_name", "last_name") if key in self.mapping)
        )
        if not name:
            self.problem(index, key, "The name is missing.")
        elif len(name) > directory.TEXT_LIMITS["full_name"]:
            self.problem(
                index, key, f"Use at most {directory.TEXT_LIMITS['full_name']} characters."
            )
        else:
            values["full_name"] = name

    def check_demographics(self, index: int, cells: dict[str, Any], values: dict[str, Any]) -> None:
        answers = {
            name: _text(cells[DEMOGRAPHIC_PREFIX + name]) for name in self.demographic_fields
        }
        consent: bool | None = None
        if "demographics_consent" in cells:
            word = _text(cells["demographics_consent"]).lower()
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
    text = _text(value)
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


# --- Writing -----------------------------------------------------------------------------------------


def apply_plans(organization: Organization, plans: list[RowPlan], *, now: datetime) -> None:
    """Create new people layer by layer (managers before their reports, so every manager id is
    known at insert time), then update changed people, in batches. Call inside a transaction."""
    new = {plan.index: plan for plan in plans if plan.existing_id is None}
    created: dict[int, int] = {}
    for layer in _layers(new):
        people = [_new_person(organization, plan, created, now) for plan in layer]
        Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
        created.update({plan.index: person.pk for plan, person in zip(layer, people, strict=True)})
    changed = [plan for plan in plans if plan.existing_id is not None and plan.changed]
    by_fields: dict[tuple[str, ...], list[Person]] = defaultdict(list)
    for plan in changed:
        person = Person(pk=plan.existing_id, organization_id=organization.pk, updated_at=now)
        for key in plan.changed:
            value = plan.values[key]
            setattr(person, key, _manager_id(value, created) if key == "manager_id" else value)
        by_fields[tuple(sorted(plan.changed))].append(person)
    for fields, people_ in by_fields.items():
        Person.objects.bulk_update(people_, [*fields, "updated_at"], batch_size=BATCH_SIZE)


def _layers(new: dict[int, RowPlan]) -> list[list[RowPlan]]:
    depth: dict[int, int] = {}
    for index in new:
        chain = []
        current: int | None = index
        while current is not None and current not in depth:
            chain.append(current)
            manager = new[current].manager
            current = manager[1] if manager is not None and manager[0] == "r" else None
        base = depth[current] + 1 if current is not None else 0
        for offset, item in enumerate(reversed(chain)):
            depth[item] = base + offset
    layers: dict[int, list[RowPlan]] = defaultdict(list)
    for index, plan in new.items():
        layers[depth[index]].append(plan)
    return [layers[level] for level in sorted(layers)]


def _manager_id(node: Node | None, created: dict[int, int]) -> int | None:
    if node is None:
        return None
    return node[1] if node[0] == "p" else created[node[1]]


def _new_person(
    organization: Organization, plan: RowPlan, created: dict[int, int], now: datetime
) -> Person:
    values = dict(plan.values)
    manager = values.pop("manager_id", None)
    return Person(
        organization_id=organization.pk,
        manager_id=_manager_id(manager, created),
        created_at=now,
        updated_at=now,
        **values,
    )


# --- Jobs (services and task bodies) -----------------------------------------------------------------


def import_upload(
    *, organization: Organization, actor: Any, file_name: str, content: bytes
) -> ImportJob:
    """Store an uploaded file after reading its header row; suggest a column mapping."""
    file_name = (file_name or "upload.csv").rsplit("/", 1)[-1][:255]
    parsed = parse_file(file_name, content)
    targets = import_targets(organization)
    fmt = file_format(file_name, content)
    summary: dict[str, Any] = {"encoding": parsed.encoding} if parsed.encoding else {}
    if fmt == "xlsx":
        content, summary = as_csv(parsed), {"stored_as": "csv"}
    with transaction.atomic():
        job = ImportJob.objects.create(
            organization=organization,
            file_name=file_name,
            file_format=fmt,
            content=content,
            headers=parsed.headers,
            mapping=suggest_mapping(parsed.headers, targets),
            total_rows=len(parsed.rows),
            summary=summary,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        log_action(
            actor=actor,
            action="import.uploaded",
            target=job,
            data={"file_name": file_name, "rows": job.total_rows},
        )
    return job


def import_set_mapping(
    *, organization: Organization, actor: Any, job: ImportJob, mapping: dict[str, Any]
) -> ImportJob:
    """Change the column mapping; the next dry run uses it (an earlier result no longer holds)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in REVALIDATABLE:
            raise ValidationError(
                f"This import is {job.get_status_display().lower()}: its columns cannot change."
            )
        job.mapping = clean_mapping(organization, job.headers, mapping)
        job.status = ImportStatus.UPLOADED
        job.processed_rows = 0
        job.problems = []
        job.summary = {k: v for k, v in job.summary.items() if k in ("encoding", "stored_as")}
        job.save(update_fields=["mapping", "status", "processed_rows", "problems", "summary"])
    return job


def import_request_validation(
    *,
    organization: Organization,
    actor: Any,
    job: ImportJob,
    mapping: dict[str, Any] | None = None,
) -> ImportJob:
    """Save the column mapping (when given) and queue a dry run of every row."""
    from participants.tasks import validate_import

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in REVALIDATABLE:
            raise ValidationError(
                f"This import is {job.get_status_display().lower()}: it cannot be checked again."
            )
        if mapping is not None:
            job.mapping = clean_mapping(organization, job.headers, mapping)
        else:
            clean_mapping(organization, job.headers, job.mapping)
        job.status = ImportStatus.VALIDATING
        job.claimed_at = None
        job.processed_rows = 0
        job.problems = []
        job.summary = {k: v for k, v in job.summary.items() if k in ("encoding", "stored_as")}
        job.save(
            update_fields=[
                "mapping",
                "status",
                "claimed_at",
                "processed_rows",
                "problems",
                "summary",
            ]
        )
        enqueue_on_commit(validate_import, organization_id=organization.pk, job_id=job.pk)
    return job


def import_request_commit(*, organization: Organization, actor: Any, job: ImportJob) -> ImportJob:
    """Queue the commit of a checked import without problems."""
    from participants.tasks import commit_import

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.VALIDATED:
            raise ValidationError("Check the file (dry run) before importing it.")
        if job.problems:
            raise ValidationError(
                "The file has problems: fix them and upload it again. Nothing was imported."
            )
        job.status = ImportStatus.COMMITTING
        job.claimed_at = None
        job.save(update_fields=["status", "claimed_at"])
        enqueue_on_commit(
            commit_import,
            organization_id=organization.pk,
            job_id=job.pk,
            actor_id=getattr(actor, "pk", None),
        )
    return job


def _claim(job_id: int, status: str, now: datetime) -> bool:
    """Take the job for this step, unless another run holds it (a run older than the task time limit
    is dead: its worker was lost, and the redelivered message may take over)."""
    stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return bool(
        ImportJob.objects.filter(pk=job_id, status=status)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now)
    )


def run_validation(*, job_id: int) -> str:
    """Task body: the dry run. Progress is written every few hundred rows (visible as it goes)."""
    now = timezone.now()
    if not _claim(job_id, ImportStatus.VALIDATING, now):
        return "skipped"
    job = ImportJob.objects.select_related("organization").get(pk=job_id)
    mine = ImportJob.objects.filter(pk=job_id, status=ImportStatus.VALIDATING, claimed_at=now)

    def progress(done: int) -> None:
        mine.update(processed_rows=done)

    try:
        parsed = parse_stored(job)
        result = check_rows(job.organization, parsed, job.mapping, progress=progress)
    except Exception:
        logger.exception("import %s: the dry run failed", job_id)
        mine.update(
            status=ImportStatus.FAILED,
            problems=[_general_problem("The file could not be checked. Upload it again.")],
            finished_at=timezone.now(),
        )
        raise
    mine.update(
        status=ImportStatus.VALIDATED,
        processed_rows=job.total_rows,
        problems=result.problems,
        summary={**job.summary, **result.counts()},
        finished_at=timezone.now(),
    )
    return "validated"


def run_commit(*, job_id: int, actor_id: int | None) -> str:
    """Task body: check again against the directory as it is now, then write every row or none."""
    now = timezone.now()
    if not _claim(job_id, ImportStatus.COMMITTING, now):
        return "skipped"
    job = ImportJob.objects.select_related("organization").get(pk=job_id)
    organization = job.organization
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        parsed = parse_stored(job)
        with transaction.atomic():
            directory.lock_reporting_lines(organization)
            result = check_rows(organization, parsed, job.mapping)
            if result.problems:
                outcome = "failed"
            else:
                outcome = "committed"
                apply_plans(organization, result.plans, now=now)
                counts = result.counts()
                finished = ImportJob.objects.filter(
                    pk=job_id, status=ImportStatus.COMMITTING, claimed_at=now
                ).update(
                    status=ImportStatus.COMMITTED,
                    processed_rows=job.total_rows,
                    summary={**job.summary, **counts},
                    content=b"",  # the file may hold personal data: keep only what was imported
                    finished_at=timezone.now(),
                )
                if not finished:
                    raise RuntimeError(f"import {job_id} was taken over while committing")
                log_action(
                    actor=actor,
                    action="import.committed",
                    target=job,
                    data={"file_name": job.file_name, **counts},
                )
    except Exception:
        logger.exception("import %s: the commit failed", job_id)
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.COMMITTING, claimed_at=now).update(
            status=ImportStatus.FAILED,
            problems=[_general_problem("The import failed; nothing was imported. Try again.")],
            finished_at=timezone.now(),
        )
        raise
    if outcome == "failed":
        # The directory changed since the dry run: nothing written, every problem shown.
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.COMMITTING, claimed_at=now).update(
            status=ImportStatus.FAILED,
            problems=result.problems,
            summary={**job.summary, **result.counts()},
            finished_at=timezone.now(),
        )
    return outcome


def _general_problem(message: str) -> dict[str, Any]:
    return {"row": None, "field": "", "column": "", "message": message}


def problem_rows(problems: Iterable[dict[str, Any]]) -> int:
    return len({problem["row"] for problem in problems if problem.get("row")})
