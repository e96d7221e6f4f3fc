"""Builders for the homes tests (no tests here): live programs whose dates are around today, with
pairs whose people have accounts in the organisation."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from feedback.models import EngagementSnapshot
from matching.models import Pair, PairStatus
from organizations.models import Role
from programs.models import Program, ProgramStatus
from tests.conftest import Tenant
from tests.factories import make_member
from tests.feedback.test_engagement_builders import make_pair
from tests.participants.test_enrollment_builders import assign_coordinator, make_program

_counter = itertools.count(1)


def today() -> date:
    return timezone.localdate()


def live_program(tenant: Tenant, *, coordinated: bool = True, **fields: Any) -> Program:
    """An active program that started 60 days ago; its mid-program review opened yesterday."""
    fields.setdefault("status", ProgramStatus.ACTIVE)
    fields.setdefault("start_date", today() - timedelta(days=60))
    fields.setdefault("mid_review_date", today() - timedelta(days=1))
    fields.setdefault("end_date", today() + timedelta(days=90))
    program = make_program(tenant, **fields)
    if coordinated:
        assign_coordinator(tenant, program)
    return program


def member(tenant: Tenant, email: str) -> User:
    return make_member(tenant.organization, role=Role.MEMBER, email=email).user


@dataclass
class PeoplePair:
    pair: Pair
    mentor_user: User
    mentee_user: User


def people_pair(
    tenant: Tenant,
    program: Program,
    *,
    status: str = PairStatus.ACTIVE,
    mentor_user: User | None = None,
    mentee_user: User | None = None,
) -> PeoplePair:
    """A pair started 30 days ago whose two people sign in (new members unless given)."""
    n = next(_counter)
    mentor_user = mentor_user or member(tenant, f"mentor{n}@{tenant.slug}.test")
    mentee_user = mentee_user or member(tenant, f"mentee{n}@{tenant.slug}.test")
    pair = make_pair(
        tenant,
        program,
        status=status,
        started=today() - timedelta(days=30),
        mentor_user=mentor_user,
        mentee_user=mentee_user,
    )
    with tenant.scope():
        pair = Pair.objects.select_related("program", "mentor__person", "mentee__person").get(
            pk=pair.pk
        )
    return PeoplePair(pair, mentor_user, mentee_user)


def snapshot(tenant: Tenant, pair: Pair, level: str, *, days_ago: int = 0) -> EngagementSnapshot:
    with tenant.scope():
        return EngagementSnapshot.objects.create(
            organization=tenant.organization,
            pair=pair,
            computed_on=today() - timedelta(days=days_ago),
            score=30 if level == "at_risk" else 80,
            level=level,
            reasons=[],
        )
