"""One row of the role matrix: the status each actor expects (shared by table.py and areas/)."""

from __future__ import annotations

# The actors of the world (tests/access/world.py), in the order of a row's columns.
ACTORS = (
    "admin",
    "coordinator",
    "other_coordinator",
    "org_coordinator",
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
    *,
    org_coordinator: int | None = None,
) -> Statuses:
    """``org_coordinator`` (a coordinator of every program, ``Membership.all_programs``) stands
    where P's own coordinator stands unless a row says otherwise: for them every program is an
    assigned one (``programs.access``). Every row therefore has a status for them, tested."""
    statuses = {
        "admin": admin,
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "org_coordinator": coordinator if org_coordinator is None else org_coordinator,
        "mentor": mentor,
        "mentee": mentee,
        "outsider": outsider,
        "anonymous": anonymous,
    }
    assert tuple(statuses) == ACTORS
    return statuses
