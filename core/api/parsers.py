"""The API's JSON parser: bounded nesting, and text that PostgreSQL can store.

Python's decoder recurses once per bracket: 100,000 of them was a RecursionError (a 500). Strings
with a NUL character or a lone surrogate (``"\\u0000"``, ``"\\ud800"``) decode fine but fail in the
database later. Both are refused here, for every JSON body, with a 400 naming the place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any, cast

from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from core.multipart import PartCounter, boundary_of, unread_parts
from core.text import unsafe_character

MAX_DEPTH = 32


def _where(path: tuple[str, ...]) -> str:
    return ".".join(path) or "body"


def check_json(data: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Walk ``data`` without recursion: too deep is a ParseError, unsafe text a field error."""
    stack: list[tuple[Any, tuple[str, ...], int]] = [(data, (), 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            problem = unsafe_character(value)
            if problem:
                raise ValidationError({_where(path): [problem]})
        elif isinstance(value, Mapping | list):
            if depth >= max_depth:
                raise ParseError(f"JSON nested too deeply: at most {max_depth} levels.")
            if isinstance(value, Mapping):
                for key, item in value.items():
                    problem = unsafe_character(key)
                    if problem:
                        raise ValidationError({_where(path) + " (a key)": [problem]})
                    stack.append((item, (*path, key), depth + 1))
            else:
                stack.extend((item, (*path, str(i)), depth + 1) for i, item in enumerate(value))


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested too deeply: at most {MAX_DEPTH} levels.") from None
        check_json(data)
        return data


def _check_form(data: Any) -> None:
    for key, values in data.lists():
        problem = unsafe_character(key)
        if problem:
            raise ValidationError({"body (a key)": [problem]})
        for value in values:
            if isinstance(value, str):
                problem = unsafe_character(value)
                if problem:
                    raise ValidationError({key: [problem]})


class SafeFormParser(FormParser):
    """Form bodies of PUT and PATCH (a POST's form was already checked by the middleware)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        _check_form(data)
        return data


class SafeMultiPartParser(MultiPartParser):
    """PUT and PATCH multipart bodies: every part arrives (``core.multipart``), text is storable."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        boundary = boundary_of(media_type)
        counter = PartCounter(stream, boundary) if boundary and stream is not None else None
        result = super().parse(cast(IO[Any], counter or stream), media_type, parser_context)
        problem = unread_parts(counter, result.data, result.files) if counter else None
        if problem:
            raise ParseError(f"Multipart body: {problem}")
        _check_form(result.data)
        for key, uploads in result.files.lists():
            for upload in uploads:
                problem = unsafe_character(upload.name or "")
                if problem:
                    raise ValidationError({key: [f"The file name: {problem}"]})
        return result
