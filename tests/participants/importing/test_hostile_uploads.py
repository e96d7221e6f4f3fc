"""Damaged, hostile and oversized uploads: each is a 400 on the ``file`` field that names the
problem, on the page and in the API alike, and nothing is stored (no import, no audit entry)."""

from __future__ import annotations

import csv
import io
import tracemalloc
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from organizations.models import AuditEntry
from participants.importing import parsing
from participants.models import ImportJob, Person
from tests.conftest import Tenant, login
from tests.core.workbook_files import (
    NO_SHEETS,
    bomb_bytes,
    sheet_xml,
    workbook_bytes,
)
from tests.participants.importing.test_import import (
    GOOD_ROWS,
    HEADER,
    csv_bytes,
    dry_run,
    upload,
    xlsx_bytes,
)

HOSTILE = [
    ("bomb.xlsx", bomb_bytes(300), "unpacks to 300 MB, more than 32 MB"),
    ("liar.xlsx", bomb_bytes(300, lie_about_size=True), "cannot be unpacked"),
    ("text.xlsx", b"Email,Name\nada@acme.test,Ada\n", "not a readable zip archive"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "password-protected"),
    ("renamed.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "old Excel workbook"),
    ("empty.xlsx", workbook_bytes(workbook=NO_SHEETS), "has no sheet"),
    (
        "index.xlsx",
        workbook_bytes(sheet_xml('<row r="2"><c r="B2" t="s"><v>7</v></c></row>')),
        "Cell B2 refers to shared text “7”",
    ),
    (
        "number.xlsx",
        workbook_bytes(sheet_xml('<row r="4"><c r="C4"><v>abc</v></c></row>')),
        "Cell C4 should hold a number but holds “abc”",
    ),
    (
        "broken.xlsx",
        workbook_bytes("<worksheet><sheetData><row><c><v>1</v></row></sheetData></worksheet>"),
        "is broken XML",
    ),
    (
        "wide.csv",
        ("Email,Name\n" + "a@acme.test,A" + ",x" * 500 + "\n").encode(),
        "Line 2 has 502 columns: the file may have at most 200",
    ),
    (
        "long.csv",
        b"Email,Name\na@acme.test," + b"x" * 20_000 + b"\n",
        "Line 2, column 2 holds more than 10,000 characters",
    ),
    (
        "huge-cell.csv",
        b"Email,Name\na@acme.test," + b"x" * 200_000 + b"\n",
        "holds a cell of more than 10,000 characters",
    ),
    (
        "tall.csv",
        b"Email,Name\n" + b"a@acme.test,A\n" * (parsing.MAX_ROWS + 1),
        "more than 50,000 rows",
    ),
]
IDS = [name for name, _, _ in HOSTILE]


def _nothing_stored(tenant: Tenant) -> None:
    with tenant.scope():
        assert not ImportJob.objects.exists()
        assert not Person.objects.exists()
        assert not AuditEntry.objects.filter(action__startswith="import.").exists()


@pytest.mark.parametrize(("name", "content", "expected"), HOSTILE, ids=IDS)
def test_page_answers_400_naming_the_problem(
    org_a: Tenant, name: str, content: bytes, expected: str
) -> None:
    client = login(Client(), org_a.admin.user)
    url = reverse("import_list", kwargs={"org_slug": org_a.slug})
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert expected in response.context["form"].errors["file"][0]
    assert escape(expected) in response.content.decode()
    _nothing_stored(org_a)


@pytest.mark.parametrize(("name", "content", "expected"), HOSTILE, ids=IDS)
def test_api_answers_400_naming_the_problem(
    org_a: Tenant, name: str, content: bytes, expected: str
) -> None:
    client = login(Client(), org_a.admin.user)
    url = f"/api/v1/o/{org_a.slug}/people/imports/"
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400, response.content
    assert expected in response.json()["fields"]["file"][0]
    _nothing_stored(org_a)


def test_worst_bomb_costs_little_memory(org_a: Tenant) -> None:
    content = bomb_bytes(300)
    tracemalloc.start()
    with pytest.raises(ValidationError):
        upload(org_a, content, "bomb.xlsx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * 2**20, peak


def test_xlsx_larger_than_the_upload_bound_once_unpacked_still_runs(
    org_a: Tenant, monkeypatch: Any
) -> None:
    """An XLSX upload is stored as CSV, which may be larger than the workbook was: the dry run
    must not refuse the stored copy with the upload's size bound."""
    content = xlsx_bytes([[*row[:3], "x" * 3000, *row[4:]] for row in GOOD_ROWS])
    stored_size = len(parsing.as_csv(parsing.parse_file("people.xlsx", content)))
    monkeypatch.setattr(parsing, "MAX_UPLOAD_BYTES", max(len(content), stored_size - 1))
    job = dry_run(org_a, upload(org_a, content, "people.xlsx"))
    assert len(bytes(job.content)) > parsing.MAX_UPLOAD_BYTES
    assert job.total_rows == len(GOOD_ROWS)
    assert not any(problem["field"] == "file" for problem in job.problems), job.problems


def test_csv_at_the_bounds_is_read(org_a: Tenant) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*HEADER, *(f"Extra {n}" for n in range(parsing.MAX_COLUMNS - len(HEADER)))])
    writer.writerow([*GOOD_ROWS[0], *(["y" * 10] * (parsing.MAX_COLUMNS - len(HEADER)))])
    parsed = parsing.parse_file("people.csv", buffer.getvalue().encode())
    assert len(parsed.headers) == parsing.MAX_COLUMNS
    long_cell = csv_bytes([[GOOD_ROWS[0][0], "n" * parsing.MAX_CELL_CHARS, *GOOD_ROWS[0][2:]]])
    assert parsing.parse_file("people.csv", long_cell).rows[0][1] == "n" * parsing.MAX_CELL_CHARS
