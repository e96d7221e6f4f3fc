"""Peak memory and time of reading the worst uploads we know, each in a fresh process.

    .venv/bin/python -m bench.upload_memory

For each file: the upload's size, what ``parse_file`` answered (rows, or the refusal), the time, the
peak of Python allocations during the read (tracemalloc) and the process's peak resident set
(``ru_maxrss``, which includes the interpreter and Django, about 100 MB, and building the file).
The files: the 300 MB shared-strings bomb (honest and lying sizes), the largest workbook within the
upload bound (50,000 rows of 20 distinct texts each), the most cells a part within its bound can
hold (one-character cells up to the cell bound), and the largest CSV.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import resource
import string
import sys
import time
import tracemalloc
from collections.abc import Callable

CASES: dict[str, Callable[[], tuple[str, bytes]]] = {}


def case(function: Callable[[], tuple[str, bytes]]) -> Callable[[], tuple[str, bytes]]:
    CASES[function.__name__] = function
    return function


@case
def bomb_300mb() -> tuple[str, bytes]:
    from tests.core.workbook_files import bomb_bytes

    return "bomb.xlsx", bomb_bytes(300)


@case
def bomb_300mb_lying() -> tuple[str, bytes]:
    from tests.core.workbook_files import bomb_bytes

    return "bomb.xlsx", bomb_bytes(300, lie_about_size=True)


def _text(rng: random.Random, length: int) -> str:
    return "".join(rng.choices(string.ascii_letters, k=length))


@case
def widest_workbook_within_5mb() -> tuple[str, bytes]:
    """50,000 rows x 20 columns of inline strings, packed (just) under the upload bound."""
    from tests.core.workbook_files import MAIN, workbook_bytes

    rng = random.Random(1)
    rows = []
    for number in range(1, 50_002):
        cells = "".join(
            f'<c t="inlineStr"><is><t>{_text(rng, 3) if column else number}</t></is></c>'
            for column in range(20)
        )
        rows.append(f'<row r="{number}">{cells}</row>')
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    return "wide.xlsx", workbook_bytes(sheet, None)


@case
def most_cells_within_the_part_bound() -> tuple[str, bytes]:
    """A sheet of 40 one-digit number cells per row for 50,000 rows (2,000,000 cells, the bound)."""
    from tests.core.workbook_files import MAIN, workbook_bytes

    row = "".join("<c><v>7</v></c>" for _ in range(40))
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>'
        + "".join(f'<row r="{n}">{row}</row>' for n in range(1, 50_001))
        + "</sheetData></worksheet>"
    )
    return "cells.xlsx", workbook_bytes(sheet, None)


@case
def largest_csv() -> tuple[str, bytes]:
    """Just under 5 MB: 50,000 rows x 20 short columns."""
    rng = random.Random(2)
    lines = [",".join(f"Column {n}" for n in range(20))]
    lines += [",".join(_text(rng, 4) for _ in range(20)) for _ in range(50_000)]
    return "big.csv", "\n".join(lines).encode()


def _measure(name: str, queue: multiprocessing.Queue[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    # Reading a file touches no database or Redis; settings only insist that they are named.
    os.environ.setdefault("DATABASE_URL", "postgres://bench@127.0.0.1:1/unused")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")
    django.setup()
    from django.core.exceptions import ValidationError

    from participants.importing.parsing import as_csv, parse_file

    file_name, content = CASES[name]()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        parsed = parse_file(file_name, content)
        stored = as_csv(parsed)
        outcome = f"{len(parsed.rows):,} rows, stored as {len(stored) / 2**20:.1f} MB of CSV"
    except ValidationError as error:
        outcome = "400: " + error.message_dict["file"][0][:90]
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(
        f"{name:34} {len(content) / 2**20:6.2f} MB  {elapsed:6.2f} s  "
        f"peak {peak / 2**20:7.1f} MB traced, {rss:6.0f} MB RSS  {outcome}"
    )


def main() -> None:
    sys.path.insert(0, os.getcwd())
    context = multiprocessing.get_context("spawn")
    for name in CASES:
        queue: multiprocessing.Queue[str] = context.Queue()
        process = context.Process(target=_measure, args=(name, queue))
        process.start()
        process.join()
        print(queue.get() if not queue.empty() else f"{name}: failed ({process.exitcode})")


if __name__ == "__main__":
    main()
