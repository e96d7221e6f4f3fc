"""The domain apps' signals, turned into webhook events (connected in ``WebhooksConfig.ready``).
Each receiver reads what it needs now and emits after commit (``events.emit_on_commit``).

Payloads carry ids, dates and states, never people's words: session notes are the pair's,
check-in blockers staff's, survey answers anonymous (``docs/webhooks.md`` lists each field)."""

from __future__ import annotations

from typing import Any

from feedback import signals as feedback_signals
from matching import signals as matching_signals
from matching.models import Pair, PairStatus
from surveys import signals as survey_signals
from webhooks.events import emit_on_commit
from webhooks.models import EventType

ENDED = (PairStatus.ENDED, PairStatus.COMPLETED)
Events = list[tuple[str, dict[str, Any]]]


def pair_data(pair: Pair) -> dict[str, Any]:
    return {
        "pair_id": pair.pk,
        "program_id": pair.program_id,
        "mentor_enrollment_id": pair.mentor_id,
        "mentee_enrollment_id": pair.mentee_id,
        "status": pair.status,
    }


def _one(event_type: str, data: dict[str, Any]) -> None:
    emit_on_commit(lambda: [(event_type, data)])


def on_round_published(
    sender: Any, organization_id: int, round_id: int, pair_ids: list[int], **kwargs: Any
) -> None:
    ids = list(pair_ids)

    def make() -> Events:
        return [
            (EventType.PAIR_PUBLISHED, {**pair_data(pair), "round_id": round_id})
            for pair in Pair.objects.filter(pk__in=ids).order_by("pk")
        ]

    emit_on_commit(make)


def on_pair_changed(sender: Any, pair: Pair, **kwargs: Any) -> None:
    if pair.status in ENDED:
        at = pair.ended_at or pair.completed_at
        _one(EventType.PAIR_ENDED, {**pair_data(pair), "ended_at": at.isoformat() if at else None})


def on_session_logged(sender: Any, session: Any, **kwargs: Any) -> None:
    _one(
        EventType.SESSION_LOGGED,
        {
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
    _one(
        EventType.CHECK_IN_CONTACT,
        {
            "check_in_id": check_in.pk,
            "pair_id": check_in.pair_id,
            "program_id": check_in.pair.program_id,
            "enrollment_id": check_in.enrollment_id,
            "person_id": check_in.enrollment.person_id,
            "due_on": check_in.due_on.isoformat(),
        },
    )


def on_pair_at_risk(sender: Any, pair: Pair, snapshot: Any, **kwargs: Any) -> None:
    _one(
        EventType.PAIR_AT_RISK,
        {
            **pair_data(pair),
            "score": snapshot.score,
            "computed_on": snapshot.computed_on.isoformat(),
            "reasons": [reason["code"] for reason in snapshot.reasons if "code" in reason],
        },
    )


def on_survey_wave_closed(sender: Any, survey: Any, **kwargs: Any) -> None:
    _one(
        EventType.SURVEY_WAVE_CLOSED,
        {"survey_id": survey.pk, "program_id": survey.program_id, "wave": survey.wave},
    )


def connect() -> None:
    uid = "webhooks"
    matching_signals.round_published.connect(on_round_published, dispatch_uid=uid)
    matching_signals.pair_changed.connect(on_pair_changed, dispatch_uid=uid)
    feedback_signals.session_logged.connect(on_session_logged, dispatch_uid=uid)
    feedback_signals.contact_requested.connect(on_contact_requested, dispatch_uid=uid)
    feedback_signals.pair_at_risk.connect(on_pair_at_risk, dispatch_uid=uid)
    survey_signals.survey_wave_closed.connect(on_survey_wave_closed, dispatch_uid=uid)
