"""Role-by-action matrix: the status every actor gets from every organisation route and method.

The expected statuses are data in ``tests/access/table.py``; the world they are measured in is
``tests/access/world.py`` (one program of org A with its coordinators, a pair and everything around
it). Beside the cross-tenant matrix (``tests/tenancy``), which proves org B never reaches org A,
this one proves who inside org A reaches what. Meta-tests fail when a route or a method the view
answers is missing from the table.

Speed: the world is built once per module (per xdist worker) inside an outer transaction that is
rolled back at the end; each case is a ``django_db`` test, whose transaction is a savepoint inside
that one, rolled back after its single request: a DELETE or a POST never shows in another case.
Each actor signs in once; every case uses one client (loading the middleware once) and carries
only its actor's session cookie. The cache, with its rate-limit counters, is emptied around every
test by ``tests/conftest.py``, so no case meets a 429.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from tests.access.routes import organisation_routes
from tests.access.rows import ACTORS
from tests.access.table import TABLE, VARIANTS, base_name
from tests.access.world import READERS, TEXTS, World, build
from tests.tenancy.test_route_matrix import MATRIX


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """The world, built once in a transaction that stays open for the module, then rolled back."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            built = build()
            for actor, user in built.users.items():
                if user is not None:
                    client = Client()
                    client.force_login(user)
                    assert client.session.session_key is not None
                    built.sessions[actor] = client.session.session_key
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _url(world: World, key: str) -> str:
    name = base_name(key)
    ids = dict(world.ids)
    for target, source in VARIANTS.get(key, {}).items():
        ids[target] = ids[source]
    return reverse(name, kwargs={"org_slug": world.org_a.slug, **MATRIX[name].kwargs(ids)})


@pytest.fixture(scope="module")
def shared_client() -> Client:
    """One client for every case: a new one would load the middleware again (WhiteNoise indexes
    every static file when it starts), which would cost more than the requests themselves."""
    return Client(raise_request_exception=False)


def _request(client: Client, world: World, actor: str, key: str, method: str) -> Any:
    """One request with an empty body (so writes by permitted actors fail validation or do their
    normal thing). The test's own transaction (a savepoint in the world's) is rolled back after it.
    Cookies are replaced: a message or CSRF cookie of one case never reaches the next."""
    client.cookies = SimpleCookie()
    session = world.sessions.get(actor)
    if session is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    url = _url(world, key)
    if method == "GET":
        return client.get(url)
    if url.startswith("/api/"):
        return client.generic(method, url, data=json.dumps({}), content_type="application/json")
    # A field no form has: the form is bound (so it validates) yet carries nothing.
    return client.generic(
        method, url, data="matrix=1", content_type="application/x-www-form-urlencoded"
    )


CASES = [
    pytest.param(key, method, actor, id=f"{key}-{method}-{actor}")
    for key, method in TABLE
    for actor in ACTORS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "method", "actor"), CASES)
def test_status(world: World, shared_client: Client, key: str, method: str, actor: str) -> None:
    expected = TABLE[key, method][actor]
    got = _request(shared_client, world, actor, key, method).status_code
    assert got == expected, f"({key}, {method}, {actor}): expected {expected}, got {got}"


# Pages and API reads that show a pair's sessions, notes or check-ins to someone.
TEXT_ROUTES = (
    "pair_detail",
    "my_pair_list",
    "program_pair_list",
    "my_check_in_list",
    "program_check_in_list",
    "program_engagement",
    "program_review",
    "review_pair",
    "api-pair-session-list",
    "api-pair-session-detail",
    "api-pair-note-list",
    "api-check-in-list",
    "api-check-in-detail",
)


@pytest.mark.django_db
def test_pair_text_reaches_exactly_its_readers(world: World, shared_client: Client) -> None:
    """Statuses are not the whole policy: a 200 may carry text that is not the viewer's. Across
    the routes that show a pair's life, each text is read by its readers and nobody else."""
    seen: dict[str, set[str]] = {name: set() for name in TEXTS}
    for key in TEXT_ROUTES:
        for actor in ACTORS:
            body = _request(shared_client, world, actor, key, "GET").content.decode()
            for name, text in TEXTS.items():
                if text in body:
                    seen[name].add(actor)
                    assert actor in READERS[name], f"{actor} reads the {name} on {key}"
    assert seen == {name: set(readers) for name, readers in READERS.items()}


# --- Meta-tests -------------------------------------------------------------------------------------


def test_every_route_and_method_is_in_the_table() -> None:
    listed = {(base_name(key), method) for key, method in TABLE}
    missing = [
        f"({found.name}, {method})  # {found.route}"
        for found in organisation_routes()
        for method in found.methods
        if (found.name, method) not in listed
    ]
    assert missing == [], "Add these to tests/access/table.py:\n" + "\n".join(missing)


def test_the_table_lists_only_methods_the_views_route() -> None:
    routed = {found.name: found for found in organisation_routes()}
    stale = []
    for key, method in TABLE:
        found = routed.get(base_name(key))
        if found is None:
            stale.append(f"{key}: no such route")
        elif method not in found.methods and not found.unrestricted:
            stale.append(f"({key}, {method}): the view answers only {found.methods}")
    assert stale == []


def test_every_table_route_has_url_kwargs_in_the_cross_tenant_matrix() -> None:
    """URL ids come from ``tests/tenancy/routes`` (the world fills their keys)."""
    assert {base_name(key) for key, _method in TABLE} - set(MATRIX) == set()


@pytest.mark.django_db
def test_variants_rewire_ids_the_world_has(world: World) -> None:
    for key, rewiring in VARIANTS.items():
        assert any(k == key for k, _method in TABLE), f"variant {key} has no entry"
        for target, source in rewiring.items():
            assert target in world.ids, (key, target)
            assert source in world.ids, (key, source)
