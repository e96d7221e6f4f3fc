"""Idempotency-Key on API POSTs: one object per key, the first answer replayed, a different body
refused, a running first request a 409, keys forgotten after 24 hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.test import Client

from organizations import services
from organizations.idempotency import purge_expired
from organizations.models import IdempotencyRecord, Invitation, TokenScope
from organizations.scope import dangerously_unscoped
from organizations.tasks import purge_idempotency_records
from tests.conftest import Tenant, login


def _key(tenant: Tenant, **options: Any) -> str:
    with tenant.scope():
        _token, key = services.api_token_create(
            organization=tenant.organization, user=tenant.admin.user, name="sync", **options
        )
    return key


def _invite(tenant: Tenant, token: str, email: str, idem: str, **extra: Any) -> Any:
    return Client().post(
        f"/api/v1/o/{tenant.slug}/invitations/",
        {"email": email, "role": "member"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=idem,
        **extra,
    )


def _invitations(tenant: Tenant) -> int:
    with tenant.scope():
        return Invitation.objects.count()


def test_a_repeated_post_creates_one_object_and_replays_the_first_answer(org_a: Tenant) -> None:
    token = _key(org_a)
    first = _invite(org_a, token, "new@acme.test", "k-1")
    again = _invite(org_a, token, "new@acme.test", "k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert _invitations(org_a) == 1


def test_a_repeated_multipart_post_creates_one_object(org_a: Tenant) -> None:
    token = _key(org_a)
    url = f"/api/v1/o/{org_a.slug}/invitations/"
    data = {"email": "form@acme.test", "role": "member"}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_IDEMPOTENCY_KEY": "form-1"}
    first = Client().post(url, data, **headers)  # multipart/form-data
    again = Client().post(url, data, **headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert _invitations(org_a) == 1
    changed = Client().post(url, {**data, "email": "other@acme.test"}, **headers)
    assert changed.status_code == 422


def test_the_same_key_with_a_different_body_is_refused(org_a: Tenant) -> None:
    token = _key(org_a)
    assert _invite(org_a, token, "new@acme.test", "k-1").status_code == 201
    response = _invite(org_a, token, "other@acme.test", "k-1")
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert _invitations(org_a) == 1


def test_a_repeat_while_the_first_is_running_is_a_409(org_a: Tenant) -> None:
    token = _key(org_a)
    _invite(org_a, token, "new@acme.test", "k-1")
    with org_a.scope():
        IdempotencyRecord.objects.update(state=IdempotencyRecord.State.RUNNING)
    response = _invite(org_a, token, "new@acme.test", "k-1")
    assert response.status_code == 409
    assert "still running" in response.json()["detail"]
    assert _invitations(org_a) == 1


def test_keys_are_per_caller_and_per_organisation(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    assert _invite(org_a, _key(org_a), "one@acme.test", "shared").status_code == 201
    # The same key from a signed-in person is their own key.
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/api/v1/o/{org_a.slug}/invitations/",
        {"email": "two@acme.test", "role": "member"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="shared",
    )
    assert response.status_code == 201
    assert _invite(org_b, _key(org_b), "one@acme.test", "shared").status_code == 201
    assert _invitations(org_a) == 2
    assert _invitations(org_b) == 1


def test_a_refusal_before_the_work_is_not_kept(org_a: Tenant) -> None:
    read_only = _key(org_a, scope=TokenScope.READ)
    assert _invite(org_a, read_only, "new@acme.test", "k-1").status_code == 403
    with org_a.scope():
        assert not IdempotencyRecord.objects.exists()


def test_a_bad_key_is_a_400(org_a: Tenant) -> None:
    response = _invite(org_a, _key(org_a), "new@acme.test", "x" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]


def test_a_key_expires_after_24_hours_and_is_purged(org_a: Tenant) -> None:
    token = _key(org_a)
    start = datetime.now(UTC)
    assert _invite(org_a, token, "new@acme.test", "k-1").status_code == 201
    with time_machine.travel(start + timedelta(hours=23)):
        assert _invite(org_a, token, "new@acme.test", "k-1")["Idempotent-Replayed"] == "true"
        assert purge_expired() == 0
    with time_machine.travel(start + timedelta(hours=24, seconds=1)):
        # Run again: this time the person is already invited, a 400 of its own.
        again = _invite(org_a, token, "new@acme.test", "k-1")
        assert again.status_code == 400
        assert "Idempotent-Replayed" not in again
    with time_machine.travel(start + timedelta(hours=48, seconds=2)):
        assert purge_idempotency_records() == 1
    with dangerously_unscoped():
        assert not IdempotencyRecord.objects.exists()
