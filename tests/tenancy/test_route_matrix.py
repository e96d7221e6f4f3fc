"""Cross-tenant route matrix: every organisation route, visited by org B with org A's slug and ids,
answers 404. A meta-test fails when a URL pattern is neither in the matrix nor declared global."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from organizations import services
from tests.conftest import Tenant, login


@dataclass
class Fixture:
    """Org A's objects whose ids the matrix tries from org B."""

    tenant: Tenant
    invitation_id: int
    invitation_token: str
    api_token_id: int
    extra: dict[str, Any] = field(default_factory=dict)


def _no_ids(f: Fixture) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Route:
    methods: tuple[str, ...]
    kwargs: Callable[[Fixture], dict[str, Any]] = _no_ids
    # Organisation routes are reached through /o/<slug>/ or /api/v1/o/<slug>/ and check membership.
    member_gated: bool = True


def _member(f: Fixture) -> dict[str, Any]:
    return {"pk": f.tenant.member.pk}


MATRIX: dict[str, Route] = {
    # Pages
    "organization_home": Route(("GET",)),
    "member_list": Route(("GET",)),
    "member_role": Route(("POST",), _member),
    "member_remove": Route(("POST",), _member),
    "invitation_list": Route(("GET", "POST")),
    "invitation_revoke": Route(("POST",), lambda f: {"pk": f.invitation_id}),
    "invitation_resend": Route(("POST",), lambda f: {"pk": f.invitation_id}),
    "audit_log": Route(("GET",)),
    "api_tokens": Route(("GET", "POST")),
    "api_token_revoke": Route(("POST",), lambda f: {"pk": f.api_token_id}),
    "invitation_accept": Route(
        ("GET", "POST"), lambda f: {"token": f.invitation_token}, member_gated=False
    ),
    # API
    "api-organization": Route(("GET",)),
    "api-member-list": Route(("GET",)),
    "api-member-detail": Route(("GET", "PATCH", "DELETE"), _member),
    "api-invitation-list": Route(("GET", "POST")),
    "api-invitation-detail": Route(("GET",), lambda f: {"pk": f.invitation_id}),
    "api-invitation-revoke": Route(("POST",), lambda f: {"pk": f.invitation_id}),
    "api-invitation-resend": Route(("POST",), lambda f: {"pk": f.invitation_id}),
    "api-audit-list": Route(("GET",)),
    "api-audit-detail": Route(("GET",), lambda f: {"pk": f.extra["audit_id"]}),
}

# Routes that are not about one organisation's data, and why.
GLOBAL_ROUTES = {
    "home": "organisation picker: lists only the signed-in person's own memberships",
    "healthz": "liveness, no data",
    "readyz": "readiness, no data",
    "api-schema": "OpenAPI schema, no data",
    "api-docs": "API docs page, no data",
    "api-root": "lists only the signed-in person's own organisations",
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


@pytest.fixture
def fixture(tenants: tuple[Tenant, Tenant]) -> Fixture:
    org_a, _ = tenants
    with org_a.scope():
        invitation, token = services.invitation_create(
            organization=org_a.organization,
            actor=org_a.admin.user,
            email="newcomer@acme.test",
            role="member",
        )
        api_token, _key = services.api_token_create(
            organization=org_a.organization, user=org_a.admin.user, name="HRIS"
        )
        from organizations.models import AuditEntry

        audit_id = AuditEntry.objects.values_list("pk", flat=True).first()
    return Fixture(org_a, invitation.pk, token, api_token.pk, extra={"audit_id": audit_id})


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
def test_org_b_admin_gets_404_with_org_a_slug(
    fixture: Fixture, org_b: Tenant, name: str, method: str
) -> None:
    client = login(Client(), org_b.admin.user)
    route = MATRIX[name]
    url = reverse(name, kwargs={"org_slug": fixture.tenant.slug, **route.kwargs(fixture)})
    if not route.member_gated:
        # The invitation link is for people outside the organisation: it is guarded by its token.
        url = reverse(name, kwargs={"org_slug": org_b.slug, **route.kwargs(fixture)})
    response = _request(client, method, url)
    assert response.status_code == 404, (name, method, url, response.status_code)


ID_CASES = [c for c in CASES if MATRIX[c[0]].kwargs is not _no_ids and MATRIX[c[0]].member_gated]


@pytest.mark.parametrize(("name", "method"), ID_CASES)
def test_org_b_admin_gets_404_for_org_a_ids_under_own_slug(
    fixture: Fixture, org_b: Tenant, name: str, method: str
) -> None:
    client = login(Client(), org_b.admin.user)
    url = reverse(name, kwargs={"org_slug": org_b.slug, **MATRIX[name].kwargs(fixture)})
    response = _request(client, method, url)
    assert response.status_code == 404, (name, method, url, response.status_code)


@pytest.mark.parametrize(("name", "method"), [c for c in CASES if c[1] == "GET"])
def test_org_a_admin_reaches_the_same_urls(fixture: Fixture, name: str, method: str) -> None:
    """Proves the 404s above come from tenancy, not from broken URLs."""
    client = login(Client(), fixture.tenant.admin.user)
    url = reverse(name, kwargs={"org_slug": fixture.tenant.slug, **MATRIX[name].kwargs(fixture)})
    response = client.get(url)
    # The invitation link answers 403 to a signed-in person it was not sent to (the admin here).
    expected = 200 if MATRIX[name].member_gated else 403
    assert response.status_code == expected, (name, url, response.status_code)


def test_unknown_slug_and_malformed_ids_are_404(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
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


def test_anonymous_is_sent_to_sign_in_whether_or_not_the_org_exists(org_a: Tenant) -> None:
    client = Client()
    for slug in (org_a.slug, "does-not-exist"):
        response = client.get(f"/o/{slug}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_anonymous_api_gets_404_whether_or_not_the_org_exists(org_a: Tenant) -> None:
    client = Client()
    for slug in (org_a.slug, "does-not-exist"):
        assert client.get(f"/api/v1/o/{slug}/members/").status_code == 404
