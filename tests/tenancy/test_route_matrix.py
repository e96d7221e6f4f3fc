"""Cross-tenant route matrix: every organisation route, visited by org B with org A's slug and ids,
answers 404. A meta-test fails when a URL pattern is neither in the matrix nor declared global."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pytest_django import DjangoDbBlocker

from tests.conftest import Tenant, _tenant
from tests.tenancy.routes import MODULES, Route, no_ids


def _load() -> tuple[dict[str, Route], list[Callable[[Tenant], dict[str, Any]]]]:
    routes: dict[str, Route] = {}
    builders = []
    for name in MODULES:
        module = importlib.import_module(name)
        duplicated = set(routes) & set(module.ROUTES)
        assert not duplicated, f"{name} lists routes already in the matrix: {duplicated}"
        routes.update(module.ROUTES)
        builders.append(module.build)
    return routes, builders


MATRIX, BUILDERS = _load()


# Routes that are not about one organisation's data, and why.
GLOBAL_ROUTES = {
    "home": "organisation picker: lists only the signed-in person's own memberships",
    "healthz": "liveness, no data",
    "readyz": "readiness, no data",
    "api-schema": "OpenAPI schema, no data",
    "api-docs": "API docs page, no data",
    "api-root": "lists only the signed-in person's own organisations",
    "platform_organization_list": "platform operators only (404 for everyone else), no tenant rows; "
    "tests/organizations/platform/",
    "platform_organization_new": "platform operators only (404 for everyone else), creates a new "
    "organisation; tests/organizations/platform/",
}
# Third-party URL sets mounted under a prefix: accounts (allauth, per person) and the platform
# operators' Django admin (staff only, outside any organisation).
GLOBAL_PREFIXES = ("accounts/", "platform-admin/")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str | None]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


def all_routes() -> list[tuple[str, str | None]]:
    return list(_walk(get_resolver().url_patterns))


def test_every_route_is_in_the_matrix_or_declared_global() -> None:
    missing = []
    for route, name in all_routes():
        if route.startswith(GLOBAL_PREFIXES) or route.lstrip("^").startswith(GLOBAL_PREFIXES):
            continue
        if name in MATRIX or name in GLOBAL_ROUTES:
            continue
        missing.append(f"{route} (name={name})")
    assert missing == [], (
        "Add these routes to the cross-tenant MATRIX (or GLOBAL_ROUTES): " + ", ".join(missing)
    )


def test_matrix_names_exist() -> None:
    names = {name for _route, name in all_routes()}
    assert set(MATRIX) - names == set()
    assert set(GLOBAL_ROUTES) - names == set()


def test_every_organisation_route_takes_the_slug() -> None:
    for route, name in all_routes():
        if name in MATRIX:
            assert "org_slug" in route, f"{name} is in the matrix but has no org_slug in {route}"


@dataclass
class Fixture:
    """Org A and the ids of its objects that the matrix tries from org B, and org B."""

    tenant: Tenant
    ids: dict[str, Any]
    org_b: Tenant
    # Session keys of the two admins, signed in once.
    sessions: dict[str, str]


@pytest.fixture(scope="module")
def fixture(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Fixture]:
    """Both organisations and org A's objects, built once for the module in a transaction that
    stays open, then rolled back. Each case is a ``django_db`` test, whose transaction is a savepoint
    inside this one, rolled back after its request: a POST or DELETE never shows in another case."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            org_a, org_b = _tenant("acme"), _tenant("bolt")
            ids: dict[str, Any] = {}
            for build in BUILDERS:
                ids.update(build(org_a))
            sessions = {}
            for tenant in (org_a, org_b):
                client = Client()
                client.force_login(tenant.admin.user)
                sessions[tenant.slug] = client.session.session_key or ""
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield Fixture(org_a, ids, org_b, sessions)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def shared_client() -> Client:
    """One client for every case: a new one loads the middleware again (WhiteNoise indexes every
    static file when it starts), which costs more than the request itself."""
    return Client()


def _signed_in(client: Client, fixture: Fixture, tenant: Tenant) -> Client:
    """The shared client carrying only ``tenant``'s admin's session cookie (no cookie of an earlier
    case, such as a message or CSRF cookie, reaches the next)."""
    client.cookies = SimpleCookie()
    client.cookies[settings.SESSION_COOKIE_NAME] = fixture.sessions[tenant.slug]
    return client


def _request(client: Client, method: str, url: str) -> Any:
    payload = {"role": "admin", "email": "x@acme.test", "name": "t"}
    if url.startswith("/api/"):
        return client.generic(
            method, url, data=json.dumps(payload), content_type="application/json"
        )
    return client.generic(
        method,
        url,
        data="role=admin&email=x%40acme.test&name=t",
        content_type="application/x-www-form-urlencoded",
    )


CASES = [(name, method) for name, route in MATRIX.items() for method in route.methods]


@pytest.mark.parametrize(("name", "method"), CASES)
@pytest.mark.django_db
def test_org_b_admin_gets_404_with_org_a_slug(
    fixture: Fixture, shared_client: Client, name: str, method: str
) -> None:
    org_b = fixture.org_b
    client = _signed_in(shared_client, fixture, org_b)
    route = MATRIX[name]
    url = reverse(name, kwargs={"org_slug": fixture.tenant.slug, **route.kwargs(fixture.ids)})
    if not route.member_gated:
        # The invitation link is for people outside the organisation: it is guarded by its token.
        url = reverse(name, kwargs={"org_slug": org_b.slug, **route.kwargs(fixture.ids)})
    response = _request(client, method, url)
    assert response.status_code == route.foreign_status, (name, method, url, response.status_code)


ID_CASES = [c for c in CASES if MATRIX[c[0]].kwargs is not no_ids and MATRIX[c[0]].member_gated]


@pytest.mark.parametrize(("name", "method"), ID_CASES)
@pytest.mark.django_db
def test_org_b_admin_gets_404_for_org_a_ids_under_own_slug(
    fixture: Fixture, shared_client: Client, name: str, method: str
) -> None:
    org_b = fixture.org_b
    client = _signed_in(shared_client, fixture, org_b)
    url = reverse(name, kwargs={"org_slug": org_b.slug, **MATRIX[name].kwargs(fixture.ids)})
    response = _request(client, method, url)
    expected = MATRIX[name].foreign_status
    assert response.status_code == expected, (name, method, url, response.status_code)


@pytest.mark.parametrize(("name", "method"), [c for c in CASES if c[1] == "GET"])
@pytest.mark.django_db
def test_org_a_admin_reaches_the_same_urls(
    fixture: Fixture, shared_client: Client, name: str, method: str
) -> None:
    """Proves the 404s above come from tenancy, not from broken URLs."""
    client = _signed_in(shared_client, fixture, fixture.tenant)
    url = reverse(
        name, kwargs={"org_slug": fixture.tenant.slug, **MATRIX[name].kwargs(fixture.ids)}
    )
    response = client.get(url)
    assert response.status_code == MATRIX[name].owner_get_status, (name, url, response.status_code)


@pytest.mark.django_db
def test_unknown_slug_and_malformed_ids_are_404(fixture: Fixture, shared_client: Client) -> None:
    org_a = fixture.tenant
    client = _signed_in(shared_client, fixture, org_a)
    for url in [
        "/o/does-not-exist/",
        "/api/v1/o/does-not-exist/members/",
        f"/o/{org_a.slug}/members/abc/role/",
        f"/api/v1/o/{org_a.slug}/members/abc/",
        f"/api/v1/o/{org_a.slug}/members/99999999999999999999999/",
        f"/api/v1/o/{org_a.slug}/members/0/",
        f"/api/v1/o/{org_a.slug}/members/-1/",
        "/invitations/does-not-exist/sometoken/",
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in_whether_or_not_the_org_exists(fixture: Fixture) -> None:
    client = Client()
    for slug in (fixture.tenant.slug, "does-not-exist"):
        response = client.get(f"/o/{slug}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_anonymous_api_gets_404_whether_or_not_the_org_exists(fixture: Fixture) -> None:
    client = Client()
    for slug in (fixture.tenant.slug, "does-not-exist"):
        assert client.get(f"/api/v1/o/{slug}/members/").status_code == 404
