"""The two file formats of an export, written row by row into a binary file (constant memory).

- CSV: UTF-8 with a byte-order mark, so Excel reads accents right; dates as ``YYYY-MM-DD``, times
  as ``YYYY-MM-DD HH:MM:SS`` in UTC; yes/no for booleans.
- XLSX: openpyxl's write-only workbook (rows go to disk as they come); dates and times are real
  spreadsheet dates (times in UTC), numbers real numbers.

Every text cell of both goes through ``core.spreadsheets.neutralise`` (formula injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.spreadsheets import neutralise
from dashboards.models import ExportFormat

Row = Sequence[Any]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return _utc(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def xlsx_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, str):
        # XML cannot hold most control characters; a tab or CR at the start is neutralised first.
        return ILLEGAL_CHARACTERS_RE.sub("", str(neutralise(value)))
    return value


def write_csv(target: IO[bytes], header: Row, rows: Iterable[Row]) -> None:
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([csv_cell(cell) for cell in header])
        for row in rows:
            writer.writerow([csv_cell(cell) for cell in row])
        text.flush()
    finally:
        text.detach()  # leave the binary file open for the caller


def write_xlsx(target: IO[bytes], header: Row, rows: Iterable[Row], *, title: str) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([xlsx_cell(cell) for cell in header])
    for row in rows:
        sheet.append([xlsx_cell(cell) for cell in row])
    workbook.save(target)


def write(fmt: str, target: IO[bytes], header: Row, rows: Iterable[Row], *, title: str) -> None:
    if fmt == ExportFormat.XLSX:
        write_xlsx(target, header, rows, title=title)
    else:
        write_csv(target, header, rows)


CONTENT_TYPES: dict[str, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
