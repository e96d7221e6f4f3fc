"""Bench data: two look-alike organisations, an admin and N memberships in each, API tokens.

Import after ``django.setup()``. Writes go through the organisation services inside
``tenant_scope``, as the product's own code does.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from accounts.models import User
from organizations import services
from organizations.models import Membership, Organization, Role
from organizations.scope import tenant_scope

BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105  (throwaway database, dropped after the run)
SLUG = "bench-alpha"
OTHER_SLUG = "bench-beta"


@dataclass(frozen=True)
class SeededTenant:
    organization: Organization
    admin: User
    token: str  # the admin's API token for this organisation
    memberships: int


@dataclass(frozen=True)
class Seed:
    tenant: SeededTenant  # the benchmarked organisation
    other: SeededTenant  # the look-alike neighbour whose rows RLS and the scope must hide


def _tenant(slug: str, name: str, members: int) -> SeededTenant:
    domain = f"{slug}.bench.test"
    admin = User.objects.create_user(
        email=f"admin@{domain}", password=BENCH_PASSWORD, full_name=f"{name} Admin"
    )
    organization = services.organization_create(name=name, slug=slug, admin=admin)
    roles = (Role.MEMBER, Role.MEMBER, Role.MEMBER, Role.COORDINATOR)
    with tenant_scope(organization):
        for index in range(1, members + 1):
            user = User.objects.create_user(
                email=f"person{index:03d}@{domain}",
                password=BENCH_PASSWORD,
                full_name=f"Person {index:03d} of {name}",
            )
            Membership.objects.create(user=user, role=roles[index % len(roles)])
        _token, key = services.api_token_create(organization=organization, user=admin, name="bench")
        count = Membership.objects.count()
    return SeededTenant(organization=organization, admin=admin, token=key, memberships=count)


def _bare_copy(organization: Organization) -> None:
    """The bare-DRF baseline's rows (``bench.models.BareMembership``): this organisation's
    memberships copied into a plain table with no row-level security. Read inside the scope, so
    the policy lets exactly this organisation's rows through."""
    with tenant_scope(organization), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_bare_membership AS SELECT id, organization_id, user_id, role, all_programs, "
            "created_at FROM organizations_membership"
        )
        cursor.execute("ALTER TABLE bench_bare_membership ADD PRIMARY KEY (id)")


def seed(*, members: int) -> Seed:
    """Create both organisations (``members`` people besides the admin in each), and the bare
    baseline's copy of the first one's memberships."""
    with transaction.atomic():
        tenant = _tenant(SLUG, "Alpha Bench", members)
        other = _tenant(OTHER_SLUG, "Beta Bench", members)
        _bare_copy(tenant.organization)
    return Seed(tenant=tenant, other=other)
