"""The time zones people and programs may choose: IANA names, one list for the whole product."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

# Present in tzdata but not places a person lives in.
_NOT_PLACES = frozenset({"localtime", "Factory"})


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_PLACES


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]
