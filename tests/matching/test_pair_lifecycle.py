"""A pair's life: it starts once both accepted the charter, pauses, resumes, extends, completes,
and either member may ask for a re-match."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError

from matching import pairs
from matching.models import PairStatus
from organizations.models import AuditEntry
from participants import participation
from programs.models import ProgramCoordinator
from tests.conftest import Tenant
from tests.feedback.builders import live_pair


def test_pair_waits_for_both_charter_acceptances(org_a: Tenant) -> None:
    live = live_pair(org_a, charter_accepted=False)
    assert live.pair.status == PairStatus.PENDING
    with org_a.scope():
        participation.charter_accept(enrollment=live.mentor, actor=live.mentor_user)
        live.pair.refresh_from_db()
        assert live.pair.status == PairStatus.PENDING
        participation.charter_accept(enrollment=live.mentee, actor=live.mentee_user)
        live.pair.refresh_from_db()
        assert live.pair.status == PairStatus.ACTIVE
        assert live.pair.activated_at is not None
        assert AuditEntry.objects.filter(action="matching.pair_activate").count() == 1


def test_pause_needs_a_resume_date_inside_the_pair(org_a: Tenant) -> None:
    live = live_pair(org_a)
    today = date.today()
    with org_a.scope():
        for resume_on in (today, today + timedelta(days=200)):
            with pytest.raises(ValidationError) as caught:
                pairs.pair_pause(pair=live.pair, actor=None, resume_on=resume_on)
            assert "resume_on" in caught.value.message_dict
        paused = pairs.pair_pause(pair=live.pair, actor=None, resume_on=today + timedelta(days=10))
        assert (paused.status, paused.paused_until) == (PairStatus.PAUSED, today + timedelta(10))
        with pytest.raises(ValidationError, match="Only an active pair"):
            pairs.pair_pause(pair=live.pair, actor=None, resume_on=today + timedelta(days=11))
        assert pairs.resume_due_pairs(today=today + timedelta(days=9)) == 0
        assert pairs.resume_due_pairs(today=today + timedelta(days=10)) == 1
        live.pair.refresh_from_db()
        assert (live.pair.status, live.pair.paused_until) == (PairStatus.ACTIVE, None)


def test_extend_only_to_a_later_date(org_a: Tenant) -> None:
    live = live_pair(org_a)
    end = live.program.end_date
    assert end is not None
    with org_a.scope():
        with pytest.raises(ValidationError) as caught:
            pairs.pair_extend(pair=live.pair, actor=None, ends_on=end)
        assert "ends_on" in caught.value.message_dict
        with pytest.raises(ValidationError, match="at most a year"):
            pairs.pair_extend(pair=live.pair, actor=None, ends_on=date(9999, 12, 31))
        extended = pairs.pair_extend(pair=live.pair, actor=None, ends_on=end + timedelta(days=30))
        assert pairs.pair_end_date(extended) == end + timedelta(days=30)
        entry = AuditEntry.objects.get(action="matching.pair_extend")
    assert entry.data == {"from": None, "to": (end + timedelta(days=30)).isoformat()}


def test_complete_is_final_and_frees_nobody_twice(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        done = pairs.pair_complete(pair=live.pair, actor=None)
        assert done.status == PairStatus.COMPLETED
        assert done.completed_at is not None
        with pytest.raises(ValidationError):
            pairs.pair_complete(pair=live.pair, actor=None)
        with pytest.raises(ValidationError, match="already completed"):
            pairs.pair_end(pair=live.pair, actor=None, reason="late")


def test_member_requests_a_rematch_and_coordinators_hear_of_it(
    org_a: Tenant, django_capture_on_commit_callbacks: object
) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        ProgramCoordinator.objects.create(
            organization=org_a.organization, program=live.program, user=org_a.coordinator.user
        )
        with pytest.raises(ValidationError) as caught:
            pairs.pair_request_rematch(pair=live.pair, by=live.mentee, actor=None, reason="")
        assert "reason" in caught.value.message_dict
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            pairs.pair_request_rematch(
                pair=live.pair, by=live.mentee, actor=live.mentee_user, reason="No shared hours"
            )
        live.pair.refresh_from_db()
        assert live.pair.rematch_requested_by_id == live.mentee.pk
        with pytest.raises(ValidationError, match="already requested"):
            pairs.pair_request_rematch(pair=live.pair, by=live.mentor, actor=None, reason="Me too")
    assert [m.to for m in mail.outbox] == [[org_a.coordinator.user.email]]
    assert "No shared hours" in mail.outbox[0].body
    assert f"{settings.SITE_URL}/o/{org_a.slug}/pairs/{live.pair.pk}/" in mail.outbox[0].body
    # The pair itself carries on until staff decide.
    assert live.pair.status == PairStatus.ACTIVE
