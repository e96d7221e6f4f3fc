"""The API token memory (organizations/api/token_memory.py): a token lookup is remembered by the
process and used only while the generations in Redis say nothing changed. Every change that can
refuse a token or change what it grants is seen on the very next request, though the process still
holds what it remembered (the memory is per process; the generations are shared through Redis).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.api import throttling
from organizations import selectors, services
from organizations.api import token_memory
from organizations.models import ApiToken, Membership, Role, TokenScope
from tests.conftest import Tenant
from tests.factories import make_member

MEMBERS = "/api/v1/o/{slug}/members/?page_size=20"


def _token(tenant: Tenant, membership: Membership | None = None, **extra: object) -> str:
    with tenant.scope():
        _token, key = services.api_token_create(
            organization=tenant.organization,
            user=(membership or tenant.admin).user,
            name="integration",
            **extra,  # type: ignore[arg-type]
        )
    return key


def _get(url: str, key: str) -> tuple[int, list[str]]:
    """Status and the SQL of one request."""
    with CaptureQueriesContext(connection) as captured:
        status = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code
    return status, [query["sql"] for query in captured.captured_queries]


def _remembered(tenant: Tenant, key: str, url: str | None = None) -> None:
    """Make the process remember the token: the first request writes ``last_used_at`` (and so
    reads again next time), the second reads and remembers, the third asks the token nothing."""
    url = url or MEMBERS.format(slug=tenant.slug)
    for _ in range(2):
        assert _get(url, key)[0] == 200
    status, queries = _get(url, key)
    assert status == 200
    assert not any("organizations_apitoken" in query for query in queries), queries


def _remembered_entries() -> int:
    return len(token_memory._entries)


def test_a_remembered_token_list_request_runs_one_query(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The middleware remembers the organisation too (off in the rest of the suite).
    monkeypatch.setattr(selectors, "ORGANIZATION_CACHE_SECONDS", 60.0)
    key = _token(org_a)
    url = MEMBERS.format(slug=org_a.slug)
    _remembered(org_a, key)
    status, queries = _get(url, key)
    assert status == 200
    assert len(queries) == 1, queries  # the page; the token came from memory
    assert "organizations_membership" in queries[0]
    for _ in range(5):
        make_member(org_a.organization)  # membership writes bump the organisation's generation
    status, queries = _get(url, key)
    assert (status, len(queries)) == (200, 2)  # read again once
    assert _get(url, key)[1] == queries[1:]


def test_the_token_query_reads_no_password_hash(org_a: Tenant) -> None:
    key = _token(org_a)
    assert _get(MEMBERS.format(slug=org_a.slug), key)[0] == 200
    _status, queries = _get(MEMBERS.format(slug=org_a.slug), key)
    token_query = next(query for query in queries if "organizations_apitoken" in query)
    assert "password" not in token_query
    assert "last_login" not in token_query


def test_revoked_token_is_refused_on_the_next_request_though_remembered(org_a: Tenant) -> None:
    key = _token(org_a)
    _remembered(org_a, key)
    with org_a.scope():
        services.api_token_revoke(actor=org_a.admin.user, token=ApiToken.objects.get())
    assert _remembered_entries() == 1  # still held: the generation in Redis refuses it
    assert _get(MEMBERS.format(slug=org_a.slug), key)[0] == 401


def test_token_revoked_by_a_bulk_update_is_refused(org_a: Tenant) -> None:
    key = _token(org_a)
    _remembered(org_a, key)
    with org_a.scope():
        ApiToken.objects.update(revoked_at=timezone.now())
    assert _get(MEMBERS.format(slug=org_a.slug), key)[0] == 401


def test_deleted_token_is_refused(org_a: Tenant) -> None:
    key = _token(org_a)
    _remembered(org_a, key)
    with org_a.scope():
        ApiToken.objects.get().delete()
    assert _get(MEMBERS.format(slug=org_a.slug), key)[0] == 401


def test_deactivated_user_is_refused_on_the_next_request(org_a: Tenant) -> None:
    key = _token(org_a)
    _remembered(org_a, key)
    user = org_a.admin.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _get(MEMBERS.format(slug=org_a.slug), key)[0] == 401


def test_removed_membership_is_refused_on_the_next_request(org_a: Tenant) -> None:
    key = _token(org_a, org_a.coordinator)
    _remembered(org_a, key)
    with org_a.scope():
        services.membership_remove(actor=org_a.admin.user, membership=org_a.coordinator)
    assert _get(MEMBERS.format(slug=org_a.slug), key)[0] == 401


def test_role_change_is_read_on_the_next_request(org_a: Tenant) -> None:
    key = _token(org_a, org_a.coordinator)
    settings_url = f"/api/v1/o/{org_a.slug}/settings/"
    _remembered(org_a, key)
    assert _get(settings_url, key)[0] == 403  # admins only
    with org_a.scope():
        services.membership_change_role(
            actor=org_a.admin.user, membership=org_a.coordinator, role=Role.ADMIN
        )
    assert _get(settings_url, key)[0] == 200


def test_read_only_scope_and_expiry_are_checked_on_every_remembered_request(
    org_a: Tenant,
) -> None:
    expires_at = timezone.now() + dt.timedelta(hours=1)
    key = _token(org_a, scope=TokenScope.READ, expires_at=expires_at)
    _remembered(org_a, key)
    response = Client().post(
        f"/api/v1/o/{org_a.slug}/members/", {}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    with time_machine.travel(expires_at + dt.timedelta(seconds=1)):
        response = Client().get(MEMBERS.format(slug=org_a.slug), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_token_remembered_here_is_not_accepted_at_another_organisation(
    org_a: Tenant, org_b: Tenant
) -> None:
    key = _token(org_a)
    _remembered(org_a, key)
    status, _ = _get(MEMBERS.format(slug=org_b.slug), key)
    assert status == 401


def test_a_bump_from_another_process_is_seen(org_a: Tenant) -> None:
    """Another process shares only Redis: it bumps the organisation's generation there."""
    key = _token(org_a)
    _remembered(org_a, key)
    redis_key = cache.make_key(f"api-token-generation:{org_a.organization.pk}")
    location = settings.CACHES["default"]["LOCATION"]
    subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-c",
            "import redis, sys; redis.Redis.from_url(sys.argv[1]).incr(sys.argv[2])",
            location if isinstance(location, str) else location[0],
            redis_key,
        ],
        check=True,
        env={**os.environ},
    )
    status, queries = _get(MEMBERS.format(slug=org_a.slug), key)
    assert status == 200
    assert any("organizations_apitoken" in query for query in queries)  # read again


@pytest.mark.django_db(transaction=True)
def test_the_generation_is_bumped_again_after_commit(
    org_a: Tenant, django_capture_on_commit_callbacks: object
) -> None:
    from django.db import transaction

    key = _token(org_a)
    _remembered(org_a, key)
    redis_key = cache.make_key(f"api-token-generation:{org_a.organization.pk}")
    client = throttling.raw_client(redis_key)
    before = int(client.get(redis_key))
    with (
        django_capture_on_commit_callbacks(execute=True),  # type: ignore[operator]
        transaction.atomic(),
        org_a.scope(),
    ):
        ApiToken.objects.update(revoked_at=timezone.now())
        inside = int(client.get(redis_key))
    assert inside == before + 1  # at once (a reader before the commit reads again later)
    assert int(client.get(redis_key)) == before + 2  # and after the commit


def test_last_used_write_does_not_bump(org_a: Tenant) -> None:
    key = _token(org_a)
    assert _get(MEMBERS.format(slug=org_a.slug), key)[0] == 200
    redis_key = cache.make_key(f"api-token-generation:{org_a.organization.pk}")
    client = throttling.raw_client(redis_key)
    before = client.get(redis_key)
    with org_a.scope():
        ApiToken.objects.update(last_used_at=None)  # a plain write bumps…
    assert client.get(redis_key) != before
    bumped = client.get(redis_key)
    assert _get(MEMBERS.format(slug=org_a.slug), key)[0] == 200  # …the token's own touch does not
    with org_a.scope():
        assert ApiToken.objects.get().last_used_at is not None
    assert client.get(redis_key) == bumped


def test_redis_unreachable_on_a_request_reads_the_token(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    key = _token(org_a)
    _remembered(org_a, key)

    def unreachable(key: str) -> object:
        raise RedisConnectionError("Redis is restarting")

    monkeypatch.setattr(throttling, "raw_client", unreachable)
    status, queries = _get(MEMBERS.format(slug=org_a.slug), key)
    assert status == 200
    assert any("organizations_apitoken" in query for query in queries)


def test_a_failed_bump_stops_this_process_remembering(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    key = _token(org_a)
    _remembered(org_a, key)
    reachable = throttling.raw_client

    def unreachable(key: str) -> object:
        raise RedisConnectionError("Redis is restarting")

    monkeypatch.setattr(throttling, "raw_client", unreachable)
    with org_a.scope():
        services.api_token_revoke(actor=org_a.admin.user, token=ApiToken.objects.get())
    monkeypatch.setattr(throttling, "raw_client", reachable)
    # The generation never moved, yet this process does not trust what it held.
    assert _remembered_entries() == 0
    assert _get(MEMBERS.format(slug=org_a.slug), key)[0] == 401
    key = _token(org_a)
    for _ in range(3):
        status, queries = _get(MEMBERS.format(slug=org_a.slug), key)
        assert status == 200
        assert any("organizations_apitoken" in query for query in queries)


def test_a_lost_generation_is_never_trusted(org_a: Tenant) -> None:
    key = _token(org_a)
    _remembered(org_a, key)
    cache.clear()  # Redis restarted empty: the generations start again at random values
    status, queries = _get(MEMBERS.format(slug=org_a.slug), key)
    assert status == 200
    assert any("organizations_apitoken" in query for query in queries)


def test_remembered_request_still_counts_for_the_throttle(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "4/min", "anon": "4/min"})
    key = _token(org_a)
    url = MEMBERS.format(slug=org_a.slug)
    statuses = [Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}") for _ in range(5)]
    assert [response.status_code for response in statuses] == [200, 200, 200, 200, 429]
    assert int(statuses[-1]["Retry-After"]) > 0
