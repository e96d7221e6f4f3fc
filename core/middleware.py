"""The edge: text that PostgreSQL cannot store never gets past the request.

Query strings, form bodies (page and API alike) and the path are checked once here; JSON bodies are
checked by ``core.api.parsers.SafeJSONParser``. A multipart POST must deliver every part it
delimits (``core.multipart``). A NUL character or a lone surrogate is a 400 naming
the parameter, before any view, form or query sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO, cast

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict

from core.multipart import PartCounter, boundary_of, unread_parts
from core.params import BadParameter
from core.text import unsafe_character


class UnsafeInput(BadParameter):
    """Text PostgreSQL cannot store: a 400 naming the parameter and the problem."""


def _check(where: str, data: QueryDict) -> None:
    for key, values in data.lists():
        problem = unsafe_character(key)
        if problem:
            raise UnsafeInput(f"{where} parameter name", problem)
        for value in values:
            if isinstance(value, str):
                problem = unsafe_character(value)
                if problem:
                    raise UnsafeInput(key, problem)


def _check_file_names(files: MultiValueDict[str, UploadedFile]) -> None:
    for key, uploads in files.lists():
        for upload in uploads:
            problem = unsafe_character(upload.name or "")
            if problem:
                raise UnsafeInput(f"{key} (the file name)", problem)


def _count_parts(request: HttpRequest) -> PartCounter | None:
    """Count the parts of a multipart body as Django's parser reads it (``core.multipart``)."""
    boundary = boundary_of(request.META.get("CONTENT_TYPE"))
    if boundary is None or getattr(request, "_read_started", True) or hasattr(request, "_post"):
        return None
    counter = PartCounter(request._stream, boundary)
    request._stream = cast(BinaryIO, counter)
    return counter


class RejectUnsafeTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = unsafe_character(request.path)
        if problem:
            raise UnsafeInput("path", problem)
        _check("query", request.GET)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            # Parsed once here; Django and DRF reuse the parsed form (the CSRF check reads it too).
            counter = _count_parts(request)
            _check("form", request.POST)
            problem = unread_parts(counter, request.POST, request.FILES) if counter else None
            if problem:
                raise BadParameter("body", problem)
            _check_file_names(request.FILES)
        return self.get_response(request)
