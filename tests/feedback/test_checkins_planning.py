"""Check-in planning under moved time: rows per cadence, idempotent, re-planned on every change."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback import checkins
from feedback.models import CheckIn, CheckInStatus, Touchpoint, TouchpointStatus
from matching.models import Pair, PairStatus
from programs.models import Program
from tests.conftest import Tenant
from tests.feedback.test_checkins_builders import CheckInWorld, check_in_world

JAN_19, FEB_2, FEB_16, MAR_2 = (
    date(2026, 1, 19),
    date(2026, 2, 2),
    date(2026, 2, 16),
    date(2026, 3, 2),
)


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> CheckInWorld:
    check_in_world(org_b)  # look-alike data next door
    return check_in_world(org_a)


def _plan(world: CheckInWorld, when: str) -> None:
    with time_machine.travel(when, tick=False), world.tenant.scope():
        checkins.plan_pair(Pair.objects.get(pk=world.pair.pk))


def _rows(world: CheckInWorld) -> dict[tuple[int, date], str]:
    with world.tenant.scope():
        return {
            (c.enrollment_id, c.due_on): c.status for c in CheckIn.objects.filter(pair=world.pair)
        }


def _planned_dates(world: CheckInWorld, enrollment_id: int) -> list[date]:
    return sorted(
        d
        for (e, d), status in _rows(world).items()
        if e == enrollment_id and status == CheckInStatus.PLANNED
    )


def test_pair_gets_one_check_in_per_person_per_cadence_until_the_end(world: CheckInWorld) -> None:
    _plan(world, "2026-01-01 12:00Z")
    for enrollment_id in (world.pair.mentor_id, world.pair.mentee_id):
        assert _planned_dates(world, enrollment_id) == [JAN_19, FEB_2, FEB_16, MAR_2]
    with world.tenant.scope():
        touchpoints = Touchpoint.objects.filter(kind=checkins.CHECK_IN_KIND)
        assert touchpoints.count() == 8
        assert set(touchpoints.values_list("status", flat=True)) == {TouchpointStatus.PENDING}
        assert CheckIn.objects.filter(touchpoint__isnull=True).count() == 0


def test_planning_twice_changes_nothing(world: CheckInWorld) -> None:
    _plan(world, "2026-01-01 12:00Z")
    with world.tenant.scope():
        before = sorted(Touchpoint.objects.values_list("pk", "idempotency_key", "due_at"))
    _plan(world, "2026-01-01 12:05Z")
    with world.tenant.scope():
        assert sorted(Touchpoint.objects.values_list("pk", "idempotency_key", "due_at")) == before
        assert CheckIn.objects.count() == 8


def test_check_ins_go_out_at_nine_where_each_person_lives(world: CheckInWorld) -> None:
    _plan(world, "2026-01-01 12:00Z")
    with world.tenant.scope():
        mentee = CheckIn.objects.select_related("touchpoint").get(
            enrollment_id=world.pair.mentee_id, due_on=JAN_19
        )
        mentor = CheckIn.objects.select_related("touchpoint").get(
            enrollment_id=world.pair.mentor_id, due_on=JAN_19
        )
    assert mentee.touchpoint is not None
    assert mentor.touchpoint is not None
    assert mentee.touchpoint.due_at == datetime(2026, 1, 19, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert mentor.touchpoint.due_at == datetime(2026, 1, 19, 9, tzinfo=ZoneInfo("UTC"))


def test_a_pair_activated_late_starts_its_cadence_from_activation(world: CheckInWorld) -> None:
    with world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(
            activated_at=datetime.fromisoformat("2026-01-20T08:00:00+00:00")
        )
    _plan(world, "2026-01-20 09:00Z")
    assert _planned_dates(world, world.pair.mentor_id) == [date(2026, 2, 3), date(2026, 2, 17)]


def test_replanning_mid_program_never_plans_past_dates(world: CheckInWorld) -> None:
    with world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(ends_on=date(2026, 3, 30))
    _plan(world, "2026-02-03 12:00Z")
    assert _planned_dates(world, world.pair.mentor_id) == [
        FEB_16,
        MAR_2,
        date(2026, 3, 16),
        date(2026, 3, 30),
    ]


def test_extension_adds_and_shortening_cancels(world: CheckInWorld) -> None:
    _plan(world, "2026-01-01 12:00Z")
    with world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(ends_on=date(2026, 3, 16))
    _plan(world, "2026-01-02 12:00Z")
    assert _planned_dates(world, world.pair.mentee_id)[-1] == date(2026, 3, 16)
    with world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(ends_on=date(2026, 2, 10))
    _plan(world, "2026-01-03 12:00Z")
    assert _planned_dates(world, world.pair.mentee_id) == [JAN_19, FEB_2]
    rows = _rows(world)
    assert rows[(world.pair.mentee_id, FEB_16)] == CheckInStatus.CANCELLED
    with world.tenant.scope():
        cancelled = CheckIn.objects.select_related("touchpoint").get(
            enrollment_id=world.pair.mentee_id, due_on=FEB_16
        )
    assert cancelled.touchpoint is not None
    assert cancelled.touchpoint.status == TouchpointStatus.CANCELLED


def test_a_pause_skips_its_dates_and_resuming_brings_them_back(world: CheckInWorld) -> None:
    _plan(world, "2026-01-01 12:00Z")
    with world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(
            status=PairStatus.PAUSED, paused_until=date(2026, 2, 20)
        )
    _plan(world, "2026-01-25 12:00Z")
    assert _planned_dates(world, world.pair.mentor_id) == [JAN_19, MAR_2]  # Jan 19 is past
    with world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(status=PairStatus.ACTIVE, paused_until=None)
    _plan(world, "2026-01-30 12:00Z")
    assert _planned_dates(world, world.pair.mentor_id) == [JAN_19, FEB_2, FEB_16, MAR_2]
    with world.tenant.scope():
        revived = CheckIn.objects.select_related("touchpoint").get(
            enrollment_id=world.pair.mentor_id, due_on=FEB_2
        )
    assert revived.touchpoint is not None
    assert revived.touchpoint.status == TouchpointStatus.PENDING


def test_ending_cancels_planned_but_never_touches_sent_or_answered(world: CheckInWorld) -> None:
    _plan(world, "2026-01-01 12:00Z")
    with world.tenant.scope():
        CheckIn.objects.filter(enrollment_id=world.pair.mentor_id, due_on=JAN_19).update(
            status=CheckInStatus.ANSWERED, rating=4
        )
        CheckIn.objects.filter(enrollment_id=world.pair.mentee_id, due_on=JAN_19).update(
            status=CheckInStatus.SENT
        )
        Pair.objects.filter(pk=world.pair.pk).update(status=PairStatus.ENDED)
    _plan(world, "2026-01-22 12:00Z")
    rows = _rows(world)
    assert rows[(world.pair.mentor_id, JAN_19)] == CheckInStatus.ANSWERED
    assert rows[(world.pair.mentee_id, JAN_19)] == CheckInStatus.SENT
    assert {s for (_e, d), s in rows.items() if d > JAN_19} == {CheckInStatus.CANCELLED}


def test_a_pending_pair_gets_no_check_ins(world: CheckInWorld) -> None:
    with world.tenant.scope():
        Pair.objects.filter(pk=world.pair.pk).update(status=PairStatus.PENDING)
    _plan(world, "2026-01-01 12:00Z")
    assert _rows(world) == {}


def test_program_without_dates_plans_nothing(world: CheckInWorld) -> None:
    with world.tenant.scope():
        Program.objects.filter(pk=world.program.pk).update(end_date=None)
    _plan(world, "2026-01-01 12:00Z")
    assert _rows(world) == {}


def test_plan_program_follows_a_new_cadence(world: CheckInWorld) -> None:
    _plan(world, "2026-01-01 12:00Z")
    with world.tenant.scope():
        Program.objects.filter(pk=world.program.pk).update(checkin_cadence_days=28)
    with time_machine.travel("2026-01-02 12:00Z", tick=False), world.tenant.scope():
        checkins.plan_program(Program.objects.get(pk=world.program.pk))
    assert _planned_dates(world, world.pair.mentor_id) == [FEB_2, MAR_2]
    rows = _rows(world)
    assert rows[(world.pair.mentor_id, JAN_19)] == CheckInStatus.CANCELLED
    assert rows[(world.pair.mentor_id, FEB_16)] == CheckInStatus.CANCELLED


def test_planning_stays_inside_the_organisation(world: CheckInWorld, org_b: Tenant) -> None:
    _plan(world, "2026-01-01 12:00Z")
    with org_b.scope():
        assert CheckIn.objects.count() == 0
        assert Touchpoint.objects.count() == 0


def test_replanning_queries_do_not_grow_with_the_check_ins(world: CheckInWorld) -> None:
    _plan(world, "2026-01-01 12:00Z")
    with CaptureQueriesContext(connection) as queries:
        _plan(world, "2026-01-01 12:05Z")
    # The pair, its check-ins with their touchpoints (8 of them), and the transaction: no query
    # per planned check-in.
    assert len(queries) < 8, [q["sql"] for q in queries]
