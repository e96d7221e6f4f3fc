"""Role matrix rows of the rules' impact in the API (see tests/access/areas/__init__.py).

It follows the rounds policy (``matching/rounds/access.py``), like the round form's table: staff
who may see the program's matching; members 403 before their body is read. With ``{}`` the body
names no program, so every staff role reads 400; the API answers 404 to anyone not a member.
"""

from __future__ import annotations

from typing import Any

from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    return {}


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("api-matching-round-impact", "POST"):            row(400, 400, 400, 403, 403, 403, 404),
}
# fmt: on
