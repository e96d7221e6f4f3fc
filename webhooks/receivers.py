"""The domain apps' signals, turned into webhook events (connected in ``WebhooksConfig.ready``).

Payloads carry ids, dates and states, never people's words: session notes are the pair's,
check-in blockers staff's, survey answers anonymous (``docs/webhooks.md`` lists each field)."""

from __future__ import annotations

from typing import Any

from feedback import signals as feedback_signals
from matching import signals as matching_signals
from matching.models import Pair, PairStatus
from surveys import signals as survey_signals
from webhooks.events import emit
from webhooks.models import EventType

ENDED = (PairStatus.ENDED, PairStatus.COMPLETED)


def pair_data(pair: Pair) -> dict[str, Any]:
    return {
        "pair_id": pair.pk,
        "program_id": pair.program_id,
        "mentor_enrollment_id": pair.mentor_id,
        "mentee_enrollment_id": pair.mentee_id,
        "status": pair.status,
    }


def on_round_published(
    sender: Any, organization_id: int, round_id: int, pair_ids: list[int], **kwargs: Any
) -> None:
    for pair in Pair.objects.filter(pk__in=pair_ids).order_by("pk"):
        emit(event_type=EventType.PAIR_PUBLISHED, data={**pair_data(pair), "round_id": round_id})


def on_pair_changed(sender: Any, pair: Pair, **kwargs: Any) -> None:
    if pair.status in ENDED:
        at = pair.ended_at or pair.completed_at
        data = {**pair_data(pair), "ended_at": at.isoformat() if at else None}
        emit(event_type=EventType.PAIR_ENDED, data=data)


def on_session_logged(sender: Any, session: Any, **kwargs: Any) -> None:
    emit(
        event_type=EventType.SESSION_LOGGED,
        data={
            "session_id": session.pk,
            "pair_id": session.pair_id,
            "program_id": session.pair.program_id,
            "logged_by_enrollment_id": session.logged_by_id,
            "held_on": session.held_on.isoformat(),
            "duration_minutes": session.duration_minutes,
            "format": session.format,
        },
    )


def on_contact_requested(sender: Any, check_in: Any, **kwargs: Any) -> None:
    emit(
        event_type=EventType.CHECK_IN_CONTACT,
        data={
            "check_in_id": check_in.pk,
            "pair_id": check_in.pair_id,
            "program_id": check_in.pair.program_id,
            "enrollment_id": check_in.enrollment_id,
            "person_id": check_in.enrollment.person_id,
            "due_on": check_in.due_on.isoformat(),
        },
    )


def on_pair_at_risk(sender: Any, pair: Pair, snapshot: Any, **kwargs: Any) -> None:
    emit(
        event_type=EventType.PAIR_AT_RISK,
        data={
            **pair_data(pair),
            "score": snapshot.score,
            "computed_on": snapshot.computed_on.isoformat(),
            "reasons": [reason["code"] for reason in snapshot.reasons if "code" in reason],
        },
    )


def on_survey_wave_closed(sender: Any, survey: Any, **kwargs: Any) -> None:
    emit(
        event_type=EventType.SURVEY_WAVE_CLOSED,
        data={"survey_id": survey.pk, "program_id": survey.program_id, "wave": survey.wave},
    )


def connect() -> None:
    uid = "webhooks"
    matching_signals.round_published.connect(on_round_published, dispatch_uid=uid)
    matching_signals.pair_changed.connect(on_pair_changed, dispatch_uid=uid)
    feedback_signals.session_logged.connect(on_session_logged, dispatch_uid=uid)
    feedback_signals.contact_requested.connect(on_contact_requested, dispatch_uid=uid)
    feedback_signals.pair_at_risk.connect(on_pair_at_risk, dispatch_uid=uid)
    survey_signals.survey_wave_closed.connect(on_survey_wave_closed, dispatch_uid=uid)
