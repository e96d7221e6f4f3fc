"""Load the demo organisations once (idempotent: a second run changes nothing)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from organizations import services
from organizations.models import Membership, Organization, Role
from organizations.scope import tenant_scope

DEMO_PASSWORD = "flipside-demo"  # noqa: S105  (documented demo login, local only)


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


class Command(BaseCommand):
    help = "Create the demo organisations and logins if they do not exist yet."

    def handle(self, *args: Any, **options: Any) -> None:
        if Organization.objects.filter(slug="demo").exists():
            self.stdout.write("Demo data already loaded.")
            return
        with transaction.atomic():
            admin = _user("admin@demo.flipside.test", "Ada Admin")
            coordinator = _user("coordinator@demo.flipside.test", "Cory Coordinator")
            member = _user("member@demo.flipside.test", "Mina Member")
            demo = services.organization_create(name="Northwind Demo", slug="demo", admin=admin)
            with tenant_scope(demo):
                Membership.objects.create(user=coordinator, role=Role.COORDINATOR)
                Membership.objects.create(user=member, role=Role.MEMBER)
                services.invitation_create(
                    organization=demo,
                    actor=admin,
                    email="new.mentor@demo.flipside.test",
                    role=Role.MEMBER,
                )
            globex_admin = _user("admin@globex.flipside.test", "Gus Globex")
            globex = services.organization_create(
                name="Globex Demo", slug="globex", admin=globex_admin
            )
            with tenant_scope(globex):
                Membership.objects.create(user=member, role=Role.MEMBER)
        self.stdout.write(self.style.SUCCESS("Demo organisations loaded."))
