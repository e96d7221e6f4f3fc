"""Demo organisations and logins (part of ``manage.py seed_demo``)."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from accounts.models import User
from organizations import services
from organizations.models import Membership, Organization, Role
from organizations.scope import tenant_scope

DEMO_PASSWORD = "flipside-demo"  # noqa: S105  (documented demo login, local only)


@dataclass(frozen=True)
class DemoOrganizations:
    demo: Organization
    admin: User
    coordinator: User
    member: User
    globex: Organization


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def load_demo_organizations() -> DemoOrganizations:
    admin = _user("admin@demo.flipside.test", "Ada Admin")
    coordinator = _user("coordinator@demo.flipside.test", "Cory Coordinator")
    member = _user("member@demo.flipside.test", "Mina Member")
    demo = services.organization_create(name="Northwind Demo", slug="demo", admin=admin)
    with tenant_scope(demo):
        Membership.objects.create(user=coordinator, role=Role.COORDINATOR)
        Membership.objects.create(user=member, role=Role.MEMBER)
        services.invitation_create(
            organization=demo, actor=admin, email="new.mentor@demo.flipside.test", role=Role.MEMBER
        )
    globex_admin = _user("admin@globex.flipside.test", "Gus Globex")
    globex = services.organization_create(name="Globex Demo", slug="globex", admin=globex_admin)
    with tenant_scope(globex):
        Membership.objects.create(user=member, role=Role.MEMBER)
    return DemoOrganizations(demo, admin, coordinator, member, globex)
