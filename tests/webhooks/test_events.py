"""Each event is emitted once by the real action that makes it, after commit, to the subscribed
endpoints of its own organisation only (org B, subscribed to everything, gets nothing)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine

from feedback import engagement
from feedback.checkins import Answer, check_in_answer
from feedback.sessions import services as sessions
from matching import pairs as lifecycle
from surveys.models import InvitationStatus, SurveyInvitation, Wave
from surveys.waves.planning import plan_survey
from tests.conftest import Tenant
from tests.feedback.builders import live_pair
from tests.feedback.test_engagement_builders import check_in, make_pair, running_program
from tests.surveys.waves.builders import END, make_survey, survey_world
from webhooks import services
from webhooks.models import SUBSCRIBABLE, EventType, WebhookDelivery

pytestmark = pytest.mark.django_db
DAY = date(2030, 3, 1)
Commit = Callable[..., Any]


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Commit) -> Commit:
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def subscribed(org_a: Tenant, org_b: Tenant) -> Iterator[None]:
    for tenant in (org_a, org_b):
        with tenant.scope():
            services.endpoint_create(
                actor=tenant.admin.user,
                url="https://hooks.example.test/in",
                description="",
                event_types=[value for value, _label in SUBSCRIBABLE],
            )
    yield
    with org_b.scope():
        assert not WebhookDelivery.objects.exists(), "org B was told about org A's events"


def _events(tenant: Tenant) -> Counter[str]:
    with tenant.scope():
        return Counter(WebhookDelivery.objects.values_list("event_type", flat=True))


def _payload(tenant: Tenant, event_type: str) -> dict[str, Any]:
    with tenant.scope():
        payload: dict[str, Any] = WebhookDelivery.objects.get(event_type=event_type).payload
    return payload


def test_publish_session_and_end_each_emit_once(
    org_a: Tenant, subscribed: None, commit: Commit
) -> None:
    with commit():
        pair = live_pair(org_a).pair
    assert _events(org_a) == {EventType.PAIR_PUBLISHED: 1}
    published = _payload(org_a, EventType.PAIR_PUBLISHED)
    assert published["type"] == EventType.PAIR_PUBLISHED
    assert published["data"]["pair_id"] == pair.pk
    with org_a.scope(), commit():
        sessions.session_log(
            pair=pair,
            by=pair.mentor,
            actor=None,
            held_on=date.today() - timedelta(days=1),
            duration_minutes=45,
            learned="Private to the pair",
        )
    assert _events(org_a)[EventType.SESSION_LOGGED] == 1
    logged = _payload(org_a, EventType.SESSION_LOGGED)["data"]
    assert logged["duration_minutes"] == 45
    assert "Private to the pair" not in str(logged)
    with org_a.scope(), commit():
        lifecycle.pair_end(pair=pair, actor=org_a.admin.user, reason="Moved teams")
    assert _events(org_a) == {
        EventType.PAIR_PUBLISHED: 1,
        EventType.SESSION_LOGGED: 1,
        EventType.PAIR_ENDED: 1,
    }
    assert _payload(org_a, EventType.PAIR_ENDED)["data"]["status"] == "ended"


def test_rolled_back_work_emits_nothing(org_a: Tenant, subscribed: None) -> None:
    with time_machine.travel(f"{DAY.isoformat()} 10:00Z", tick=False):
        program = running_program(org_a)
        pair = make_pair(org_a, program)
        with org_a.scope():
            sessions.session_log(
                pair=pair, by=pair.mentor, actor=None, held_on=DAY, duration_minutes=30
            )
    assert _events(org_a) == {}  # the test's transaction never commits


def test_contact_me_and_turning_at_risk_emit_once(
    org_a: Tenant, subscribed: None, commit: Commit
) -> None:
    with time_machine.travel(f"{DAY.isoformat()} 10:00Z", tick=False):
        program = running_program(org_a)
        pair = make_pair(org_a, program)
        waiting = check_in(org_a, pair, DAY - timedelta(days=2), mentee=True)
        with org_a.scope(), commit():
            check_in_answer(
                check_in=waiting,
                answer=Answer(rating=2, blockers="No time.", wants_contact=True),
                actor=None,
            )
        # Rescoring the same day again: still at risk, not told again.
        with org_a.scope(), commit():
            engagement.refresh_pairs([pair.pk])
            engagement.compute_program(program)
    assert _events(org_a) == {EventType.CHECK_IN_CONTACT: 1, EventType.PAIR_AT_RISK: 1}
    contact = _payload(org_a, EventType.CHECK_IN_CONTACT)["data"]
    assert contact["check_in_id"] == waiting.pk
    assert "No time." not in str(contact)
    at_risk = _payload(org_a, EventType.PAIR_AT_RISK)["data"]
    assert at_risk["pair_id"] == pair.pk
    assert "low_pulse" in at_risk["reasons"]


def test_the_wave_closes_once_its_last_invitation_closes(
    org_a: Tenant, subscribed: None, commit: Commit
) -> None:
    from feedback import touchpoints

    world = survey_world(org_a)
    survey = make_survey(org_a, world.program, Wave.POST, open_days=9)
    before = f"{(END - timedelta(days=1)).isoformat()} 12:00Z"
    with time_machine.travel(before, tick=False), org_a.scope():
        plan_survey(survey)
    for day in (END, END + timedelta(days=3), END + timedelta(days=6), END + timedelta(days=10)):
        with time_machine.travel(f"{day.isoformat()} 12:00Z", tick=False):
            for touchpoint_id, _org in touchpoints.sweep_due(enqueue=False):
                with org_a.scope(), commit():
                    touchpoints.deliver(touchpoint_id=touchpoint_id)
    with org_a.scope():
        statuses = set(
            SurveyInvitation.objects.filter(survey=survey).values_list("status", flat=True)
        )
    assert statuses == {InvitationStatus.CLOSED}
    assert _events(org_a)[EventType.SURVEY_WAVE_CLOSED] == 1
    closed = _payload(org_a, EventType.SURVEY_WAVE_CLOSED)["data"]
    assert closed == {"survey_id": survey.pk, "program_id": world.program.pk, "wave": Wave.POST}


def _sweep(tenant: Tenant, day: date, commit: Commit) -> None:
    """The beat's sweeper and each due touchpoint's send task, run for real on ``day``."""
    from feedback import touchpoints

    with time_machine.travel(f"{day.isoformat()} 12:00Z", tick=False):
        for touchpoint_id, _org in touchpoints.sweep_due(enqueue=False):
            with tenant.scope(), commit():
                touchpoints.deliver(touchpoint_id=touchpoint_id)


def test_a_wave_whose_window_passed_before_its_invitations_went_out_closes_once(
    org_a: Tenant, subscribed: None, commit: Commit
) -> None:
    world = survey_world(org_a)
    survey = make_survey(org_a, world.program, Wave.POST, open_days=9)
    before = f"{(END - timedelta(days=1)).isoformat()} 12:00Z"
    with time_machine.travel(before, tick=False), org_a.scope():
        plan_survey(survey)
    # The sweeper was down past the deadline: the invitations are closed, never sent.
    _sweep(org_a, END + timedelta(days=20), commit)
    _sweep(org_a, END + timedelta(days=21), commit)
    with org_a.scope():
        statuses = set(
            SurveyInvitation.objects.filter(survey=survey).values_list("status", flat=True)
        )
        survey.refresh_from_db()
    assert statuses == {InvitationStatus.CLOSED}
    assert survey.wave_closed_at is not None
    assert _events(org_a)[EventType.SURVEY_WAVE_CLOSED] == 1


def test_a_wave_is_announced_once_even_when_it_empties_again(
    org_a: Tenant, subscribed: None, commit: Commit
) -> None:
    from surveys.waves.sending import announce_waves_over, close_unanswered

    world = survey_world(org_a)
    survey = make_survey(org_a, world.program, Wave.POST, open_days=9)
    before = f"{(END - timedelta(days=1)).isoformat()} 12:00Z"
    with time_machine.travel(before, tick=False), org_a.scope():
        plan_survey(survey)
    for day in (END, END + timedelta(days=10)):
        _sweep(org_a, day, commit)
    assert _events(org_a)[EventType.SURVEY_WAVE_CLOSED] == 1
    # An invitation open again (re-planned), then closed by the deadline task once more: the
    # wave empties a second time, and is not announced again.
    with org_a.scope():
        reopened = SurveyInvitation.objects.filter(survey=survey).first()
        assert reopened is not None
        SurveyInvitation.objects.filter(pk=reopened.pk).update(status=InvitationStatus.SENT)
    later = f"{(END + timedelta(days=12)).isoformat()} 12:00Z"
    with time_machine.travel(later, tick=False), org_a.scope(), commit():
        assert close_unanswered(SurveyInvitation.objects.filter(survey=survey)) == 1
        assert announce_waves_over({survey.pk}) == []
    assert _events(org_a)[EventType.SURVEY_WAVE_CLOSED] == 1
