"""The edge: text that PostgreSQL cannot store never gets past the request.

Query strings, form bodies (page and API alike) and the path are checked once here; JSON bodies are
checked by ``core.api.parsers.SafeJSONParser``. A NUL character or a lone surrogate is a 400 naming
the parameter, before any view, form or query sees it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict

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
            _check("form", request.POST)
            _check_file_names(request.FILES)
        return self.get_response(request)
