"""A bound on every uploaded file, before it reaches memory or disk.

Django stores an upload (in memory, then in a temporary file past 2.5 MB) before any view sees it,
so a view's own size check comes after a 10 GB body has filled the disk. This handler, first in
``FILE_UPLOAD_HANDLERS``, passes a file's bytes on to the storing handlers only up to
``settings.FLIPSIDE_MAX_UPLOAD_BYTES`` plus one byte, and drops the rest as it streams in: the
stored file is then one byte larger than the bound, so the size checks of the views (each of
which is at most this bound) refuse it with their own message instead of seeing a short file.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler


class BoundedUploadHandler(FileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        keep = settings.FLIPSIDE_MAX_UPLOAD_BYTES + 1 - self.received
        self.received += len(raw_data)
        if keep <= 0:
            return None
        return raw_data[:keep]

    def file_complete(self, file_size: int) -> None:
        return None
