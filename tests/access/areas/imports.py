"""Role matrix rows of the import downloads (see tests/access/areas/__init__.py).

They follow the import policy (``participants/importing/access.py``): admins only, everyone else
403 before any id is looked up. The world's import has not been checked, so it has no problems to
download: the admin is sent back to the import's page (302) with a message, or gets 400 in the
API. The API answers 404 to anyone not a member.
"""

from __future__ import annotations

from typing import Any

from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    return {}  # the world's own import job ("import")


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("import_template", "GET"):                       row(200, 403, 403, 403, 403, 403, 302),
    ("import_problems", "GET"):                       row(302, 403, 403, 403, 403, 403, 302),
    ("api-import-template", "GET"):                   row(200, 403, 403, 403, 403, 403, 404),
    ("api-import-problems", "GET"):                   row(400, 403, 403, 403, 403, 403, 404),
}
# fmt: on
