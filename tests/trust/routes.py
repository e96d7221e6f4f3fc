"""Every organisation route and method, with the URL of its object in the role matrix's world and
the first actor the matrix lets through (so a request reaches parsing and validation)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.access.routes import organisation_routes
from tests.access.rows import ACTORS
from tests.access.table import TABLE, VARIANTS, base_name
from tests.access.world import World
from tests.tenancy.test_route_matrix import MATRIX

PERMITTED = {200, 201, 202, 204, 302, 400, 409, 410}


def route_cases(*, api_only: bool = False) -> list[Any]:
    """One case per route and method the resolver knows, with the matrix key that builds its URL
    (the role matrix's meta-test keeps every route in its table); API routes alone if asked."""
    keys = {base_name(key): key for key, _method in TABLE}
    cases = []
    for found in organisation_routes():
        if api_only and not found.route.lstrip("^").startswith("api/"):
            continue
        for method in found.methods:
            key = keys.get(found.name, found.name)
            cases.append(pytest.param(key, method, id=f"{key}-{method}"))
    return cases


def first_actor(key: str, method: str) -> str:
    """The first actor the matrix lets through (so the request reaches parsing and validation)."""
    statuses = TABLE.get((key, method)) or TABLE.get((key, "GET")) or {}
    for actor in ACTORS:
        if statuses.get(actor) in PERMITTED and actor != "anonymous":
            return actor
    return "admin"


def route_url(world: World, key: str) -> str:
    name = base_name(key)
    ids = dict(world.ids)
    for target, source in VARIANTS.get(key, {}).items():
        ids[target] = ids[source]
    return reverse(name, kwargs={"org_slug": world.org_a.slug, **MATRIX[name].kwargs(ids)})
