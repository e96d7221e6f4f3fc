"""The cross-tenant route matrix, one module per area.

Each module defines ``ROUTES: dict[url_name, Route]`` and ``build(tenant) -> dict[str, Any]``, which
creates org A's objects (inside ``tenant.scope()``) and returns the ids that ``Route.kwargs`` needs.
``tests/tenancy/test_route_matrix.py`` visits every route as org B with those ids and expects 404;
its meta-test fails for any URL pattern that no module lists. Add a module to ``MODULES`` below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def no_ids(ids: dict[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Route:
    methods: tuple[str, ...]
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = no_ids
    # Organisation routes are reached through /o/<slug>/ or /api/v1/o/<slug>/ and check membership;
    # the few that are not (invitation links) guard themselves with a token.
    member_gated: bool = True
    # Status org A's admin gets on GET (proves the 404s come from tenancy, not a broken URL).
    owner_get_status: int = 200
    # Status org B's signed-in admin gets. 404 everywhere but the SCIM endpoint, which takes no
    # session at all: 401 for everyone without a provisioning token (its cross-tenant test with
    # tokens is tests/participants/scim/test_scim.py).
    foreign_status: int = 404


def ids_of(key: str, name: str = "pk") -> Callable[[dict[str, Any]], dict[str, Any]]:
    """kwargs builder: {name: ids[key]}."""
    return lambda ids: {name: ids[key]}


MODULES = [
    "tests.tenancy.routes.core",
    "tests.tenancy.routes.homes",
    "tests.tenancy.routes.enrollment",
    "tests.tenancy.routes.programs",
    "tests.tenancy.routes.directory",
    "tests.tenancy.routes.matching",
    "tests.tenancy.routes.matching_pages",
    "tests.tenancy.routes.pair_pages",
    "tests.tenancy.routes.relationships",
    "tests.tenancy.routes.checkins",
    "tests.tenancy.routes.review",
    "tests.tenancy.routes.surveys_builder",
    "tests.tenancy.routes.actions",
    "tests.tenancy.routes.surveys_waves",
    "tests.tenancy.routes.surveys_results",
    "tests.tenancy.routes.dashboards_program",
    "tests.tenancy.routes.exports",
    "tests.tenancy.routes.onboarding",
    "tests.tenancy.routes.privacy",
    "tests.tenancy.routes.scim",
    "tests.tenancy.routes.webhooks",
    "tests.tenancy.routes.calendars",
    "tests.tenancy.routes.sso",
    "tests.tenancy.routes.organization_settings",
]
