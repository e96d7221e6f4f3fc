"""Every part of a multipart body arrives, or the body is refused.

Django's multipart parser quietly skips a part it cannot name: no ``name`` in its
Content-Disposition, or a file whose name sanitises to nothing. A PATCH whose one change sat in such
a part answered 200 having changed nothing, and a body of bytes with no readable part at all was an
empty, valid form (schemathesis found both). :class:`PartCounter` reads the body through as the
parser reads it, counting its part delimiters; :func:`unread_parts` compares that with what was
parsed. The edge middleware applies it to POSTs (pages and API), the API's multipart parser to PUT
and PATCH.
"""

from __future__ import annotations

from typing import Any

from django.utils.http import parse_header_parameters


class PartCounter:
    """A read-through stream counting ``--boundary`` delimiters not followed by ``--`` (the close).
    A tail is kept across reads, so a delimiter split between two reads counts once."""

    def __init__(self, stream: Any, boundary: bytes) -> None:
        self._stream = stream
        self._marker = b"--" + boundary
        self._tail = b""
        self.parts = 0

    def read(self, size: int = -1) -> bytes:
        chunk: bytes = self._stream.read(size)
        self._count(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        line: bytes = self._stream.readline(size)
        self._count(line)
        return line

    def _count(self, chunk: bytes) -> None:
        buffer = self._tail + chunk
        marker, position = self._marker, 0
        while True:
            found = buffer.find(marker, position)
            if found < 0 or found + len(marker) + 2 > len(buffer):
                break
            if buffer[found + len(marker) : found + len(marker) + 2] != b"--":
                self.parts += 1
            position = found + 1
        self._tail = buffer[max(position, len(buffer) - len(marker) - 1) :]


def boundary_of(content_type: str | None) -> bytes | None:
    """The boundary of a ``multipart/form-data`` Content-Type header; None for anything else."""
    media_type, params = parse_header_parameters(content_type or "")
    boundary = params.get("boundary", "")
    if media_type != "multipart/form-data" or not boundary:
        return None
    return boundary.encode("ascii", "replace")


def unread_parts(counter: PartCounter, data: Any, files: Any) -> str | None:
    """The refusal when fewer parts were parsed than the body delimits; None when all arrived."""
    read = sum(len(values) for _key, values in data.lists())
    read += sum(len(uploads) for _key, uploads in files.lists())
    if read >= counter.parts:
        return None
    return (
        f"{counter.parts - read} of the body's {counter.parts} parts could not be read "
        "(every part needs a name; a file part, a usable file name)."
    )
