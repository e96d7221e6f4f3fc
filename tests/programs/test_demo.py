from __future__ import annotations

from organizations.models import AuditEntry
from programs.demo import load_demo_programs
from programs.models import CharterVersion, Program, Topic
from tests.conftest import Tenant


def test_demo_programs_cover_the_lifecycle_and_load_once(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    load_demo_programs(org_a.organization, org_a.admin.user)
    load_demo_programs(org_a.organization, org_a.admin.user)
    with org_a.scope():
        statuses = set(Program.objects.values_list("status", flat=True))
        assert statuses == {"draft", "enrolling", "matching", "active", "closed"}
        assert Program.objects.count() == 5
        assert Topic.objects.count() == 9
        for program in Program.objects.exclude(status="draft"):
            assert program.objectives.exists()
            assert CharterVersion.objects.filter(program=program).exists()
            assert program.training.count() == 4
        assert AuditEntry.objects.filter(action="program.created").count() == 5
    with org_b.scope():
        assert not Program.objects.exists()
