"""Builders for the check-in tests (no tests here): one active pair of org A or B, published
through a matching round, with accounts for both people and dated program."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from accounts.models import User
from matching import services
from matching.models import Pair, PairStatus
from organizations.models import Role
from participants.models import Person
from programs.models import Program, ProgramStatus
from tests.conftest import Tenant
from tests.factories import make_member
from tests.matching.test_rounds_builders import matching_cohort, proposed_round
from tests.participants.test_enrollment_builders import assign_coordinator

START = date(2026, 1, 5)
END = date(2026, 3, 2)
ACTIVATED = datetime.fromisoformat("2026-01-02T10:00:00+00:00")


@dataclass
class CheckInWorld:
    tenant: Tenant
    program: Program
    pair: Pair
    mentor_user: User
    mentee_user: User
    outsider_coordinator: User


def check_in_world(
    tenant: Tenant, *, cadence: int = 14, start: date = START, end: date = END
) -> CheckInWorld:
    cohort = matching_cohort(tenant, 1)
    matching_round = proposed_round(tenant, cohort)
    slug = tenant.slug
    mentor_user = make_member(
        tenant.organization, email=f"mentor@{slug}.test", full_name="Mia Mentor"
    ).user
    mentee_user = make_member(
        tenant.organization, email=f"mentee@{slug}.test", full_name="Eli Executive"
    ).user
    outsider = make_member(
        tenant.organization, role=Role.COORDINATOR, email=f"coordinator2@{slug}.test"
    ).user
    assign_coordinator(tenant, cohort.program)
    with tenant.scope():
        [pair] = services.round_publish(matching_round=matching_round, actor=tenant.admin.user)
        Program.objects.filter(pk=cohort.program.pk).update(
            status=ProgramStatus.ACTIVE,
            start_date=start,
            end_date=end,
            checkin_cadence_days=cadence,
            time_zone="Europe/Paris",
        )
        Person.objects.filter(pk=cohort.mentors[0].person_id).update(
            user=mentor_user, email=mentor_user.email, full_name="Mia Mentor", time_zone="UTC"
        )
        Person.objects.filter(pk=cohort.mentees[0].person_id).update(
            user=mentee_user,
            email=mentee_user.email,
            full_name="Eli Executive",
            time_zone="Asia/Tokyo",
        )
        Pair.objects.filter(pk=pair.pk).update(status=PairStatus.ACTIVE, activated_at=ACTIVATED)
        pair = Pair.objects.select_related("program", "mentor__person", "mentee__person").get(
            pk=pair.pk
        )
    return CheckInWorld(
        tenant=tenant,
        program=pair.program,
        pair=pair,
        mentor_user=mentor_user,
        mentee_user=mentee_user,
        outsider_coordinator=outsider,
    )
