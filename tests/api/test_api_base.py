"""API base: token auth per organisation, the error body, pagination, roles, throttling, schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import UserRateThrottle

from organizations import services
from organizations.models import Membership
from tests.conftest import Tenant, login
from tests.factories import make_member


def _token(tenant: Tenant, membership: Membership | None = None) -> str:
    membership = membership or tenant.admin
    with tenant.scope():
        _token, key = services.api_token_create(
            organization=tenant.organization, user=membership.user, name="integration"
        )
    return key


def _get(url: str, key: str) -> Any:
    return Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_token_works_in_its_own_organisation(org_a: Tenant) -> None:
    response = _get(f"/api/v1/o/{org_a.slug}/members/", _token(org_a))
    assert response.status_code == 200
    emails = {row["email"] for row in response.json()["results"]}
    assert emails == {"admin@acme.test", "coordinator@acme.test", "member@acme.test"}


def test_token_of_org_a_is_unknown_under_org_b(tenants: tuple[Tenant, Tenant]) -> None:
    """401 under org B, exactly as under a slug that does not exist: no organisation is revealed."""
    org_a, org_b = tenants
    key = _token(org_a)
    assert _get(f"/api/v1/o/{org_b.slug}/members/", key).status_code == 401
    assert _get(f"/api/v1/o/{org_b.slug}/", key).status_code == 401
    assert _get("/api/v1/o/no-such-organisation/members/", key).status_code == 401


def test_revoked_token_stops_working(org_a: Tenant) -> None:
    key = _token(org_a)
    with org_a.scope():
        from organizations.models import ApiToken

        token = ApiToken.objects.get()
        services.api_token_revoke(actor=org_a.admin.user, token=token)
    assert _get(f"/api/v1/o/{org_a.slug}/members/", key).status_code == 401


def test_token_of_a_removed_member_stops_working(org_a: Tenant) -> None:
    key = _token(org_a, org_a.coordinator)
    with org_a.scope():
        services.membership_remove(actor=org_a.admin.user, membership=org_a.coordinator)
    assert _get(f"/api/v1/o/{org_a.slug}/members/", key).status_code == 401


def test_garbage_authorization_header_is_not_a_500(org_a: Tenant) -> None:
    for header in ("Bearer", "Bearer a b", "Bearer \u00e9\u00e9"):
        response = Client().get(f"/api/v1/o/{org_a.slug}/members/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
        assert set(response.json()) == {"detail", "fields"}
    # Not our scheme: an anonymous request, which is a non-member's 404.
    response = Client().get(
        f"/api/v1/o/{org_a.slug}/members/", HTTP_AUTHORIZATION="Basic Zm9vOmJhcg=="
    )
    assert response.status_code == 404


def test_validation_errors_use_the_detail_fields_body(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/api/v1/o/{org_a.slug}/invitations/",
        {"email": "not-an-email", "role": "boss"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Some fields are invalid."
    assert set(body["fields"]) == {"email", "role"}


def test_service_validation_error_maps_to_the_same_body(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/api/v1/o/{org_a.slug}/invitations/",
        {"email": "member@acme.test"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "email": ["This person is already a member of the organisation."]
    }


def test_malformed_json_is_a_400(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/api/v1/o/{org_a.slug}/invitations/", "{nope", content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "fields"}


def test_last_admin_cannot_be_demoted(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.patch(
        f"/api/v1/o/{org_a.slug}/members/{org_a.admin.pk}/",
        {"role": "member"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"role": ["An organisation needs at least one admin."]}


def test_admin_changes_a_role_and_it_is_audited(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.patch(
        f"/api/v1/o/{org_a.slug}/members/{org_a.member.pk}/",
        {"role": "coordinator"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["role"] == "coordinator"
    audit = client.get(f"/api/v1/o/{org_a.slug}/audit-log/").json()["results"]
    assert audit[0]["action"] == "membership.role_changed"
    assert audit[0]["data"] == {"from": "member", "to": "coordinator"}


@pytest.mark.parametrize(
    ("role", "method", "path", "expected"),
    [
        ("member", "get", "members/", 403),
        ("coordinator", "get", "members/", 200),
        ("coordinator", "delete", "members/{member}/", 403),
        ("coordinator", "get", "invitations/", 403),
        ("coordinator", "get", "audit-log/", 403),
        ("member", "get", "", 200),
        ("admin", "delete", "members/{member}/", 204),
    ],
)
def test_roles(org_a: Tenant, role: str, method: str, path: str, expected: int) -> None:
    client = login(Client(), getattr(org_a, role).user)
    url = f"/api/v1/o/{org_a.slug}/" + path.format(member=org_a.member.pk)
    assert getattr(client, method)(url).status_code == expected


def test_cursor_pagination(org_a: Tenant) -> None:
    for _ in range(5):
        make_member(org_a.organization)
    client = login(Client(), org_a.admin.user)
    first = client.get(f"/api/v1/o/{org_a.slug}/members/?page_size=3").json()
    assert len(first["results"]) == 3
    assert first["next"]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    seen = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(seen) == 6
    third = client.get(second["next"]).json()
    assert len(third["results"]) == 2
    assert third["next"] is None


def test_member_list_query_count_does_not_grow_with_rows(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    url = f"/api/v1/o/{org_a.slug}/members/"
    client.get(url)  # warm the session/auth caches

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(20):
        make_member(org_a.organization)
    assert count() == few
    assert few <= 8


def test_token_requests_are_throttled(org_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    key = _token(org_a)
    statuses = [_get(f"/api/v1/o/{org_a.slug}/", key).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = _get(f"/api/v1/o/{org_a.slug}/", key)
    assert set(response.json()) == {"detail", "fields"}


def test_schema_is_served_and_lists_the_organisation_routes(db: None) -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/o/{org_slug}/members/" in schema["paths"]
    assert "/api/v1/o/{org_slug}/invitations/{id}/revoke/" in schema["paths"]


def test_docs_page_uses_local_assets_only(db: None) -> None:
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # the CSP allows no inline scripts


def test_schema_generates_without_warnings_and_validates(db: None) -> None:
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", "/dev/null")
