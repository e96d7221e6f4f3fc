"""Text fields of the API take text only.

DRF's ``CharField`` (and every field built on it: email, slug, URL, regex, and the text fields a
``ModelSerializer`` makes for ``CharField``/``TextField`` columns) quietly turns a JSON number into
text: ``{"statement": 5}`` was stored as ``"5"`` and answered 200, although the schema says the
field is a string (schemathesis found it). A client that sends a number where text belongs has a
bug we should tell it about, not hide.

:func:`refuse_numbers_as_text` makes that a 400 ("Not a valid string.", DRF's own message for
booleans and lists) for every text field of the API, declared or generated, ours or a library's,
in one place: ``MentoringConfig.ready()`` calls it once at start-up. Form and multipart bodies are
text already and are not affected.
"""

from __future__ import annotations

from typing import Any

from rest_framework import fields

_lenient = fields.CharField.to_internal_value


def _text_only(self: fields.CharField, data: Any) -> str:
    if not isinstance(data, str):
        self.fail("invalid")
    return _lenient(self, data)


def refuse_numbers_as_text() -> None:
    fields.CharField.to_internal_value = _text_only  # type: ignore[method-assign,assignment]
