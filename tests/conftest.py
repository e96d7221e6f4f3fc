"""Shared fixtures: every fixture set builds two organisations with look-alike data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from organizations.models import Membership, Organization, Role
from organizations.scope import tenant_scope
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
def _clear_cache() -> Iterator[None]:
    """Rate-limit counters and heartbeats live in the cache (its own Redis database)."""
    cache.clear()
    yield
    cache.clear()


def login(client: Client, user: User) -> Client:
    assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def client_for(client: Client):  # type: ignore[no-untyped-def]
    def _client_for(user: User) -> Client:
        fresh = Client()
        return login(fresh, user)

    return _client_for
