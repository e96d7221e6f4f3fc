"""Hand-made XLSX files: well-formed, damaged and hostile ones, built part by part."""

from __future__ import annotations

import io
import struct
import zipfile
from functools import cache

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)
ROOT_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
NO_SHEETS = '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
WORKBOOK_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{_REL}worksheet"/>'
    f'<Relationship Id="rId2" Target="sharedStrings.xml" Type="{_REL}sharedStrings"/>'
    f'<Relationship Id="rId3" Target="styles.xml" Type="{_REL}styles"/>'
    "</Relationships>"
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# Style 1 shows dates (built-in format 14), style 0 is General.
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/>'
    "</cellXfs></styleSheet>"
)


def sheet_xml(rows: str) -> str:
    return f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'


def shared_xml(*strings: str) -> str:
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    return f'<sst xmlns="{MAIN}" count="{len(strings)}">{items}</sst>'


PEOPLE_SHEET = sheet_xml(
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="inlineStr"><is><t>Ada</t></is></c></row>'
)
PEOPLE_SHARED = shared_xml("Email", "Name", "ada@acme.test")


def workbook_bytes(
    sheet: str = PEOPLE_SHEET,
    shared: str | None = PEOPLE_SHARED,
    *,
    workbook: str = WORKBOOK,
    styles: str = STYLES,
    leave_out: tuple[str, ...] = (),
) -> bytes:
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/styles.xml": styles,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            if name not in leave_out:
                archive.writestr(name, text)
    return buffer.getvalue()


@cache
def bomb_bytes(unpacked_mb: int = 300, *, lie_about_size: bool = False) -> bytes:
    """A workbook whose shared strings unpack to ``unpacked_mb`` MB of one repeated string (about
    300 KB packed for 300 MB). ``lie_about_size`` writes a small unpacked size in the zip's
    directory, as a crafted bomb would, so only the counted read can stop it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": ROOT_RELS,
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
            "xl/worksheets/sheet1.xml": PEOPLE_SHEET,
            "xl/styles.xml": STYLES,
        }.items():
            archive.writestr(name, text)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<sst xmlns="{MAIN}"><si><t>'.encode())
            chunk = b"A" * 2**20
            for _ in range(unpacked_mb):
                part.write(chunk)
            part.write(b"</t></si></sst>")
    content = buffer.getvalue()
    return _shrink_declared_size(content, "xl/sharedStrings.xml") if lie_about_size else content


def _shrink_declared_size(content: bytes, name: str) -> bytes:
    """Rewrite the part's unpacked size in the central directory (and its zip64 extra) to 1 KB."""
    data = bytearray(content)
    encoded = name.encode()
    offset = 0
    while (offset := data.find(b"PK\x01\x02", offset)) != -1:
        name_length, extra_length = struct.unpack_from("<HH", data, offset + 28)
        if bytes(data[offset + 46 : offset + 46 + name_length]) == encoded:
            size_field = offset + 24
            if struct.unpack_from("<I", data, size_field)[0] == 0xFFFFFFFF:
                extra = offset + 46 + name_length
                end = extra + extra_length
                while extra < end:
                    tag, length = struct.unpack_from("<HH", data, extra)
                    if tag == 0x0001:
                        struct.pack_into("<Q", data, extra + 4, 1024)
                        break
                    extra += 4 + length
            else:
                struct.pack_into("<I", data, size_field, 1024)
            return bytes(data)
        offset += 4
    raise AssertionError(f"{name} is not in the zip")
