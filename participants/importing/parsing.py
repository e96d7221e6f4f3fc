"""Reading an uploaded CSV or XLSX file, and which of its columns fills which directory field.

Rows are numbered as in a spreadsheet: the header is row 1, the first person row 2. A file that
cannot be read is a ``file`` field error that says what is wrong and how to fix it.

Every read is bounded before it costs anything: the upload's size, then (XLSX) the unpacked size and
compression ratio of each part of the workbook (``core.workbooks``, a streaming reader that refuses
decompression bombs and XML entities), and for both formats the rows, columns, characters per cell
and cells in all. A file past a bound is refused with the bound it crossed.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from core.workbooks import Limits, WorkbookError, read_first_sheet
from organizations.models import Organization
from participants.models import ImportJob

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 10_000
MAX_CELLS = 2_000_000
WORKBOOK_LIMITS = Limits(
    max_rows=MAX_ROWS,
    max_columns=MAX_COLUMNS,
    max_cells=MAX_CELLS,
    max_cell_chars=MAX_CELL_CHARS,
    max_text_chars=32_000_000,
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_HEADER_NOISE = re.compile(r"[^a-z0-9]")
_HEADER_ASIDE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


# --- Targets and mapping -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A directory field that a column of the file can fill."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    help: str = ""


BASE_TARGETS = (
    Target(
        "email",
        "Email",
        (
            "email",
            "emailaddress",
            "workemail",
            "mail",
            "businessemail",
            "primaryworkemail",
            "workemailaddress",
            "corporateemail",
        ),
    ),
    Target(
        "full_name",
        "Full name",
        (
            "name",
            "fullname",
            "employeename",
            "displayname",
            "person",
            "legalname",
            "employeefullname",
            "workername",
        ),
    ),
    Target("first_name", "First name", ("firstname", "givenname", "forename")),
    Target("last_name", "Last name", ("lastname", "surname", "familyname")),
    Target(
        "employee_id",
        "Employee id",
        (
            "employeeid",
            "employeenumber",
            "empid",
            "staffid",
            "employeeno",
            "workerid",
            "id",
            "employee",
            "personnelnumber",
            "userid",
        ),
    ),
    Target(
        "job_title",
        "Job title",
        ("jobtitle", "title", "position", "role", "jobrole", "businesstitle", "positiontitle"),
    ),
    Target(
        "department",
        "Department",
        ("department", "dept", "team", "division", "businessunit", "supervisoryorganization"),
    ),
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
            "supervisorid",
            "reportingto",
            "managerworkerid",
            "manageruserid",
        ),
        "The manager's email or employee id: someone in the directory or in this file.",
    ),
    Target(
        "level",
        "Level",
        (
            "level",
            "grade",
            "band",
            "joblevel",
            "seniority",
            "careerlevel",
            "managementlevel",
            "jobgrade",
            "paygrade",
        ),
    ),
    Target(
        "location",
        "Location",
        ("location", "office", "site", "city", "worklocation", "officelocation"),
    ),
    Target(
        "time_zone",
        "Time zone",
        ("timezone", "tz", "zone", "worktimezone"),
        "IANA names: Europe/Paris.",
    ),
    Target(
        "languages", "Languages", ("languages", "language", "spokenlanguages", "languagesspoken")
    ),
    Target(
        "start_date",
        "Start date",
        ("startdate", "hiredate", "joindate", "datejoined", "hired", "joined", "originalhiredate"),
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
    """Target → column index, by header names; each column used once.

    Three passes, each only for what the ones before left: a header equal to a synonym (letters
    and digits only: "E-mail" is "email"); the same without an aside in brackets ("Reports To
    (Employee ID)" is "reportsto"); a header that contains a synonym of 5 letters or more, the
    longest found winning ("Primary Work Email Address" contains "workemail").
    """
    plain = [_normalise_header(header) for header in headers]
    without_aside = [_normalise_header(_HEADER_ASIDE.sub("", header)) for header in headers]
    mapping: dict[str, int] = {}
    used: set[int] = set()

    def assign(target: Target, column: int) -> None:
        mapping[target.key] = column
        used.add(column)

    for names in (plain, without_aside):
        for target in targets:
            if target.key in mapping:
                continue
            column = next(
                (
                    index
                    for synonym in target.synonyms
                    for index, name in enumerate(names)
                    if name == synonym and index not in used
                ),
                None,
            )
            if column is not None:
                assign(target, column)
    for target in targets:
        if target.key in mapping:
            continue
        found = [
            (len(synonym), -index)
            for synonym in target.synonyms
            if len(synonym) >= 5
            for index, name in enumerate(without_aside)
            if index not in used and synonym in name
        ]
        if found:
            assign(target, -max(found)[1])
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
    if file_name.lower().endswith(".xls") or (
        content.startswith(_OLE_MAGIC) and not file_name.lower().endswith((".xlsx", ".xlsm"))
    ):
        raise _file_error(
            "Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV."
            if file_name.lower().endswith(".xls") or not content.startswith(_OLE_MAGIC)
            else "The file is an old Excel workbook (.xls) or a password-protected one: save it "
            "as an .xlsx workbook without a password, or as CSV."
        )
    if content.startswith(b"PK\x03\x04") or file_name.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "csv"


def parse_file(
    file_name: str, content: bytes, *, fmt: str | None = None, stored: bool = False
) -> ParsedFile:
    """Headers and rows of a CSV or XLSX file, or a ``file`` field error that says what is wrong.

    ``stored`` is our own CSV copy of an XLSX upload (``as_csv``): it may be larger than the upload
    was, and was bounded when the workbook was read, so only the row and cell bounds apply again.
    """
    if not content:
        raise _file_error("The file is empty.")
    if len(content) > MAX_UPLOAD_BYTES and not stored:
        raise _file_error(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if (fmt or file_format(file_name, content)) == "xlsx":
        parsed = ParsedFile(*_read_xlsx(content))
    else:
        text, encoding = decode_text(content)
        parsed = ParsedFile(*_read_csv(text), encoding=encoding)
    while parsed.rows and not any(cell_text(cell) for cell in parsed.rows[-1]):
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
    writer.writerows([cell_text(cell) for cell in row] for row in parsed.rows)
    return buffer.getvalue().encode()


def parse_stored(job: ImportJob) -> ParsedFile:
    """The rows of a job's stored file (CSV text for XLSX uploads, see ``as_csv``)."""
    stored = job.summary.get("stored_as") == "csv"
    return parse_file(
        job.file_name, bytes(job.content), fmt="csv" if stored else job.file_format, stored=stored
    )


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
    rows: list[list[Any]] = []
    cells = 0
    try:
        for row in reader:
            if len(rows) > MAX_ROWS:
                raise _file_error(
                    f"The file has more than {MAX_ROWS:,} rows: split it into several files."
                )
            _check_csv_row(row, reader.line_num)
            cells += len(row)
            if cells > MAX_CELLS:
                raise _file_error(f"The file has more than {MAX_CELLS:,} cells.")
            rows.append(row)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise _file_error(
                f"Line {reader.line_num} holds a cell of more than {MAX_CELL_CHARS:,} characters "
                "(or a quote that is never closed)."
            ) from None
        raise _file_error(f"The CSV file cannot be read: {error}.") from None
    headers = [cell.strip() for cell in rows[0]] if rows else []
    return _check_columns(headers), rows[1:]


def _check_csv_row(row: list[str], line: int) -> None:
    if len(row) > MAX_COLUMNS:
        raise _file_error(
            f"Line {line} has {len(row):,} columns: the file may have at most {MAX_COLUMNS}."
        )
    for index, cell in enumerate(row):
        if len(cell) > MAX_CELL_CHARS:
            raise _file_error(
                f"Line {line}, column {index + 1} holds more than {MAX_CELL_CHARS:,} characters."
            )


def _read_xlsx(content: bytes) -> tuple[list[str], list[list[Any]]]:
    try:
        rows = read_first_sheet(content, WORKBOOK_LIMITS)
    except WorkbookError as error:
        raise _file_error(str(error)) from None
    headers = [cell_text(cell) for cell in rows[0]] if rows else []
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    return _check_columns(headers), [row[:width] for row in rows[1:]]


def _check_columns(headers: list[str]) -> list[str]:
    if len(headers) > MAX_COLUMNS:
        raise _file_error(f"The file has more than {MAX_COLUMNS} columns.")
    return [header[:200] for header in headers]


def cell_text(value: Any) -> str:
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
