"""One row of the role matrix: the status each actor expects (shared by table.py and areas/)."""

from __future__ import annotations

# The actors of the world (tests/access/world.py), in the order of a row's columns.
ACTORS = (
    "admin",
    "coordinator",
    "other_coordinator",
    "mentor",
    "mentee",
    "outsider",
    "anonymous",
)


Statuses = dict[str, int]


def row(
    admin: int,
    coordinator: int,
    other_coordinator: int,
    mentor: int,
    mentee: int,
    outsider: int,
    anonymous: int,
) -> Statuses:
    statuses = (admin, coordinator, other_coordinator, mentor, mentee, outsider, anonymous)
    return dict(zip(ACTORS, statuses, strict=True))
