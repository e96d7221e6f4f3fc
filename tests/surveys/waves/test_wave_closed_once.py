"""Two workers closing a wave's last two invitations at the same moment announce the wave exactly
once (``announce_waves_over`` counts under the survey's row lock). Real threads on real
connections: without the lock each would see the other's invitation still open and nobody would
announce the wave (or, the other way round, both would)."""

from __future__ import annotations

import contextlib
import threading
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction

from surveys.models import InvitationStatus, Survey, SurveyInvitation, Wave
from surveys.signals import survey_wave_closed
from surveys.waves import sending
from surveys.waves.planning import plan_survey
from tests.conftest import Tenant
from tests.surveys.waves.builders import END, make_survey, survey_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_closing_the_last_invitations_announce_the_wave_once(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = survey_world(org_a)
    survey = make_survey(org_a, world.program, Wave.POST, open_days=9)
    before = f"{(END - timedelta(days=1)).isoformat()} 12:00Z"
    with time_machine.travel(before, tick=False), org_a.scope():
        plan_survey(survey)
    with org_a.scope():
        invitations = list(SurveyInvitation.objects.filter(survey=survey).order_by("pk"))
        SurveyInvitation.objects.filter(survey=survey).update(
            status=InvitationStatus.SENT, opens_on=date(2020, 1, 1), closes_on=date(2020, 1, 10)
        )
    assert len(invitations) == 2

    # Each worker, once it closed its invitation, waits (briefly) for the other to have closed
    # its own: without the survey lock both get there and count before either commits.
    both_closed = threading.Barrier(2)
    cancel = sending.cancel_touchpoints

    def cancel_then_wait(ids: Any) -> Any:
        result = cancel(ids)
        # A broken barrier: the other worker is waiting for our lock, go on.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_closed.wait(timeout=2)
        return result

    monkeypatch.setattr(sending, "cancel_touchpoints", cancel_then_wait)
    announced: list[int] = []

    def record(sender: Any, survey: Survey, **kwargs: Any) -> None:
        announced.append(survey.pk)

    survey_wave_closed.connect(record, dispatch_uid="test-wave-closed-once")
    errors: list[BaseException] = []

    def worker(invitation_id: int) -> None:
        try:
            with org_a.scope(), transaction.atomic():
                sending.close_unanswered(SurveyInvitation.objects.filter(pk=invitation_id))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=worker, args=(i.pk,)) for i in invitations]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        survey_wave_closed.disconnect(dispatch_uid="test-wave-closed-once")
    assert errors == []
    assert announced == [survey.pk]
    with org_a.scope():
        assert Survey.objects.get(pk=survey.pk).wave_closed_at is not None
        statuses = set(
            SurveyInvitation.objects.filter(survey=survey).values_list("status", flat=True)
        )
    assert statuses == {InvitationStatus.CLOSED}
