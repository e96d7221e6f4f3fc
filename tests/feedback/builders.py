"""Builders for relationship tests (no tests here): an active pair with its two members signed up."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

from accounts.models import User
from matching import services
from matching.models import MatchingRound, Pair, PairStatus, RoundStatus
from organizations.models import Membership, Role
from participants.models import Enrollment, EnrollmentRole
from programs.models import Program, ProgramStatus
from tests.conftest import Tenant
from tests.factories import make_user
from tests.matching.test_rounds_builders import (
    WEIGHTS,
    accept_charter,
    add_person,
    matching_cohort,
)


@dataclass
class LivePair:
    pair: Pair
    program: Program
    mentor: Enrollment
    mentee: Enrollment
    mentor_user: User
    mentee_user: User


def _member(tenant: Tenant, email: str) -> User:
    user = make_user(email=email)
    with tenant.scope():
        Membership.objects.create(organization=tenant.organization, user=user, role=Role.MEMBER)
    return user


def live_pair(
    tenant: Tenant, *, charter_accepted: bool = True, started_days_ago: int = 30
) -> LivePair:
    """A program that started ``started_days_ago`` days ago with one published pair whose two
    people have accounts in the organisation."""
    cohort = matching_cohort(tenant, 0, charter_accepted=False)
    program = cohort.program
    mentor_user = _member(tenant, f"mentor{program.pk}@{tenant.slug}.test")
    mentee_user = _member(tenant, f"mentee{program.pk}@{tenant.slug}.test")
    topics = cohort.topics
    mentor = add_person(
        tenant, program, EnrollmentRole.MENTOR, topics=topics, levels={0: 5}, user=mentor_user
    )
    mentee = add_person(
        tenant, program, EnrollmentRole.MENTEE, topics=topics, levels={0: 5}, user=mentee_user
    )
    accept_charter(tenant, program, [mentor, mentee] if charter_accepted else [])
    today = date.today()
    with tenant.scope():
        program.start_date = today - timedelta(days=started_days_ago)
        program.mid_review_date = today + timedelta(days=30)
        program.end_date = today + timedelta(days=90)
        program.save(update_fields=["start_date", "mid_review_date", "end_date"])
        matching_round = services.round_create(
            program=program, actor=tenant.admin.user, weights=WEIGHTS
        )
        services.round_start(matching_round=matching_round, actor=tenant.admin.user)
        # A test with a live worker may see it claim the queued round first: then wait for it.
        if services.run_round(round_id=matching_round.pk) == "skipped":
            deadline = time.monotonic() + 30
            while MatchingRound.objects.get(pk=matching_round.pk).status != RoundStatus.PROPOSED:
                assert time.monotonic() < deadline, "the worker did not finish the round"
                time.sleep(0.05)
        matching_round.refresh_from_db()
        assert matching_round.status == RoundStatus.PROPOSED
        (pair,) = services.round_publish(matching_round=matching_round, actor=tenant.admin.user)
        program.status = ProgramStatus.ACTIVE
        program.save(update_fields=["status"])
        pair = Pair.objects.select_related("program", "mentor__person", "mentee__person").get(
            pk=pair.pk
        )
        # Published "today": backdate so sessions of the last weeks are allowed.
        Pair.objects.filter(pk=pair.pk).update(
            created_at=pair.created_at - timedelta(days=started_days_ago)
        )
        pair.refresh_from_db()
    assert pair.status == (PairStatus.ACTIVE if charter_accepted else PairStatus.PENDING)
    return LivePair(pair, program, mentor, mentee, mentor_user, mentee_user)
