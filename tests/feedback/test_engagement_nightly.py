"""The nightly engagement run on real rows: snapshots, idempotency, nudges, digest, never closing."""

from __future__ import annotations

from datetime import date, timedelta
from unittest.mock import patch

import pytest
import time_machine
from django.core import mail

from feedback import engagement
from feedback.models import EngagementSnapshot, Touchpoint
from feedback.tasks import RUN_EXPIRES_SECONDS, compute_engagement, engagement_nightly
from feedback.touchpoints import deliver, sweep_due
from matching.models import Pair, PairStatus
from organizations.models import Role
from tests.conftest import Tenant
from tests.factories import make_member
from tests.feedback.test_engagement_builders import (
    add_goal,
    check_in,
    log_session,
    make_pair,
    running_program,
)

pytestmark = pytest.mark.django_db
DAY = date(2030, 3, 1)


def _run(tenant: Tenant, program, today: date = DAY):  # type: ignore[no-untyped-def]
    with tenant.scope(), time_machine.travel(f"{today.isoformat()} 02:00Z", tick=False):
        return engagement.compute_program(program, today=today)


def _emails(tenant: Tenant, prefix: str) -> list[Touchpoint]:
    with tenant.scope():
        return list(
            Touchpoint.objects.filter(idempotency_key__startswith=prefix).order_by(
                "idempotency_key"
            )
        )


def test_one_snapshot_per_started_open_pair_with_its_reasons(org_a: Tenant) -> None:
    program = running_program(org_a)
    healthy = make_pair(org_a, program)
    log_session(org_a, healthy, DAY - timedelta(days=3))
    add_goal(org_a, healthy, 60)
    paused = make_pair(org_a, program, status=PairStatus.PAUSED)
    pending = make_pair(org_a, program, status=PairStatus.PENDING)
    ended = make_pair(org_a, program, status=PairStatus.ENDED)

    outcomes = _run(org_a, program)

    assert {o.pair.pk for o in outcomes} == {healthy.pk, paused.pk}
    with org_a.scope():
        snapshots = {s.pair_id: s for s in EngagementSnapshot.objects.all()}
    assert set(snapshots) == {healthy.pk, paused.pk}
    assert pending.pk not in snapshots
    assert ended.pk not in snapshots
    snapshot = snapshots[healthy.pk]
    assert (snapshot.computed_on, snapshot.score, snapshot.level) == (DAY, 100, "healthy")
    assert snapshot.reasons[0] == {
        "code": "recent_session",
        "text": "Last session 3 days ago (cadence 14 days)",
        "points": 0,
    }
    assert snapshots[paused.pk].reasons[0]["code"] == "paused"


def test_signals_come_from_sessions_check_ins_and_goals(org_a: Tenant) -> None:
    program = running_program(org_a)
    pair = make_pair(org_a, program)
    log_session(org_a, pair, DAY - timedelta(days=40))
    log_session(org_a, pair, DAY - timedelta(days=30), status="awaiting")
    log_session(org_a, pair, DAY - timedelta(days=1), status="draft")  # a draft is not a session
    check_in(org_a, pair, DAY - timedelta(days=20), rating=2, wants_contact=True, mentee=True)
    check_in(org_a, pair, DAY - timedelta(days=20), rating=1)
    check_in(org_a, pair, DAY - timedelta(days=9))  # sent, unanswered past the grace
    check_in(org_a, pair, DAY - timedelta(days=2))  # sent, still within the grace
    add_goal(org_a, pair, 0)
    add_goal(org_a, pair, 90, status="dropped")

    [outcome] = _run(org_a, program)

    codes = {r.code: r for r in outcome.result.reasons}
    assert codes["no_recent_session"].text.startswith("No session for 30 days")
    assert codes["check_ins_answered"].text == "2 of 3 check-ins answered"
    assert codes["low_pulse"].text == "Low pulse: mean rating 1.5 of 5"
    assert "wants_contact" in codes
    assert codes["confirmation_rate"].text == "1 of 2 sessions confirmed by the partner"
    assert codes["goals_behind"].text == "Goals at 0% on average with 33% of the term gone"
    assert outcome.result.level == "at_risk"


def test_running_twice_the_same_day_keeps_one_snapshot_and_sends_nothing_twice(
    org_a: Tenant,
) -> None:
    program = running_program(org_a)
    idle = make_pair(org_a, program)
    log_session(org_a, idle, DAY - timedelta(days=40))
    _run(org_a, program)
    with org_a.scope():
        first_emails = set(Touchpoint.objects.values_list("idempotency_key", flat=True))
    assert len(first_emails) == 3  # two nudges (one per person) and one digest

    _run(org_a, program)  # the same day again, nothing changed: nothing new is sent
    with org_a.scope():
        assert set(Touchpoint.objects.values_list("idempotency_key", flat=True)) == first_emails
        assert EngagementSnapshot.objects.get(pair=idle).level == "at_risk"

    log_session(org_a, idle, DAY - timedelta(days=2))  # logged late that day: the rerun updates
    _run(org_a, program)

    with org_a.scope():
        assert EngagementSnapshot.objects.filter(pair=idle).count() == 1
        snapshot = EngagementSnapshot.objects.get(pair=idle)
        assert set(Touchpoint.objects.values_list("idempotency_key", flat=True)) == first_emails
    assert snapshot.level == "healthy"
    assert snapshot.nudges_sent == 1


def test_nudges_escalate_weekly_and_stop_after_three(org_a: Tenant) -> None:
    program = running_program(org_a)
    pair = make_pair(org_a, program)
    log_session(org_a, pair, date(2030, 2, 1))
    sent_on: dict[date, list[str]] = {}
    day = date(2030, 2, 16)  # 15 days without a session: past the cadence of 14
    while day <= date(2030, 4, 15):
        _run(org_a, program, day)
        with org_a.scope():
            new = Touchpoint.objects.filter(
                idempotency_key__startswith="engagement-nudge:", payload__nudged_on=day.isoformat()
            )
            subjects = sorted(new.values_list("payload__subject", flat=True))
        if subjects:
            sent_on[day] = subjects
        day += timedelta(days=1)

    assert list(sent_on) == [date(2030, 2, 16), date(2030, 2, 23), date(2030, 3, 2)]
    first, second, last = (sent_on[d] for d in sent_on)
    assert len(first) == 2  # both people of the pair
    mentor, mentee = pair.mentor.person.full_name, pair.mentee.person.full_name
    assert first == sorted(
        [f"[Flipside] Time to meet {mentee} again?", f"[Flipside] Time to meet {mentor} again?"]
    )
    assert all("Reminder: plan your next session" in s for s in second)
    assert all("Last reminder" in s for s in last)
    nudges = _emails(org_a, "engagement-nudge:")
    assert len(nudges) == 6
    assert {t.payload["to"] for t in nudges} == {
        pair.mentor.person.email,
        pair.mentee.person.email,
    }
    assert "This is the last reminder we send" in nudges[-1].payload["body"]
    with org_a.scope():
        assert (
            EngagementSnapshot.objects.get(pair=pair, computed_on=date(2030, 4, 15)).nudges_sent
            == 3
        )


def test_paused_and_recently_met_pairs_are_not_nudged(org_a: Tenant) -> None:
    program = running_program(org_a)
    paused = make_pair(org_a, program, status=PairStatus.PAUSED)
    log_session(org_a, paused, DAY - timedelta(days=60))
    met = make_pair(org_a, program)
    log_session(org_a, met, DAY - timedelta(days=10))
    _run(org_a, program)
    assert _emails(org_a, "engagement-nudge:") == []


def test_at_risk_pairs_are_flagged_never_paused_or_closed(org_a: Tenant) -> None:
    program = running_program(org_a)
    executive_pair = make_pair(org_a, program)
    check_in(org_a, executive_pair, date(2030, 1, 20), rating=1, mentee=True)
    for offset in range(0, 120, 5):
        _run(org_a, program, date(2030, 2, 1) + timedelta(days=offset))
    with org_a.scope():
        pair = Pair.objects.get(pk=executive_pair.pk)
        levels = set(EngagementSnapshot.objects.filter(pair=pair).values_list("level", flat=True))
    assert levels == {"at_risk"}
    assert (pair.status, pair.ended_at, pair.ended_reason, pair.paused_until) == (
        PairStatus.ACTIVE,
        None,
        "",
        None,
    )


def test_digest_lists_at_risk_pairs_to_the_coordinators_once_a_day(org_a: Tenant) -> None:
    program = running_program(org_a)
    at_risk = make_pair(org_a, program)
    log_session(org_a, at_risk, DAY - timedelta(days=45))
    fine = make_pair(org_a, program)
    log_session(org_a, fine, DAY - timedelta(days=2))

    _run(org_a, program)
    _run(org_a, program)

    [digest] = _emails(org_a, "engagement-digest:")
    assert digest.payload["to"] == org_a.coordinator.user.email
    assert digest.payload["subject"] == f"[Flipside] {program.name}: 1 pair at risk"
    body = digest.payload["body"]
    assert at_risk.mentor.person.full_name in body
    assert at_risk.mentee.person.full_name in body
    assert "No session for 45 days, more than twice the cadence of 14 days" in body
    assert fine.mentor.person.full_name not in body
    assert "No pair was paused or closed" in body
    assert f"/o/{org_a.slug}/programs/{program.pk}/engagement/" in body

    _run(org_a, program, DAY + timedelta(days=1))
    assert len(_emails(org_a, "engagement-digest:")) == 2  # the next day's digest


def test_digest_goes_to_admins_when_the_program_has_no_coordinator(org_a: Tenant) -> None:
    second_admin = make_member(org_a.organization, role=Role.ADMIN, email="hr2@acme.test")
    program = running_program(org_a, coordinated=False)
    pair = make_pair(org_a, program)
    check_in(org_a, pair, DAY - timedelta(days=10), rating=1)
    _run(org_a, program)
    recipients = {t.payload["to"] for t in _emails(org_a, "engagement-digest:")}
    assert recipients == {org_a.admin.user.email, second_admin.user.email}


def test_no_digest_on_a_day_without_pairs_at_risk(org_a: Tenant) -> None:
    program = running_program(org_a)
    pair = make_pair(org_a, program)
    log_session(org_a, pair, DAY - timedelta(days=1))
    _run(org_a, program)
    assert _emails(org_a, "engagement-digest:") == []


def test_the_tenant_task_scores_only_its_own_organisation(org_a: Tenant, org_b: Tenant) -> None:
    program_a = running_program(org_a)
    make_pair(org_a, program_a)
    program_b = running_program(org_b)
    pair_b = make_pair(org_b, program_b)
    log_session(org_b, pair_b, DAY - timedelta(days=60))

    with time_machine.travel(f"{DAY.isoformat()} 02:00Z", tick=False):
        assert compute_engagement(organization_id=org_a.organization.pk) == 1
        assert compute_engagement(organization_id=org_a.organization.pk) == 1

    with org_a.scope():
        assert EngagementSnapshot.objects.count() == 1
        assert EngagementSnapshot.objects.get().computed_on == DAY
    with org_b.scope():
        assert EngagementSnapshot.objects.count() == 0
        assert Touchpoint.objects.count() == 0


def test_nudges_are_delivered_by_the_touchpoint_sweeper(org_a: Tenant) -> None:
    program = running_program(org_a)
    pair = make_pair(org_a, program)
    log_session(org_a, pair, DAY - timedelta(days=20))
    _run(org_a, program)
    with time_machine.travel(f"{DAY.isoformat()} 02:05Z", tick=False):
        claimed = sweep_due(enqueue=False)
        with org_a.scope():
            outcomes = [deliver(touchpoint_id=touchpoint_id) for touchpoint_id, _org in claimed]
    assert outcomes == ["done", "done"]  # two nudges; no digest (overdue, not at risk)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [pair.mentor.person.email, pair.mentee.person.email]
    )
    assert "has not logged a session for a while" in mail.outbox[0].body


def test_the_nightly_beat_task_queues_one_run_per_active_organisation(
    org_a: Tenant, org_b: Tenant
) -> None:
    org_b.organization.is_active = False
    org_b.organization.save(update_fields=["is_active"])
    with patch.object(compute_engagement, "apply_async") as queued:
        assert engagement_nightly() == 1
    queued.assert_called_once_with(
        kwargs={"organization_id": org_a.organization.pk}, expires=RUN_EXPIRES_SECONDS
    )
