"""What text may hold. PostgreSQL refuses NUL characters, and lone surrogates cannot be encoded as
UTF-8: either would fail deep in a query as a 500, so the edge refuses them (``core.middleware``,
``core.api.parsers``). Names and other one-line fields also refuse control characters: a line
break in a name would later break an email header or a calendar line."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

_UNSAFE = re.compile("[\x00\ud800-\udfff]")
# C0 and C1 controls (line breaks and tabs among them) and the Unicode line/paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

NUL_MESSAGE = "Remove the NUL character (\\u0000): text may not contain it."
SURROGATE_MESSAGE = "Remove the lone surrogate: the text is not valid Unicode."
CONTROL_MESSAGE = "Use one line of plain text: no line breaks, tabs or other control characters."


def unsafe_character(value: str) -> str | None:
    """The message for a character that text may never hold (NUL, lone surrogate), or None."""
    found = _UNSAFE.search(value)
    if found is None:
        return None
    return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE


def has_control_character(value: str) -> bool:
    return _CONTROL.search(value) is not None


@deconstructible
class SingleLineValidator:
    """Names and one-line fields: no control characters (see ``CONTROL_MESSAGE``)."""

    code = "control_characters"

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and has_control_character(value):
            raise ValidationError(CONTROL_MESSAGE, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SingleLineValidator)

    def __hash__(self) -> int:
        return hash(self.code)


single_line = SingleLineValidator()


def one_line(value: str) -> str:
    """Text made safe for a single line where it is written (an email header, a calendar field):
    each run of control characters becomes one space. Defence in depth behind the validator."""
    return " ".join(part for part in _CONTROL.split(value) if part).strip() if value else value


def check_single_line(field: str, value: str) -> str:
    """``value`` unchanged, or a ValidationError on ``field`` (for services that clean by hand)."""
    if has_control_character(value):
        raise ValidationError({field: CONTROL_MESSAGE}, code=SingleLineValidator.code)
    return value
