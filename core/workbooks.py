"""Reading the first sheet of an uploaded XLSX workbook within fixed bounds.

An XLSX file is a zip of XML parts, so a few hundred kilobytes can unpack to gigabytes (a
"decompression bomb": one shared string repeated a million times), and its XML can declare
entities that expand on parsing. A general reader (openpyxl) loads every shared string before the
first row and trusts the sizes the file declares. This reader trusts nothing:

- the zip's directory is checked first: each part it reads has a declared unpacked size and a
  compression ratio within bounds, and no part is encrypted;
- every part is then read through a counter that stops at that part's bound whatever the
  directory said, so the unpacked bytes that reach the XML parser are bounded;
- the XML is parsed by expat as a stream of events (a chunk at a time, nothing kept but the
  current row and the shared strings), and a document type declaration (the only way to declare
  entities) is refused;
- rows, columns, characters per cell and characters in all are counted while reading, and the
  first bound crossed stops the read.

Every problem is a :class:`WorkbookError` whose message says what is wrong in words a person can
act on (which cell, which bound). Nothing here knows about Django.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from xml.parsers import expat

# Excel's own grid: a reference beyond it is not a workbook Excel wrote.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
_CHUNK = 64 * 1024
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_OFFICE_DOCUMENT = "/officeDocument"


class WorkbookError(ValueError):
    """The workbook cannot be read; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class Limits:
    """Bounds of one read. Parts are bounded by their unpacked size; the rest by counts."""

    sheet_bytes: int = 96 * 2**20
    shared_strings_bytes: int = 32 * 2**20
    other_part_bytes: int = 4 * 2**20
    # A part larger than ``ratio_floor_bytes`` may unpack to at most this many times its packed
    # size. Spreadsheet XML packs 5-30x; a bomb packs 1,000x.
    max_ratio: int = 200
    ratio_floor_bytes: int = 2**20
    max_parts: int = 10_000
    max_rows: int = 50_000
    max_columns: int = 200
    max_cells: int = 2_000_000
    max_cell_chars: int = 10_000
    max_text_chars: int = 64_000_000


# --- The zip -----------------------------------------------------------------------------------------


class _BoundedPart(io.RawIOBase):
    """A zip part read through a counter that stops at ``limit`` unpacked bytes."""

    def __init__(self, raw: IO[bytes], name: str, limit: int) -> None:
        self._raw, self._name, self._limit, self.read_bytes = raw, name, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(_CHUNK if size < 0 else min(size, _CHUNK))
        self.read_bytes += len(data)
        if self.read_bytes > self._limit:
            raise WorkbookError(
                f"The workbook's part {self._name} unpacks to more than {_size(self._limit)}: "
                "the file is too large to import, or not an ordinary spreadsheet."
            )
        return data


def _size(count: int) -> str:
    return f"{count // 2**20} MB" if count >= 2**20 else f"{count // 1024} KB"


class _Package:
    def __init__(self, content: bytes, limits: Limits) -> None:
        self.limits = limits
        if content.startswith(b"\xd0\xcf\x11\xe0"):
            raise WorkbookError(
                "The file is password-protected, or an old Excel workbook (.xls) renamed: remove "
                "the password, or save it as an .xlsx workbook, then upload it again."
            )
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(content))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise WorkbookError(
                "The file is not a valid XLSX workbook (it is not a readable zip archive). Save "
                "it from your spreadsheet program as an .xlsx workbook, or as CSV."
            ) from None
        if len(infos) > limits.max_parts:
            raise WorkbookError(f"The workbook has more than {limits.max_parts:,} parts.")
        self._infos = {info.filename.lstrip("/"): info for info in infos}

    def has(self, name: str) -> bool:
        return name in self._infos

    def parse(self, name: str, limit: int, handler: _Handler) -> None:
        """Feed part ``name`` to ``handler``'s expat parser, bounded by ``limit`` unpacked bytes."""
        info = self._infos.get(name)
        if info is None:
            raise WorkbookError(f"The workbook has no part {name}: it is not a complete workbook.")
        if info.flag_bits & 0x1:
            raise WorkbookError("The workbook is encrypted: remove its password and upload again.")
        if info.file_size > limit:
            raise WorkbookError(
                f"The workbook's part {name} unpacks to {_size(info.file_size)}, more than "
                f"{_size(limit)}: the file is too large to import, or not an ordinary spreadsheet."
            )
        if (
            info.file_size > self.limits.ratio_floor_bytes
            and info.file_size > self.limits.max_ratio * max(info.compress_size, 1)
        ):
            raise WorkbookError(
                f"The workbook's part {name} unpacks to {info.file_size // max(info.compress_size, 1):,} "
                "times its packed size: it is not an ordinary spreadsheet."
            )
        try:
            with self._zip.open(info) as raw:
                handler.feed_all(_BoundedPart(raw, name, limit), name)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
            raise WorkbookError(
                f"The workbook's part {name} cannot be unpacked ({error}): save the file again "
                "as an .xlsx workbook."
            ) from None


# --- XML as events -----------------------------------------------------------------------------------


_LOCAL_NAMES: dict[str, str] = {}


def _local(name: str) -> str:
    """The element's name without its namespace (expat gives "uri name")."""
    local = _LOCAL_NAMES.get(name)
    if local is None:
        local = name.rpartition(" ")[2]
        if len(_LOCAL_NAMES) < 1000:
            _LOCAL_NAMES[name] = local
    return local


class _Handler:
    """An expat parser fed a part in chunks; subclasses handle the elements they care about."""

    def __init__(self) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartDoctypeDeclHandler = self._refuse_doctype
        parser.EntityDeclHandler = self._refuse_doctype
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.buffer_text = True
        self._parser = parser

    def _refuse_doctype(self, *args: Any) -> None:
        raise WorkbookError(
            "The workbook's XML declares a document type or entities, which no spreadsheet "
            "program writes: it cannot be imported."
        )

    def start(self, name: str, attributes: dict[str, str]) -> None: ...

    def end(self, name: str) -> None: ...

    def text(self, data: str) -> None: ...

    def feed_all(self, part: _BoundedPart, name: str) -> None:
        try:
            while chunk := part.read(_CHUNK):
                self._parser.Parse(chunk, False)
            self._parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise WorkbookError(
                f"The workbook's part {name} is broken XML (line {error.lineno}, column "
                f"{error.offset + 1}: {expat.errors.messages[error.code]}). Open the file in "
                "your spreadsheet program and save it again."
            ) from None


class _Attributes(_Handler):
    """Collects the attributes of chosen elements (workbook, relationships)."""

    def __init__(self, *names: str) -> None:
        super().__init__()
        self.names = set(names)
        self.found: list[tuple[str, dict[str, str]]] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if local in self.names:
            self.found.append((local, {_local(key): value for key, value in attributes.items()}))


class _TooLong:
    """A shared string longer than a cell may be: an error only if the sheet uses it."""

    def __init__(self, length: int) -> None:
        self.length = length


class _SharedStrings(_Handler):
    """``<sst><si><t>text</t></si>`` or rich text ``<si><r><t>a</t></r><r><t>b</t></r></si>``;
    phonetic runs (``<rPh><t>``) are not part of the text."""

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self.limits = limits
        self.strings: list[str | _TooLong] = []
        self.total_chars = 0
        self._parts: list[str] = []
        self._length = 0
        self._in_text = False
        self._in_phonetic = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            self._parts, self._length = [], 0
        elif local == "t" and not self._in_phonetic:
            self._in_text = True
        elif local == "rPh":
            self._in_phonetic = True

    def text(self, data: str) -> None:
        if not self._in_text:
            return
        self._length += len(data)
        if self._length <= self.limits.max_cell_chars:
            self._parts.append(data)

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "t":
            self._in_text = False
        elif local == "rPh":
            self._in_phonetic = False
        elif local == "si":
            if len(self.strings) >= self.limits.max_cells:
                raise WorkbookError(f"The workbook has more than {self.limits.max_cells:,} texts.")
            self.total_chars += min(self._length, self.limits.max_cell_chars)
            if self.total_chars > self.limits.max_text_chars:
                raise WorkbookError(
                    f"The workbook holds more than {self.limits.max_text_chars:,} characters of "
                    "text: split it into several files."
                )
            too_long = self._length > self.limits.max_cell_chars
            self.strings.append(_TooLong(self._length) if too_long else "".join(self._parts))
            self._parts = []


class _Styles(_Handler):
    """Which cell formats (``<cellXfs><xf numFmtId>``, by position) show dates."""

    def __init__(self) -> None:
        super().__init__()
        self.custom_formats: dict[int, str] = {}
        self.xf_formats: list[int] = []
        self._in_cell_xfs = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt":
            identifier = _integer(attributes.get("numFmtId"))
            if identifier is not None:
                self.custom_formats[identifier] = attributes.get("formatCode", "")
        elif local == "cellXfs":
            self._in_cell_xfs = True
        elif local == "xf" and self._in_cell_xfs:
            self.xf_formats.append(_integer(attributes.get("numFmtId")) or 0)

    def end(self, name: str) -> None:
        if _local(name) == "cellXfs":
            self._in_cell_xfs = False

    def date_styles(self) -> set[int]:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        dates = set()
        for index, format_id in enumerate(self.xf_formats):
            code = self.custom_formats.get(format_id) or BUILTIN_FORMATS.get(format_id)
            if code and is_date_format(code):
                dates.add(index)
        return dates


def _integer(text: str | None) -> int | None:
    if text is None or not text.isascii() or not text.strip().isdigit():
        return None
    return int(text)


# --- The sheet ---------------------------------------------------------------------------------------


def column_name(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


_COLUMNS: dict[str, int] = {}


def _column_of(reference: str) -> int:
    """The column (from 0) of a cell reference such as ``AB12``."""
    letters = reference.rstrip("0123456789")
    column = _COLUMNS.get(letters)
    if column is None:
        if not _CELL_REFERENCE.fullmatch(reference):
            raise WorkbookError(f"A cell of the sheet has the reference “{reference[:20]}”.")
        column = _column_index(letters)
        if column < EXCEL_MAX_COLUMNS:
            _COLUMNS[letters] = column
    return column


class _Cell:
    __slots__ = ("column", "length", "row", "style", "type", "value")

    def __init__(self, row: int, column: int, type: str, style: int) -> None:
        self.row, self.column, self.type, self.style = row, column, type, style
        self.value: list[str] = []
        self.length = 0

    @property
    def reference(self) -> str:
        return f"{column_name(self.column)}{self.row}"


class _Sheet(_Handler):
    """``<sheetData><row r><c r t s><v>…</v> | <is><t>…</t></is></c></row></sheetData>``.

    Completed rows are appended to ``ready``, with empty rows
    between them filled in so that row numbers match the sheet; trailing empty rows (formatted but
    blank, often down to row 1,048,576) are never made.
    """

    def __init__(
        self,
        limits: Limits,
        shared: list[str | _TooLong],
        date_styles: set[int],
        epoch: datetime,
    ) -> None:
        super().__init__()
        self.limits, self.shared, self.date_styles, self.epoch = limits, shared, date_styles, epoch
        self.ready: list[list[Any]] = []
        self.rows_seen = 0
        self.rows_made = 0
        self.cells = 0
        self.text_chars = 0
        self._row_number = 0
        self._row: dict[int, Any] = {}
        self._cell: _Cell | None = None
        self._next_column = 0
        self._in_value = False
        self._in_inline_phonetic = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if local == "row":
            self.rows_seen += 1
            number = _integer(attributes.get("r"))
            self._row_number = number if number is not None else self._row_number + 1
            if self.rows_seen > EXCEL_MAX_ROWS or not 0 < self._row_number <= EXCEL_MAX_ROWS:
                raise WorkbookError(f"The sheet has a row beyond Excel's {EXCEL_MAX_ROWS:,}.")
            self._row, self._next_column = {}, 0
        elif local == "c":
            self._start_cell(attributes)
        elif local in ("v", "t") and self._cell is not None and not self._in_inline_phonetic:
            self._in_value = True
        elif local == "rPh":
            self._in_inline_phonetic = True

    def _start_cell(self, attributes: dict[str, str]) -> None:
        reference = attributes.get("r", "")
        column = _column_of(reference) if reference else self._next_column
        if column >= EXCEL_MAX_COLUMNS:
            raise WorkbookError(f"Cell {reference} is beyond Excel's last column.")
        self._next_column = column + 1
        self.cells += 1
        if self.cells > self.limits.max_cells:
            raise WorkbookError(
                f"The sheet has more than {self.limits.max_cells:,} cells: split it into several "
                "files."
            )
        style = attributes.get("s")
        self._cell = _Cell(
            self._row_number,
            column,
            attributes.get("t", "n"),
            (_integer(style) or 0) if style else 0,
        )

    def text(self, data: str) -> None:
        cell = self._cell
        if not self._in_value or cell is None:
            return
        cell.length += len(data)
        if cell.length > self.limits.max_cell_chars:
            raise WorkbookError(
                f"Cell {cell.reference} holds more than {self.limits.max_cell_chars:,} characters."
            )
        cell.value.append(data)

    def end(self, name: str) -> None:
        local = _local(name)
        if local in ("v", "t"):
            self._in_value = False
        elif local == "rPh":
            self._in_inline_phonetic = False
        elif local == "c" and self._cell is not None:
            value = self._value(self._cell)
            if value is not None and value != "":
                self._row[self._cell.column] = value
            self._cell = None
        elif local == "row":
            self._finish_row()

    def _finish_row(self) -> None:
        if not self._row:
            return
        width = max(self._row) + 1
        if width > self.limits.max_columns:
            raise WorkbookError(
                f"Row {self._row_number} has a value in column {column_name(width - 1)}: the file "
                f"may have at most {self.limits.max_columns} columns."
            )
        if self._row_number > self.limits.max_rows + 1:
            raise WorkbookError(
                f"The sheet has more than {self.limits.max_rows:,} rows of people: split it into "
                "several files."
            )
        while self.rows_made < self._row_number - 1:
            self.ready.append([])
            self.rows_made += 1
        self.ready.append([self._row.get(column) for column in range(width)])
        self.rows_made += 1

    def _value(self, cell: _Cell) -> Any:
        text = "".join(cell.value)
        if cell.type == "s":
            return self._shared(cell, text)
        if cell.type in ("inlineStr", "str", "e"):
            self.text_chars += len(text)
            if self.text_chars > self.limits.max_text_chars:
                raise WorkbookError(
                    f"The sheet holds more than {self.limits.max_text_chars:,} characters of "
                    "text: split it into several files."
                )
            return text
        if not text:
            return None
        if cell.type == "b":
            if text.strip() not in ("0", "1"):
                raise WorkbookError(
                    f"Cell {cell.reference} should hold TRUE or FALSE but holds “{text[:40]}”."
                )
            return text.strip() == "1"
        if cell.type == "d":
            try:
                return datetime.fromisoformat(text.strip())
            except ValueError:
                raise WorkbookError(
                    f"Cell {cell.reference} should hold a date but holds “{text[:40]}”."
                ) from None
        if cell.type != "n":
            raise WorkbookError(f"Cell {cell.reference} has an unknown type “{cell.type[:20]}”.")
        return self._number(cell, text)

    def _shared(self, cell: _Cell, text: str) -> str:
        index = _integer(text)
        if index is None or index >= len(self.shared):
            raise WorkbookError(
                f"Cell {cell.reference} refers to shared text “{text[:20]}”, which the workbook "
                f"does not have (it has {len(self.shared):,}). The file is damaged: save it again "
                "from your spreadsheet program."
            )
        value = self.shared[index]
        if isinstance(value, _TooLong):
            raise WorkbookError(
                f"Cell {cell.reference} holds {value.length:,} characters, more than "
                f"{self.limits.max_cell_chars:,}."
            )
        return value

    def _number(self, cell: _Cell, text: str) -> Any:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise WorkbookError(
                f"Cell {cell.reference} should hold a number but holds “{text[:40]}”. The file is "
                "damaged: save it again from your spreadsheet program."
            )
        if cell.style in self.date_styles:
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError):
                raise WorkbookError(
                    f"Cell {cell.reference} is formatted as a date but {text[:40]} is no date."
                ) from None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number


# --- The reader --------------------------------------------------------------------------------------


def _relationships(package: _Package, part: str, limits: Limits) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target path inside the zip) of ``part``."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{base}.rels")
    if not package.has(rels):
        return {}
    handler = _Attributes("Relationship")
    package.parse(rels, limits.other_part_bytes, handler)
    found = {}
    for _, attributes in handler.found:
        if attributes.get("TargetMode") == "External":
            continue
        target = attributes.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found[attributes.get("Id", "")] = (
            attributes.get("Type", ""),
            posixpath.normpath(path).lstrip("/"),
        )
    return found


def _workbook_part(package: _Package, limits: Limits) -> str:
    for kind, target in _relationships(package, "", limits).values():
        if kind.endswith(_OFFICE_DOCUMENT):
            return target
    if package.has("xl/workbook.xml"):
        return "xl/workbook.xml"
    raise WorkbookError(
        "The file is a zip archive but not an XLSX workbook (it has no workbook part). Save it "
        "from your spreadsheet program as an .xlsx workbook, or as CSV."
    )


def read_first_sheet(content: bytes, limits: Limits | None = None) -> list[list[Any]]:
    """The rows of the workbook's first sheet, from row 1, as lists of cell values (``str``,
    ``int``, ``float``, ``bool``, ``datetime`` or ``None``); a row's list ends at its last value.

    The XML is parsed a chunk at a time; what stays in memory is the shared strings and the rows,
    both bounded by ``limits``. Raises :class:`WorkbookError` at the first problem.
    """
    limits = limits or Limits()
    package = _Package(content, limits)
    workbook = _workbook_part(package, limits)
    book = _Attributes("sheet", "workbookPr")
    package.parse(workbook, limits.other_part_bytes, book)
    sheets = [attributes for local, attributes in book.found if local == "sheet"]
    if not sheets:
        raise WorkbookError("The workbook has no sheet.")
    date1904 = any(
        local == "workbookPr" and attributes.get("date1904") in ("1", "true")
        for local, attributes in book.found
    )
    relationships = _relationships(package, workbook, limits)
    sheet_target = relationships.get(sheets[0].get("id", ""), ("", ""))[1]
    if not sheet_target or not package.has(sheet_target):
        raise WorkbookError(
            f"The workbook's first sheet (“{sheets[0].get('name', '')[:60]}”) is missing from the "
            "file: it is damaged. Save it again from your spreadsheet program."
        )

    shared: list[str | _TooLong] = []
    date_styles: set[int] = set()
    for kind, target in relationships.values():
        if kind.endswith("/sharedStrings") and package.has(target):
            strings = _SharedStrings(limits)
            package.parse(target, limits.shared_strings_bytes, strings)
            shared = strings.strings
        elif kind.endswith("/styles") and package.has(target):
            styles = _Styles()
            package.parse(target, limits.other_part_bytes, styles)
            date_styles = styles.date_styles()

    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

    sheet = _Sheet(limits, shared, date_styles, MAC_EPOCH if date1904 else WINDOWS_EPOCH)
    package.parse(sheet_target, limits.sheet_bytes, sheet)
    return sheet.ready
