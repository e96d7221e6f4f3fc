"""Properties of the text edge, cursors and the import parser, over inputs hypothesis makes up.

Each property holds for *every* input, not the few a targeted test names: any text, JSON, cursor or
file bytes end in a value or in the one refusal the edge gives (a 400 naming the field), never in
another exception (a 500). Bounded and deterministic: a fixed number of examples, derandomised,
no example database, so every run tries the same inputs.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import zipfile
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ParseError
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request

from accounts.models import User
from core.api.pagination import DefaultCursorPagination
from core.api.parsers import MAX_DEPTH, SafeJSONParser, check_json
from core.middleware import RejectUnsafeTextMiddleware, UnsafeInput
from core.params import BadParameter, bool_value, choice_value, count_value, id_value
from core.text import (
    CONTROL_MESSAGE,
    check_single_line,
    has_control_character,
    one_line,
    single_line,
    unsafe_character,
)
from participants.importing.parsing import parse_file
from tests.core.workbook_files import PEOPLE_SHARED, PEOPLE_SHEET, workbook_bytes

BOUNDED = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Every code point, lone surrogates included (hypothesis leaves them out of text() by default).
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=60)
CONTROLS = st.sampled_from(["\n", "\r", "\t", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028"])
TEXT_WITH_CONTROLS = st.lists(st.one_of(ANY_TEXT, CONTROLS), max_size=6).map("".join)


def _unsafe(value: str) -> bool:
    return "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value)


# --- core.text --------------------------------------------------------------------------------------


@BOUNDED
@given(TEXT_WITH_CONTROLS)
def test_unsafe_character_finds_exactly_nul_and_lone_surrogates(value: str) -> None:
    assert (unsafe_character(value) is not None) == _unsafe(value)


@BOUNDED
@given(TEXT_WITH_CONTROLS)
def test_one_line_leaves_no_control_character_and_is_stable(value: str) -> None:
    made = one_line(value)
    assert not has_control_character(made)
    assert one_line(made) == made
    single_line(made)  # the validator accepts what one_line makes


@BOUNDED
@given(TEXT_WITH_CONTROLS)
def test_a_one_line_field_refuses_exactly_the_text_with_control_characters(value: str) -> None:
    if has_control_character(value):
        with pytest.raises(DjangoValidationError) as refused:
            check_single_line("name", value)
        assert refused.value.message_dict == {"name": [CONTROL_MESSAGE]}
    else:
        assert check_single_line("name", value) == value


# --- The edge: query strings and form bodies (core.middleware) --------------------------------------


def _through_middleware(request: Any) -> bool:
    """True when the request passed the edge, False when it was refused with UnsafeInput."""
    middleware = RejectUnsafeTextMiddleware(lambda request: HttpResponse("passed"))
    refused: UnsafeInput | None = None
    try:
        middleware(request)
    except UnsafeInput as error:
        refused = error
    if refused is None:
        return True
    assert refused.name
    assert refused.message
    return False


@BOUNDED
@given(st.binary(max_size=40), st.binary(max_size=40))
def test_any_query_string_passes_or_is_refused_naming_the_parameter(
    key: bytes, value: bytes
) -> None:
    query = f"{quote_from_bytes(key)}={quote_from_bytes(value)}"
    request = RequestFactory().get("/o/acme/programs/", QUERY_STRING=query)
    passed = _through_middleware(request)
    decoded = key.decode("utf-8", "replace") + value.decode("utf-8", "replace")
    assert passed == ("\x00" not in decoded)


@BOUNDED
@given(st.binary(max_size=80))
def test_any_form_body_passes_or_is_refused(body: bytes) -> None:
    request = RequestFactory().post(
        "/o/acme/programs/new/", data=body, content_type="application/x-www-form-urlencoded"
    )
    _through_middleware(request)


# --- JSON bodies (core.api.parsers) ----------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(ANY_TEXT, children, max_size=3)
    ),
    max_leaves=12,
)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _holds_unsafe_text(value: Any) -> bool:
    if isinstance(value, str):
        return _unsafe(value)
    if isinstance(value, dict):
        return any(_unsafe(k) or _holds_unsafe_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_unsafe_text(v) for v in value)
    return False


@BOUNDED
@given(JSON_VALUES, st.integers(min_value=1, max_value=6))
def test_check_json_refuses_exactly_unsafe_text_and_too_deep_nesting(
    value: Any, max_depth: int
) -> None:
    try:
        check_json(value, max_depth=max_depth)
    except ParseError:
        assert _depth(value) > max_depth
    except ApiValidationError:
        assert _holds_unsafe_text(value)
    else:
        assert not _holds_unsafe_text(value)
        assert _depth(value) <= max_depth


@BOUNDED
@given(st.binary(max_size=200) | JSON_VALUES.map(lambda v: json.dumps(v).encode()))
def test_any_json_body_parses_or_is_a_400(body: bytes) -> None:
    with contextlib.suppress(ParseError, ApiValidationError):
        SafeJSONParser().parse(io.BytesIO(body), "application/json", {})


def test_the_deepest_allowed_nesting_parses_and_one_more_is_refused() -> None:
    parser = SafeJSONParser()
    fits = ("[" * MAX_DEPTH + "]" * MAX_DEPTH).encode()
    parser.parse(io.BytesIO(fits), "application/json", {})
    with pytest.raises(ParseError):
        parser.parse(io.BytesIO(b"[" + fits + b"]"), "application/json", {})


# --- Filter parameters (core.params) ---------------------------------------------------------------


@BOUNDED
@given(st.lists(ANY_TEXT.filter(lambda v: not _unsafe(v)), max_size=3))
def test_a_filter_parameter_is_a_known_value_or_a_named_refusal(values: list[str]) -> None:
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.setlist("status", values)
    for read in (
        lambda: choice_value(query, "status", ["active", "closed"]),
        lambda: bool_value(query, "status"),
        lambda: id_value(query, "status"),
        lambda: count_value(query, "status", maximum=200),
    ):
        refused: BadParameter | None = None
        try:
            result = read()
        except BadParameter as error:
            refused = error
        if refused is not None:
            assert refused.name == "status"
            continue
        assert len(values) <= 1
        assert result in (None, True, False, "active", "closed") or (
            isinstance(result, int) and result > 0
        )


# --- Cursors (core.api.pagination) -----------------------------------------------------------------


def _cursor_token(offset: str, reverse: str, position: str) -> str:
    raw = f"o={offset}&r={reverse}&p={position}".encode("utf-8", "surrogatepass")
    return base64.b64encode(raw).decode()


CURSORS = ANY_TEXT.map(lambda v: v.encode("utf-8", "surrogatepass").decode("latin-1")) | st.builds(
    _cursor_token, ANY_TEXT, st.sampled_from(["0", "1", "x", ""]), ANY_TEXT
)


@pytest.mark.parametrize("ordering", [("-id",), ("-date_joined", "-id"), ("email", "id")])
def test_any_cursor_decodes_or_is_a_400_naming_cursor(ordering: tuple[str, ...]) -> None:
    @BOUNDED
    @given(CURSORS)
    def decode(cursor: str) -> None:
        pagination = DefaultCursorPagination()
        pagination.ordering = ordering  # type: ignore[assignment]
        pagination._queryset = User.objects.all()  # read for its fields only: no query runs
        request = Request(RequestFactory().get("/api/", {"cursor": cursor}))
        refused: ApiValidationError | None = None
        try:
            pagination.decode_cursor(request)
        except ApiValidationError as error:
            refused = error
        if refused is not None:
            assert list(refused.detail) == ["cursor"]

    decode()


# --- The import parser (CSV and XLSX) --------------------------------------------------------------


def _parses_or_refuses(name: str, content: bytes) -> None:
    try:
        parsed = parse_file(name, content)
    except DjangoValidationError as error:
        fields = list(error.message_dict)
        assert fields == ["file"]
        return
    assert parsed.headers
    assert parsed.rows


@BOUNDED
@given(st.binary(max_size=300), st.sampled_from(["people.csv", "people.xlsx", "people"]))
def test_any_bytes_are_rows_or_a_file_error(content: bytes, name: str) -> None:
    _parses_or_refuses(name, content)


@BOUNDED
@given(st.lists(st.one_of(ANY_TEXT, st.sampled_from([",", '"', "\n", "\r\n", ";"])), max_size=30))
def test_any_csv_text_is_rows_or_a_file_error(pieces: list[str]) -> None:
    text = "".join(pieces)
    _parses_or_refuses("people.csv", text.encode("utf-8", "surrogatepass"))


def _stored(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8", "surrogatepass"))
    return buffer.getvalue()


XML_PIECES = st.sampled_from(
    [
        "<row>",
        "</row>",
        '<row r="2">',
        '<c r="A2" t="s"><v>',
        '<c r="B2" t="inlineStr"><is><t>',
        "</t></is></c>",
        '<c r="ZZZZ9" t="n"><v>',
        '<c t="d"><v>',
        '<c r="A1" s="1"><v>',
        "</v></c>",
        "<v>99999999999</v>",
        "<!DOCTYPE x [<!ENTITY a 'b'>]>",
        "&a;",
        "<si><t>",
        "</t></si>",
    ]
)


@BOUNDED
@given(st.lists(st.one_of(XML_PIECES, ANY_TEXT), max_size=12).map("".join))
def test_any_sheet_xml_is_rows_or_a_file_error(sheet_body: str) -> None:
    sheet = PEOPLE_SHEET.replace("</sheetData>", sheet_body + "</sheetData>")
    _parses_or_refuses("people.xlsx", workbook_bytes(sheet=sheet))
    shared = PEOPLE_SHARED.replace("</sst>", sheet_body + "</sst>")
    _parses_or_refuses("people.xlsx", workbook_bytes(shared=shared))


@BOUNDED
@given(st.data())
def test_a_workbook_damaged_anywhere_is_rows_or_a_file_error(data: st.DataObject) -> None:
    from tests.core import workbook_files as files

    content = bytearray(
        _stored(
            {
                "[Content_Types].xml": files.CONTENT_TYPES,
                "_rels/.rels": files.ROOT_RELS,
                "xl/workbook.xml": files.WORKBOOK,
                "xl/_rels/workbook.xml.rels": files.WORKBOOK_RELS,
                "xl/worksheets/sheet1.xml": PEOPLE_SHEET,
                "xl/styles.xml": files.STYLES,
                "xl/sharedStrings.xml": PEOPLE_SHARED,
            }
        )
    )
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        at = data.draw(st.integers(min_value=0, max_value=len(content) - 1))
        content[at] = data.draw(st.integers(min_value=0, max_value=255))
    _parses_or_refuses("people.xlsx", bytes(content))
