from __future__ import annotations

from django.test import Client

from accounts.models import User
from mentoring.demo import seed_demo
from organizations.models import AuditEntry, Organization
from organizations.scope import tenant_scope
from participants.models import Enrollment, EnrollmentStatus, Person
from programs.models import Program, ProgramStatus


def test_demo_loads_once_with_programs_in_several_states(db: None) -> None:
    assert seed_demo() is True
    assert seed_demo() is False
    demo = Organization.objects.get(slug="demo")
    with tenant_scope(demo):
        statuses = set(Program.objects.values_list("status", flat=True))
        assert {
            ProgramStatus.DRAFT,
            ProgramStatus.ENROLLING,
            ProgramStatus.ACTIVE,
            ProgramStatus.CLOSED,
        } <= statuses
        assert Person.objects.count() >= 60
        assert Enrollment.objects.filter(status=EnrollmentStatus.ACCEPTED).count() >= 20
        member_invitation = Enrollment.objects.get(person__user__email="member@demo.flipside.test")
        assert member_invitation.status == EnrollmentStatus.INVITED
        assert member_invitation.program.status == ProgramStatus.ENROLLING
        assert AuditEntry.objects.filter(action="enrollment.invited").exists()


def test_demo_member_sees_the_invitation_on_my_programs(db: None) -> None:
    seed_demo()
    client = Client()
    client.force_login(User.objects.get(email="member@demo.flipside.test"))
    html = client.get("/o/demo/me/programs/").content.decode()
    assert "Next-Gen Workplace" in html
