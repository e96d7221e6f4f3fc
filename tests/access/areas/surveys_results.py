"""Role matrix rows and world objects of this area (see tests/access/areas/__init__.py)."""

from __future__ import annotations

from typing import Any

from tests.access.areas.context import Context
from tests.access.rows import Statuses


def build(ctx: Context) -> dict[str, Any]:
    return {}


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
}
# fmt: on
