"""The demo's active program shows what changed: shared implemented actions among open ones."""

from __future__ import annotations

from django.test import Client

from accounts.models import User
from feedback.actions import selectors
from feedback.models import Action, ActionStatus
from mentoring.demo import seed_demo
from organizations.models import Organization
from organizations.scope import tenant_scope
from programs.models import Program, ProgramStatus


def test_the_demo_has_open_implemented_and_shared_actions(db: None) -> None:
    seed_demo()
    demo = Organization.objects.get(slug="demo")
    with tenant_scope(demo):
        active = Program.objects.get(status=ProgramStatus.ACTIVE)
        statuses = set(Action.objects.filter(pair__program=active).values_list("status", flat=True))
        assert {ActionStatus.PLANNED, ActionStatus.IMPLEMENTED} <= statuses
        shared = list(selectors.shared_implemented_actions(active))
        assert shared
    admin = User.objects.get(email="admin@demo.flipside.test")
    client = Client()
    client.force_login(admin)
    html = client.get(f"/o/demo/programs/{active.pk}/what-changed/").content.decode()
    assert shared[0].title in html
