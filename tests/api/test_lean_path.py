"""The API's request path stays lean: a token list request runs a pinned number of queries, the
throttle counts in one Redis round trip, the organisation is remembered per process for a few
seconds and never past a change made here."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import UserRateThrottle

from core.api import throttling
from organizations import selectors, services
from organizations.models import ApiToken, Organization
from tests.conftest import Tenant
from tests.factories import make_member


def _token(tenant: Tenant) -> str:
    with tenant.scope():
        _token, key = services.api_token_create(
            organization=tenant.organization, user=tenant.admin.user, name="integration"
        )
    return key


class _FrozenClock:
    """Stands in for the throttle module's ``time``: 20 s into a minute, whatever the real clock."""

    now = 60 * 29_000_000 + 20.0

    def time(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _remember_organizations(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite turns the middleware's memory of organisations off (tests/conftest.py); on here."""
    monkeypatch.setattr(selectors, "ORGANIZATION_CACHE_SECONDS", 5.0)


def _get(url: str, key: str) -> int:
    return Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def test_token_member_list_runs_two_queries_whatever_the_rows(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A process's first request loads every URL module after the organisation was remembered:
    # seconds on a busy machine, which must not outlast the memory between the two requests.
    monkeypatch.setattr(selectors, "ORGANIZATION_CACHE_SECONDS", 60.0)
    key = _token(org_a)
    url = f"/api/v1/o/{org_a.slug}/members/?page_size=20"
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(url).status_code == 200  # remembers the organisation, writes last_used_at

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    few = queries()
    # The token, its user and the membership in one query (read again: the first request wrote
    # its last_used_at; remembered after, tests/api/test_token_memory.py); the page in one; the
    # organisation remembered. The row-level security settings travel inside the statements (set_config in the
    # same query message, organizations/scope.py): no round trip of their own.
    assert len(few) == 2, few
    assert "organizations_apitoken" in few[0]
    assert "organizations_membership" in few[0]
    for _ in range(25):
        make_member(org_a.organization)  # new memberships: the token is read again, once
    assert len(queries()) == len(few)


def test_last_used_is_written_at_most_once_a_minute(org_a: Tenant) -> None:
    key = _token(org_a)
    url = f"/api/v1/o/{org_a.slug}/"
    assert _get(url, key) == 200
    with org_a.scope():
        first = ApiToken.objects.get().last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as captured:
        assert _get(url, key) == 200
    assert not any("UPDATE" in query["sql"] for query in captured.captured_queries)
    with org_a.scope():
        ApiToken.objects.update(last_used_at=first.replace(year=first.year - 1))
    assert _get(url, key) == 200
    with org_a.scope():
        assert ApiToken.objects.get().last_used_at > first


def test_inactive_user_token_is_refused(org_a: Tenant) -> None:
    key = _token(org_a)
    user = org_a.admin.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _get(f"/api/v1/o/{org_a.slug}/members/", key) == 401


def test_throttle_counts_in_one_window_counter(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    monkeypatch.setattr(throttling, "time", _FrozenClock())
    key = _token(org_a)
    url = f"/api/v1/o/{org_a.slug}/"
    assert [_get(url, key) for _ in range(3)] == [200, 200, 200]
    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    # One integer counter per client and window, no list of request times.
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    (name,) = [name.decode() for name in client.keys("*throttle_user_*")]
    assert name.endswith(f":{int(_FrozenClock.now // 60)}")
    assert int(client.get(name)) == 4
    assert 0 < client.ttl(name) <= 121


def test_throttle_counts_the_previous_window_too(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client cannot double its rate by bursting at the end of one window and the start of the
    next: the previous window's count weighs on the current one."""
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    monkeypatch.setattr(throttling, "time", _FrozenClock())
    key = _token(org_a)
    url = f"/api/v1/o/{org_a.slug}/"
    assert _get(url, key) == 200
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    (name,) = [name.decode() for name in client.keys("*throttle_user_*")]
    prefix, window = name.rsplit(":", 1)
    # 20 s into this window, two thirds of the previous one still count: 2 of 3 earlier requests.
    client.set(f"{prefix}:{int(window) - 1}", 3)
    assert _get(url, key) == 429  # 3 x 2/3 + 2 = 4 > 3
    client.set(f"{prefix}:{int(window) - 1}", 1)
    client.set(name, 1)
    assert _get(url, key) == 200  # 1 x 2/3 + 2 < 3


def test_deactivating_an_organisation_here_takes_effect_at_once(org_a: Tenant) -> None:
    key = _token(org_a)
    url = f"/api/v1/o/{org_a.slug}/members/"
    assert _get(url, key) == 200
    organization = Organization.objects.get(pk=org_a.organization.pk)
    organization.is_active = False
    organization.save(update_fields=["is_active"])
    assert _get(url, key) == 401  # a token at an organisation that is not there (any more)


def test_a_change_made_elsewhere_is_seen_within_the_memory_time(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _token(org_a)
    url = f"/api/v1/o/{org_a.slug}/members/"
    assert _get(url, key) == 200
    # As another process would: no signal reaches this one.
    Organization.objects.filter(pk=org_a.organization.pk).update(is_active=False)
    assert _get(url, key) == 200  # still remembered
    monkeypatch.setattr(selectors, "ORGANIZATION_CACHE_SECONDS", 0.0)
    assert _get(url, key) == 401


def test_remembered_organisation_is_a_fresh_instance_per_request(org_a: Tenant) -> None:
    first = selectors.organization_for_request(org_a.slug)
    second = selectors.organization_for_request(org_a.slug)
    assert first is not None
    assert second is not None
    assert first == second
    assert first is not second
    second.level_labels.append("Mutated")
    second.name = "Mutated"
    third = selectors.organization_for_request(org_a.slug)
    assert third is not None
    assert third.name == org_a.organization.name
    assert "Mutated" not in third.level_labels
    assert selectors.organization_for_request("no-such-organisation") is None


def test_token_lookup_is_one_statement_inside_a_scope_and_refuses_outside(org_a: Tenant) -> None:
    """The lookup is hand-written SQL for speed; it keeps the tenant managers' contract: outside an
    organisation scope it raises rather than searching every organisation."""
    from organizations.api.authentication import token_membership
    from organizations.models import hash_secret
    from organizations.scope import ScopeError

    key = _token(org_a)
    with pytest.raises(ScopeError):
        token_membership(hash_secret(key))
    with org_a.scope(), CaptureQueriesContext(connection) as captured:
        found = token_membership(hash_secret(key))
    assert len(captured.captured_queries) == 1
    assert found is not None
    membership, token = found
    assert membership.user.email == "admin@acme.test"
    assert membership.role == "admin"
    assert token.user_id == membership.user_id
    assert token.organization_id == org_a.organization.pk


def test_throttle_counts_again_after_redis_forgot_its_script(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counter is one Lua script (EVALSHA); a restarted Redis has no scripts: it is loaded
    again and the request counted, not refused nor let through uncounted."""
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    monkeypatch.setattr(throttling, "time", _FrozenClock())
    key = _token(org_a)
    url = f"/api/v1/o/{org_a.slug}/"
    assert _get(url, key) == 200
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    client.script_flush()
    assert [_get(url, key) for _ in range(3)] == [200, 200, 429]
    (name,) = [name.decode() for name in client.keys("*throttle_user_*")]
    assert int(client.get(name)) == 4


def test_throttle_fails_open_while_redis_is_unreachable(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    def unreachable(key: str) -> object:
        raise RedisConnectionError("Redis is restarting")

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "1/min", "anon": "1/min"})
    monkeypatch.setattr(throttling, "raw_client", unreachable)
    key = _token(org_a)
    assert [_get(f"/api/v1/o/{org_a.slug}/", key) for _ in range(3)] == [200, 200, 200]
