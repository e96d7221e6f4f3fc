"""Files an admin downloads around an import: a template to fill in, and the rows of a dry run
that have problems, each with its problems in a last column, to fix and upload again.

Both are CSV in UTF-8 with a byte-order mark (Excel then reads accents right), and every cell
passes ``core.spreadsheets.neutralise``: the rows come from an uploaded file, and a cell such as
``=HYPERLINK(…)`` must open as text.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from core.spreadsheets import neutralise
from organizations.models import Organization
from participants.importing.parsing import cell_text, import_targets, parse_stored
from participants.models import ImportJob

PROBLEMS_COLUMN = "Problems"
GENERAL_ROW = "(file)"

_EXAMPLE = {
    "email": "ada.lovelace@example.com",
    "full_name": "Ada Lovelace",
    "employee_id": "E1002",
    "job_title": "Head of Analytics",
    "department": "Finance",
    "manager": "E1001",
    "level": "7",
    "location": "London",
    "time_zone": "Europe/London",
    "languages": "English, français",
    "start_date": "2019-09-02",
    "demographics_consent": "no",
}


def _csv(rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def template_csv(organization: Organization) -> bytes:
    """The columns an import reads, under the names it recognises, with one example person.

    First and last name are left out: the template uses the full name (either works)."""
    targets = [
        target
        for target in import_targets(organization)
        if target.key not in ("first_name", "last_name")
    ]
    return _csv(
        [
            [target.label for target in targets],
            [_EXAMPLE.get(target.key, "") for target in targets],
        ]
    )


def problems_csv(job: ImportJob) -> bytes:
    """The file's header and its rows with problems, each followed by its problems; problems of
    the whole file (no row) come first, on a row of their own."""
    parsed = parse_stored(job)
    by_row: dict[int | None, list[str]] = defaultdict(list)
    for problem in job.problems:
        column = problem.get("column") or ""
        message = str(problem.get("message") or "")
        by_row[problem.get("row")].append(f"{column}: {message}" if column else message)
    width = len(parsed.headers)
    rows: list[list[Any]] = [["Row", *parsed.headers, PROBLEMS_COLUMN]]
    if None in by_row:
        rows.append([GENERAL_ROW, *([""] * width), "; ".join(by_row[None])])
    for number in sorted(row for row in by_row if row is not None):
        index = number - 2  # row 1 is the header
        cells = parsed.rows[index] if 0 <= index < len(parsed.rows) else []
        values = [cell_text(cell) for cell in cells[:width]]
        values += [""] * (width - len(values))
        rows.append([number, *values, "; ".join(by_row[number])])
    return _csv(rows)
