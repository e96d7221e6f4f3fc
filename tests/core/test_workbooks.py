"""The bounded XLSX reader: what it reads, and every damaged or hostile workbook it refuses with a
message that names the problem, before spending memory on it."""

from __future__ import annotations

import io
import tracemalloc
from datetime import datetime

import pytest
from openpyxl import Workbook

from core.workbooks import Limits, WorkbookError, column_name, read_first_sheet
from tests.core.workbook_files import (
    NO_SHEETS,
    PEOPLE_SHEET,
    bomb_bytes,
    shared_xml,
    sheet_xml,
    workbook_bytes,
)


def _refusal(content: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(WorkbookError) as raised:
        read_first_sheet(content, limits)
    return str(raised.value)


def test_reads_what_openpyxl_writes() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Email", "Level", "Start", "Active", "Score"])
    sheet.append(["ada@acme.test", 3, datetime(2021, 4, 5), True, 2.5])
    sheet.append([])
    sheet.append(["bob@acme.test", None, None, False])
    sheet["G9"] = "far away"
    buffer = io.BytesIO()
    workbook.save(buffer)

    rows = read_first_sheet(buffer.getvalue())

    assert rows[:4] == [
        ["Email", "Level", "Start", "Active", "Score"],
        ["ada@acme.test", 3, datetime(2021, 4, 5), True, 2.5],
        [],
        ["bob@acme.test", None, None, False],
    ]
    assert len(rows) == 9
    assert rows[8] == [None] * 6 + ["far away"]


def test_rich_text_and_phonetic_runs_in_shared_strings() -> None:
    shared = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<si><r><t>Re</t></r><r><t xml:space="preserve">née </t></r><r><t>Café</t></r></si>'
        "<si><t>東京</t><rPh><t>トウキョウ</t></rPh></si></sst>"
    )
    sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>')
    assert read_first_sheet(workbook_bytes(sheet, shared)) == [["Renée Café", "東京"]]


def test_date_styles_and_trailing_formatted_rows() -> None:
    sheet = sheet_xml(
        '<row r="1"><c r="A1" s="1"><v>44197</v></c><c r="B1"><v>44197</v></c></row>'
        '<row r="1048576" s="3"/>'
    )
    assert read_first_sheet(workbook_bytes(sheet, None)) == [[datetime(2021, 1, 1), 44197]]


def test_column_names() -> None:
    assert [column_name(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"Email,Name\nada@acme.test,Ada\n", "not a readable zip archive"),
        (b"PK\x03\x04not really a zip", "not a readable zip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "password-protected"),
        (workbook_bytes(workbook=NO_SHEETS), "has no sheet"),
        (
            workbook_bytes(leave_out=("xl/worksheets/sheet1.xml",)),
            "first sheet (“People”) is missing",
        ),
        (
            workbook_bytes(leave_out=("xl/workbook.xml", "_rels/.rels")),
            "not an XLSX workbook",
        ),
        (
            workbook_bytes(sheet_xml('<row r="2"><c r="C2" t="s"><v>99</v></c></row>')),
            "Cell C2 refers to shared text “99”, which the workbook does not have (it has 3)",
        ),
        (
            workbook_bytes(sheet_xml('<row r="2"><c r="C2" t="s"><v>-1</v></c></row>')),
            "Cell C2 refers to shared text “-1”",
        ),
        (
            workbook_bytes(sheet_xml('<row r="3"><c r="B3"><v>twelve</v></c></row>')),
            "Cell B3 should hold a number but holds “twelve”",
        ),
        (
            workbook_bytes(sheet_xml('<row r="3"><c r="B3"><v>NaN</v></c></row>')),
            "Cell B3 should hold a number",
        ),
        (
            workbook_bytes(sheet_xml('<row r="3"><c r="B3" t="b"><v>maybe</v></c></row>')),
            "Cell B3 should hold TRUE or FALSE",
        ),
        (
            workbook_bytes(sheet_xml('<row r="3"><c r="B3" t="d"><v>soon</v></c></row>')),
            "Cell B3 should hold a date",
        ),
        (
            workbook_bytes(sheet_xml('<row r="3"><c r="B3" s="1"><v>1e300</v></c></row>')),
            "Cell B3 is formatted as a date",
        ),
        (
            workbook_bytes('<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></row>'),
            "part xl/worksheets/sheet1.xml is broken XML (line 1, column",
        ),
        (workbook_bytes(PEOPLE_SHEET, "<sst><si><t>unclosed</si></sst>"), "broken XML"),
        (
            workbook_bytes(sheet_xml('<row r="2000000"><c><v>1</v></c></row>')),
            "beyond Excel's 1,048,576",
        ),
    ],
    ids=[
        "csv-text",
        "not-a-zip",
        "encrypted-or-xls",
        "no-sheet",
        "sheet-part-missing",
        "no-workbook-part",
        "shared-index-out-of-range",
        "shared-index-negative",
        "word-in-number-cell",
        "nan-in-number-cell",
        "bad-boolean",
        "bad-iso-date",
        "date-out-of-range",
        "broken-sheet-xml",
        "broken-shared-strings-xml",
        "row-beyond-excel",
    ],
)
def test_damaged_workbooks_are_refused_with_the_reason(content: bytes, expected: str) -> None:
    assert expected in _refusal(content)


def test_entity_declarations_are_refused() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>&b;</t></si></sst>"
    )
    assert "declares a document type or entities" in _refusal(workbook_bytes(shared=laughs))


def test_external_entities_are_refused() -> None:
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>')
    )
    assert "declares a document type" in _refusal(workbook_bytes(sheet))


def test_bounds_on_rows_columns_cells_and_cell_length() -> None:
    limits = Limits(max_rows=2, max_columns=3, max_cells=8, max_cell_chars=5)
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 5))
    assert "more than 2 rows of people" in _refusal(workbook_bytes(sheet_xml(rows)), limits)
    wide = sheet_xml('<row r="1"><c r="D1"><v>1</v></c></row>')
    assert "Row 1 has a value in column D" in _refusal(workbook_bytes(wide), limits)
    many = sheet_xml("".join(f'<row r="{n}"><c/><c/><c/></row>' for n in range(1, 4)))
    assert "more than 8 cells" in _refusal(workbook_bytes(many), limits)
    inline = sheet_xml('<row r="1"><c r="B1" t="inlineStr"><is><t>123456</t></is></c></row>')
    assert "Cell B1 holds more than 5 characters" in _refusal(workbook_bytes(inline), limits)
    long_shared = workbook_bytes(PEOPLE_SHEET, shared_xml("Email", "Name", "ada@acme.test"))
    assert "Cell A2 holds 13 characters, more than 5" in _refusal(long_shared, limits)


def test_an_unused_long_shared_string_is_no_problem() -> None:
    limits = Limits(max_cell_chars=20)
    content = workbook_bytes(PEOPLE_SHEET, shared_xml("Email", "Name", "ada@acme.test", "x" * 50))
    assert read_first_sheet(content, limits)[1] == ["ada@acme.test", "Ada"]


def test_total_text_is_bounded() -> None:
    limits = Limits(max_text_chars=10)
    assert "more than 10 characters of text" in _refusal(workbook_bytes(), limits)


def test_ratio_bound_refuses_a_part_packed_far_better_than_spreadsheets_pack() -> None:
    limits = Limits(shared_strings_bytes=64 * 2**20, max_ratio=200)
    message = _refusal(bomb_bytes(8), limits)
    assert "unpacks to" in message
    assert "times its packed size" in message


def test_decompression_bomb_is_refused_at_once_without_unpacking(bomb: bytes) -> None:
    tracemalloc.start()
    message = _refusal(bomb)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "xl/sharedStrings.xml unpacks to 300 MB, more than 32 MB" in message
    # What the reader allocated, not a timing: the bomb's own 300 KB is not counted.
    assert peak < 2 * 2**20, peak


def test_bomb_that_lies_about_its_size_stops_at_the_declared_size() -> None:
    tracemalloc.start()
    message = _refusal(bomb_bytes(300, lie_about_size=True))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "xl/sharedStrings.xml cannot be unpacked" in message
    assert peak < 2 * 2**20, peak


@pytest.fixture(scope="module")
def bomb() -> bytes:
    content = bomb_bytes(300)
    assert len(content) < 400 * 1024
    return content
