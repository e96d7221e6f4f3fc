"""Cells for files that people open in a spreadsheet (CSV and XLSX exports).

One rule against formula injection (OWASP "CSV Injection"): a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return could be read as a formula (``=HYPERLINK(…)``,
``+cmd|…``, ``@SUM(…)``), so it gets a leading apostrophe, which spreadsheets show as text. Numbers,
dates and booleans are left as they are, and so is text that is only a plain decimal number
(``-0.5``, as the results exports format their figures): a negative number stays a number, and
nothing can hide in it. Every writer of a
spreadsheet file (``dashboards/exports/writers.py``, ``surveys/results/export.py``) passes each
cell through :func:`neutralise`.
"""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def neutralise[Cell](value: Cell) -> Cell | str:
    """``value`` itself, unless it is text a spreadsheet could take for a formula."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value
