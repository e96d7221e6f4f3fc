"""Role matrix rows of the round form's live what-if (see tests/access/areas/__init__.py).

The what-if follows the rounds policy (``matching/rounds/access.py``, ``round.run``): the staff
who run program P preview a round; a coordinator of another program cannot tell P exists (404 on
the page, whose URL names P; 400 in the API, whose body does and is empty here); members are
refused by role (403). Bodies are empty or a field no form has: 400. It uses the world's matching
program (``pages_program``), so it adds no objects.
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
    ("matching_what_if", "POST"):                     row(400, 400, 404, 403, 403, 403, 302),
    ("api-matching-round-what-if", "POST"):           row(400, 400, 400, 403, 403, 403, 404),
}
# fmt: on
