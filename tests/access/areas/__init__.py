"""Areas of the role matrix added after the first table, one module each.

Each module defines ``TABLE`` (rows as in ``tests/access/table.py``) and ``build(ctx) -> ids``,
which adds its objects to the one world (``tests/access/world.py`` calls it with a
:class:`~tests.access.areas.context.Context`) and returns the ids its routes' kwargs read.
"""

from __future__ import annotations

from types import ModuleType

from tests.access.areas import (
    actions,
    calendars,
    dashboards_program,
    exports,
    homes,
    imports,
    matching_whatif,
    onboarding,
    organization_settings,
    planned_sessions,
    privacy,
    rule_impact,
    scim,
    sso,
    surveys_builder,
    surveys_results,
    surveys_waves,
    webhooks,
)

AREAS: list[ModuleType] = [
    surveys_builder,
    surveys_waves,
    surveys_results,
    actions,
    dashboards_program,
    homes,
    exports,
    imports,
    onboarding,
    privacy,
    rule_impact,
    matching_whatif,
    scim,
    webhooks,
    calendars,
    sso,
    organization_settings,
    planned_sessions,
]
