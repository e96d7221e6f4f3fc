"""Shared fixtures: every fixture set builds two organisations with look-alike data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from mentoring.celery import app as celery_app
from organizations import selectors as organization_selectors
from organizations.api import token_memory
from organizations.models import Membership, Organization, Role
from organizations.scope import tenant_scope
from organizations.selectors import forget_organizations
from tests.factories import PASSWORD, make_member, make_organization


@dataclass
class Tenant:
    organization: Organization
    admin: Membership
    coordinator: Membership
    member: Membership

    @property
    def slug(self) -> str:
        return self.organization.slug

    def scope(self):  # type: ignore[no-untyped-def]
        return tenant_scope(self.organization)


def _tenant(slug: str) -> Tenant:
    organization = make_organization(slug, name=f"{slug.title()} Corp")
    return Tenant(
        organization=organization,
        admin=make_member(
            organization, role=Role.ADMIN, email=f"admin@{slug}.test", full_name="Alex Admin"
        ),
        coordinator=make_member(
            organization,
            role=Role.COORDINATOR,
            email=f"coordinator@{slug}.test",
            full_name="Casey Coordinator",
        ),
        member=make_member(
            organization, role=Role.MEMBER, email=f"member@{slug}.test", full_name="Morgan Member"
        ),
    )


@pytest.fixture
def org_a(db: None) -> Tenant:
    return _tenant("acme")


@pytest.fixture
def org_b(db: None) -> Tenant:
    return _tenant("bolt")


@pytest.fixture
def tenants(org_a: Tenant, org_b: Tenant) -> tuple[Tenant, Tenant]:
    return org_a, org_b


@pytest.fixture(autouse=True)
def _clear_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Rate-limit counters and heartbeats live in the cache (its own Redis database); the tenancy
    middleware's per-process memory of organisations is off, so a test's first request counts the
    same queries as its next (``tests/api/test_lean_path.py`` turns it on to test it). The API
    token memory stays on (a test's first token request reads the token, the next ones need not)
    and starts empty."""
    cache.clear()
    forget_organizations()
    token_memory.reset()
    monkeypatch.setattr(organization_selectors, "ORGANIZATION_CACHE_SECONDS", 0.0)
    yield
    cache.clear()
    forget_organizations()
    token_memory.reset()


class CeleryWorker:
    """A real Celery worker embedded in the test process (threads pool), consuming from the real
    Redis broker: this test process's own database of it (see settings, PYTEST_XDIST_WORKER)."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self.running = False

    def start(self) -> None:
        if not self.running:
            self._stack.enter_context(
                start_worker(
                    celery_app,
                    pool="threads",
                    concurrency=2,
                    perform_ping_check=False,
                    loglevel="WARNING",
                )
            )
            self.running = True


@pytest.fixture
def celery_worker() -> Iterator[CeleryWorker]:
    """A worker that the test starts when it wants (``celery_worker.start()``, e.g. once a page
    shows a job waiting), stopped after the test. Nothing queued by an earlier test may reach it."""
    celery_app.control.purge()
    with ExitStack() as stack:
        yield CeleryWorker(stack)


@pytest.fixture
def worker(celery_worker: CeleryWorker) -> CeleryWorker:
    """A worker running for the whole test."""
    celery_worker.start()
    return celery_worker


def login(client: Client, user: User) -> Client:
    assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def client_for(client: Client):  # type: ignore[no-untyped-def]
    def _client_for(user: User) -> Client:
        fresh = Client()
        return login(fresh, user)

    return _client_for


@pytest.fixture(scope="session", autouse=True)
def _through_pgbouncer(request: pytest.FixtureRequest) -> Iterator[None]:
    """With FLIPSIDE_TEST_VIA_PGBOUNCER=1 every test talks to its database through a real PgBouncer
    in transaction mode with one server connection (CI runs the tenancy and access matrices so)."""
    if os.environ.get("FLIPSIDE_TEST_VIA_PGBOUNCER") != "1":
        yield
        return
    from django.db import connections

    from tests import pgbouncer

    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    default = connections["default"]
    direct = dict(default.settings_dict)
    with blocker.unblock(), pgbouncer.running(direct) as pooler:
        default.close()
        default.settings_dict = pooler.settings_for(direct)
        try:
            yield
        finally:
            default.close()
            default.settings_dict = direct
