"""Test data builders. Tenant factories require an organisation: there is no default one."""

from __future__ import annotations

import itertools
from typing import Any

from allauth.account.models import EmailAddress

from accounts.models import User
from organizations.models import Membership, Organization, Role
from organizations.scope import tenant_scope

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def make_user(
    email: str | None = None, *, password: str = PASSWORD, verified: bool = True, **extra: Any
) -> User:
    email = email or f"person{next(_counter)}@example.test"
    user = User.objects.create_user(email=email, password=password, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def make_organization(slug: str, name: str | None = None) -> Organization:
    return Organization.objects.create(slug=slug, name=name or slug.title())


def make_member(
    organization: Organization,
    *,
    role: str = Role.MEMBER,
    user: User | None = None,
    **user_extra: Any,
) -> Membership:
    """A user with a membership in ``organization`` (the organisation is required, never defaulted)."""
    user = user or make_user(**user_extra)
    with tenant_scope(organization):
        return Membership.objects.create(organization=organization, user=user, role=role)
