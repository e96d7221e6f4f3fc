"""A person who turned check-in reminders off gets the check-in itself (essential) and no
reminder; their partner, who did not, still gets theirs."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core import mail

from feedback.notices.preferences import preferences_save
from tests.feedback.test_checkins import _mentor_check_in, _run_due, clock, world
from tests.feedback.test_checkins_builders import CheckInWorld

__all__ = ["clock", "world"]  # the check-in tests' fixtures, reused


def test_reminders_turned_off_leave_the_check_in_itself(
    world: CheckInWorld, clock: time_machine.Traveller
) -> None:
    with world.tenant.scope():
        preferences_save(
            organization_id=world.tenant.organization.pk,
            user=world.mentor_user,
            actor=world.mentor_user,
            values={
                "partner_activity": True,
                "check_in_reminders": False,
                "survey_reminders": True,
            },
        )
    _run_due(world)
    assert [m.to for m in mail.outbox].count([world.mentor_user.email]) == 1  # the check-in
    mail.outbox.clear()
    for _ in range(3):
        clock.shift(timedelta(days=3, minutes=1))
        _run_due(world)
    to_mentor = [m for m in mail.outbox if m.to == [world.mentor_user.email]]
    assert to_mentor == []
    assert _mentor_check_in(world).reminders_sent == 0
    # The partner kept the default: their reminders still go.
    assert any("Reminder" in m.subject for m in mail.outbox)
