"""The demo organisation, end to end: organisations and logins, the topic vocabulary and programs
in several lifecycle states, a directory of 60+ people, and enrolments.

Programs past "enrolling" were moved there directly by the programs demo (they need accepted
people, who are added here); their enrolments are therefore written directly as accepted rows too.
The enrolling program goes through the enrolment services, so its audit log reads like real use,
and the demo member (member@demo.flipside.test) has an invitation waiting in it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from mentoring.demo_outcomes import load_demo_outcomes
from mentoring.demo_pairs import load_demo_pairs
from organizations.demo import DemoOrganizations, load_demo_organizations
from organizations.models import Organization
from organizations.scope import tenant_scope
from participants import directory, enrollment
from participants.demo import load_demo_people
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus, Person
from programs import services as program_services
from programs.demo import load_demo_programs
from programs.models import Program, ProgramStatus


def seed_demo() -> bool:
    """Load the demo once; returns False when it was already there."""
    if Organization.objects.filter(slug="demo").exists():
        return False
    with transaction.atomic():
        orgs = load_demo_organizations()
        load_demo_programs(orgs.demo, orgs.admin)
        people = load_demo_people(orgs.demo)
        me = _enrol(orgs, people)
        with tenant_scope(orgs.demo):
            load_demo_pairs(admin=orgs.admin, member=orgs.member, member_person=me)
            load_demo_outcomes()
    return True


def _enrol(orgs: DemoOrganizations, people: list[Person]) -> Person:
    with tenant_scope(orgs.demo):
        juniors = sorted((p for p in people if (p.level or 0) <= 4), key=lambda p: p.pk)
        seniors = sorted((p for p in people if (p.level or 0) >= 7), key=lambda p: p.pk)
        me = directory.person_create(
            organization=orgs.demo,
            actor=orgs.admin,
            email=orgs.member.email,
            full_name=orgs.member.full_name,
            job_title="Data analyst",
            department="Data",
            level=2,
            time_zone="Europe/London",
            languages=["en"],
        )
        enrollment.person_link_user(user=orgs.member)
        programs = {p.status: p for p in Program.objects.all()}
        for program in programs.values():
            program_services.coordinator_assign(
                actor=orgs.admin, program=program, user=orgs.coordinator
            )

        now = timezone.now()
        for status, offset in (
            (ProgramStatus.ACTIVE, 0),
            (ProgramStatus.MATCHING, 6),
            (ProgramStatus.CLOSED, 12),
        ):
            program = programs.get(status)
            if program is None:
                continue
            rows = [
                Enrollment(
                    organization_id=orgs.demo.pk,
                    program=program,
                    person=person,
                    role=role,
                    status=EnrollmentStatus.ACCEPTED,
                    invited_by=orgs.admin,
                    status_changed_at=now,
                )
                for role, group in (
                    (EnrollmentRole.MENTOR, juniors[offset : offset + 8]),
                    (EnrollmentRole.MENTEE, seniors[offset // 2 : offset // 2 + 6]),
                )
                for person in group
            ]
            Enrollment.objects.bulk_create(rows)

        enrolling = programs.get(ProgramStatus.ENROLLING)
        if enrolling is not None:
            enrollment.enrollment_invite(
                program=enrolling,
                person_ids=[me.pk, *(p.pk for p in juniors[-6:])],
                role=EnrollmentRole.MENTOR,
                actor=orgs.admin,
            )
            enrollment.enrollment_invite(
                program=enrolling,
                person_ids=[p.pk for p in seniors[-4:]],
                role=EnrollmentRole.MENTEE,
                actor=orgs.admin,
            )
    return me
