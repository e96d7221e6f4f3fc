"""API tokens: scope (read-only → 403 on writes), expiry (401), last used (written at most once a
minute), create and revoke in the audit log, the page's field messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from organizations import services
from organizations.models import ApiToken, AuditEntry, Invitation, TokenScope
from tests.conftest import Tenant, login


def _token(tenant: Tenant, **options: Any) -> str:
    with tenant.scope():
        _token, key = services.api_token_create(
            organization=tenant.organization, user=tenant.admin.user, name="sync", **options
        )
    return key


def _invite(tenant: Tenant, key: str) -> Any:
    return Client().post(
        f"/api/v1/o/{tenant.slug}/invitations/",
        {"email": "new@acme.test", "role": "member"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def test_read_only_token_reads_but_may_not_write(org_a: Tenant) -> None:
    key = _token(org_a, scope=TokenScope.READ)
    members = Client().get(f"/api/v1/o/{org_a.slug}/members/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert members.status_code == 200
    response = _invite(org_a, key)
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    with org_a.scope():
        assert not Invitation.objects.exists()


def test_read_write_token_writes(org_a: Tenant) -> None:
    assert _invite(org_a, _token(org_a, scope=TokenScope.READ_WRITE)).status_code == 201


def test_expired_token_is_a_401(org_a: Tenant) -> None:
    key = _token(org_a, expires_at=datetime.now(UTC) + timedelta(days=1))
    url = f"/api/v1/o/{org_a.slug}/members/"
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=1, seconds=1)):
        response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_a_401_and_another_tenants_ids_a_404(
    tenants: tuple[Tenant, Tenant],
) -> None:
    org_a, org_b = tenants
    made_up = Client().get(
        f"/api/v1/o/{org_a.slug}/members/", HTTP_AUTHORIZATION="Bearer fs_made_up"
    )
    assert made_up.status_code == 401
    key_b = _token(org_b)
    foreign = Client().get(
        f"/api/v1/o/{org_b.slug}/members/{org_a.member.pk}/", HTTP_AUTHORIZATION=f"Bearer {key_b}"
    )
    assert foreign.status_code == 404


def test_last_used_is_written_at_most_once_a_minute(org_a: Tenant) -> None:
    key = _token(org_a)
    url = f"/api/v1/o/{org_a.slug}/members/"
    start = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    with org_a.scope():
        assert ApiToken.objects.get().last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    with org_a.scope():
        assert ApiToken.objects.get().last_used_at == start + timedelta(seconds=61)


def test_create_and_revoke_are_audited(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/o/{org_a.slug}/api-tokens/", {"name": "HRIS", "scope": "read", "expires_on": ""}
    )
    assert response.status_code == 200
    with org_a.scope():
        token = ApiToken.objects.get()
        assert token.scope == TokenScope.READ
        assert token.expires_at is None
    client.post(f"/o/{org_a.slug}/api-tokens/{token.pk}/revoke/")
    with org_a.scope():
        entries = list(
            AuditEntry.objects.filter(object_id=str(token.pk)).values_list("action", "data")
        )
    assert ("api_token.created", {"name": "HRIS", "scope": "read", "expires_at": None}) in entries
    assert ("api_token.revoked", {"name": "HRIS"}) in entries


def test_page_sets_expiry_at_the_end_of_the_chosen_day(org_a: Tenant) -> None:
    with time_machine.travel(datetime(2030, 3, 1, 12, 0, tzinfo=UTC)):
        client = login(Client(), org_a.admin.user)
        client.post(
            f"/o/{org_a.slug}/api-tokens/",
            {"name": "HRIS", "scope": "read_write", "expires_on": "2030-03-10"},
        )
        page = client.get(f"/o/{org_a.slug}/api-tokens/").content.decode()
    with org_a.scope():
        token = ApiToken.objects.get()
    assert token.expires_at == datetime(2030, 3, 11, 0, 0, tzinfo=UTC)  # the org's zone is UTC
    assert "Read and write" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "scope": "read"}, "name", "This field is required."),
        ({"name": "x", "scope": "admin"}, "scope", "Select a valid choice."),
        ({"name": "x", "scope": "read", "expires_on": "2020-01-01"}, "expires_on", "after today"),
        ({"name": "x", "scope": "read", "expires_on": "soon"}, "expires_on", "valid date"),
        ({"name": "a\tb", "scope": "read"}, "name", ""),
    ],
)
def test_page_form_shows_field_messages(
    org_a: Tenant, data: dict[str, str], field: str, message: str
) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(f"/o/{org_a.slug}/api-tokens/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    with org_a.scope():
        assert not ApiToken.objects.exists()


def test_service_refuses_a_past_expiry_and_an_unknown_scope(org_a: Tenant) -> None:
    with org_a.scope():
        with pytest.raises(ValidationError) as past:
            services.api_token_create(
                organization=org_a.organization,
                user=org_a.admin.user,
                name="x",
                expires_at=datetime.now(UTC) - timedelta(minutes=1),
            )
        assert "expires_at" in past.value.message_dict
        with pytest.raises(ValidationError) as scope:
            services.api_token_create(
                organization=org_a.organization, user=org_a.admin.user, name="x", scope="all"
            )
        assert "scope" in scope.value.message_dict
