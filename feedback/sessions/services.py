"""Sessions a pair logs: one member logs, the other confirms or corrects; hours are summed.

Writes are keyword-only, typed, atomic, validated and audited; each rescores the pair's engagement
once it commits (a "we met" draft counts for nothing until completed, so it does not). Who may read what is
``feedback.visibility``; these services check who may *write*: only the pair's two members log,
confirm, correct and edit sessions (staff see the facts, never write them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from core.access import Forbidden
from feedback import signals
from feedback.engagement import refresh_on_commit
from feedback.models import (
    MAX_SESSION_MINUTES,
    SessionFormat,
    SessionLog,
    SessionSource,
    SessionStatus,
    SessionTopic,
)
from feedback.notices.partner import SESSION, notify_partner_on_commit
from matching.models import Pair, PairStatus
from organizations.audit import log_action
from participants.models import Enrollment
from programs.lifecycle import program_today, program_zone
from programs.models import Program, ProgramTopic, Topic

# Logging is open while the pair runs; a paused pair may still record a meeting it had.
LOGGABLE_PAIR_STATUSES = (PairStatus.ACTIVE, PairStatus.PAUSED)
TEXT_MAX_LENGTH = 5000
# A "we met" answer knows the day only; an hour is the usual length and the member can correct it.
DRAFT_MINUTES = 60
FACT_FIELDS = ("held_on", "duration_minutes", "format", "topics")


def _member_side(pair: Pair, by: Enrollment) -> Enrollment:
    if by.pk not in (pair.mentor_id, pair.mentee_id):
        raise Forbidden("Only the two people of this pair can do this.")
    return by


def _partner_id(pair: Pair, by: Enrollment) -> int:
    return pair.mentee_id if by.pk == pair.mentor_id else pair.mentor_id


def _require_loggable(pair: Pair) -> None:
    if pair.status == PairStatus.PENDING:
        raise ValidationError(
            "The pair starts once both of you accepted the program's charter: accept it first."
        )
    if pair.status not in LOGGABLE_PAIR_STATUSES:
        raise ValidationError(
            f"This pair is {pair.get_status_display().lower()}: sessions can no longer be logged."
        )


def session_topics(program: Program) -> QuerySet[Topic]:
    """The topics a session may be about: the program's focus topics, else the organisation's."""
    focus = ProgramTopic.objects.filter(program=program)
    # One query wherever it is read (a form's choices, a check): no separate "has focus topics?"
    return Topic.objects.filter(
        Q(pk__in=focus.values("topic_id")) | (Q(is_active=True) & ~Exists(focus))
    )


def _clean_facts(
    pair: Pair,
    *,
    held_on: Any,
    duration_minutes: Any,
    format: Any,
    topic_ids: Iterable[int] | None,
) -> tuple[date, int, str, list[int]]:
    errors: dict[str, str] = {}
    today = program_today(pair.program)
    # The pair's first day where the program runs (its creation time is stored in UTC).
    started = timezone.localdate(pair.created_at, program_zone(pair.program))
    if not isinstance(held_on, date):
        errors["held_on"] = "Give the date of the session."
    elif held_on > today:
        errors["held_on"] = (
            f"The session date {held_on:%-d %B %Y} is in the future: log sessions once they happened."
        )
    elif held_on < started:
        errors["held_on"] = f"The pair started on {started:%-d %B %Y}: a session cannot be earlier."
    if (
        isinstance(duration_minutes, bool)
        or not isinstance(duration_minutes, int)
        or not 1 <= duration_minutes <= MAX_SESSION_MINUTES
    ):
        errors["duration_minutes"] = (
            f"Give the length in minutes, from 1 to {MAX_SESSION_MINUTES} (10 hours)."
        )
    if format not in SessionFormat.values:
        errors["format"] = f"Choose one of: {', '.join(SessionFormat.labels)}."
    topics = sorted(set(topic_ids or ()))
    if topics:
        allowed = set(
            session_topics(pair.program).filter(pk__in=topics).values_list("pk", flat=True)
        )
        if set(topics) - allowed:
            errors["topics"] = "Choose topics from the program's focus topics."
    if errors:
        raise ValidationError(errors)
    assert isinstance(held_on, date)
    assert isinstance(duration_minutes, int)
    return held_on, duration_minutes, str(format), topics


def _clean_text(**texts: str) -> dict[str, str]:
    errors = {
        name: f"Keep it to {TEXT_MAX_LENGTH} characters (it has {len(value)})."
        for name, value in texts.items()
        if len(value or "") > TEXT_MAX_LENGTH
    }
    if errors:
        raise ValidationError(errors)
    return {name: (value or "").strip() for name, value in texts.items()}


def _set_topics(session: SessionLog, topic_ids: list[int]) -> None:
    SessionTopic.objects.filter(session=session).exclude(topic_id__in=topic_ids).delete()
    existing = set(SessionTopic.objects.filter(session=session).values_list("topic_id", flat=True))
    SessionTopic.objects.bulk_create(
        SessionTopic(organization_id=session.organization_id, session=session, topic_id=topic_id)
        for topic_id in topic_ids
        if topic_id not in existing
    )


def _facts(session: SessionLog, topic_ids: list[int] | None = None) -> dict[str, Any]:
    """The session's facts for the audit log (its topics read unless the caller just wrote them)."""
    if topic_ids is None:
        topic_ids = list(
            SessionTopic.objects.filter(session=session).values_list("topic_id", flat=True)
        )
    return {
        "held_on": session.held_on.isoformat(),
        "duration_minutes": session.duration_minutes,
        "format": session.format,
        "topics": sorted(topic_ids),
    }


def session_log(
    *,
    pair: Pair,
    by: Enrollment,
    actor: User | None,
    held_on: date,
    duration_minutes: int,
    format: str = SessionFormat.VIDEO,
    topic_ids: Iterable[int] | None = None,
    learned: str = "",
    action_items: str = "",
) -> SessionLog:
    """Log a session that happened; it waits for the partner's confirmation."""
    _member_side(pair, by)
    _require_loggable(pair)
    held_on, duration_minutes, format, topics = _clean_facts(
        pair, held_on=held_on, duration_minutes=duration_minutes, format=format, topic_ids=topic_ids
    )
    texts = _clean_text(learned=learned, action_items=action_items)
    with transaction.atomic():
        session = SessionLog.objects.create(
            organization_id=pair.organization_id,
            pair=pair,
            logged_by=by,
            held_on=held_on,
            duration_minutes=duration_minutes,
            format=format,
            status=SessionStatus.AWAITING,
            **texts,
        )
        # A new session has no topics yet: add them, nothing to compare or remove.
        SessionTopic.objects.bulk_create(
            SessionTopic(organization_id=session.organization_id, session=session, topic_id=topic)
            for topic in topics
        )
        # The audit log records facts only: the pair's text is not staff's to read.
        log_action(actor=actor, action="session.log", target=session, data=_facts(session, topics))
        refresh_on_commit(pair)
        notify_partner_on_commit(pair=pair, by=by, kind=SESSION, object_id=session.pk)
        signals.session_logged.send(sender=SessionLog, session=session)
    return session


def session_we_met(*, pair: Pair, by: Enrollment, held_on: date) -> SessionLog:
    """The one-click "we met" from a check-in email: a draft session to complete later.

    Idempotent per pair and day: clicking twice (or both members clicking) gives one session;
    the pair's row lock makes concurrent first clicks wait for each other.
    """
    _member_side(pair, by)
    _require_loggable(pair)
    if held_on > program_today(pair.program):
        raise ValidationError({"held_on": "That date is in the future."})
    with transaction.atomic():
        # One meeting, one record: a session of the pair on that day (logged by either of them, by
        # hand or by an earlier click) is the answer.
        Pair.objects.select_for_update().filter(pk=pair.pk).exists()
        existing = SessionLog.objects.filter(pair=pair, held_on=held_on).order_by("id").first()
        if existing is not None:
            return existing
        session = SessionLog.objects.create(
            organization_id=pair.organization_id,
            pair=pair,
            logged_by=by,
            held_on=held_on,
            source=SessionSource.CHECK_IN,
            duration_minutes=DRAFT_MINUTES,
            status=SessionStatus.DRAFT,
        )
        log_action(
            actor=by.person.user, action="session.we_met", target=session, data=_facts(session)
        )
    return session


def session_update(
    *,
    session: SessionLog,
    by: Enrollment,
    actor: User | None,
    held_on: date,
    duration_minutes: int,
    format: str,
    topic_ids: Iterable[int] | None = None,
    learned: str = "",
    action_items: str = "",
) -> SessionLog:
    """The member who logged a session edits it until the partner confirms it (completing a draft
    sends it for confirmation). The shared text stays editable by either member afterwards."""
    pair = session.pair
    _member_side(pair, by)
    texts = _clean_text(learned=learned, action_items=action_items)
    with transaction.atomic():
        locked = SessionLog.objects.select_for_update().get(pk=session.pk)
        if locked.status == SessionStatus.CONFIRMED:
            changed_facts = (
                locked.held_on != held_on
                or locked.duration_minutes != duration_minutes
                or locked.format != format
                or sorted(set(topic_ids or ())) != _facts(locked)["topics"]
            )
            if changed_facts:
                raise ValidationError(
                    "This session is confirmed: its date, length, format and topics are final."
                )
            SessionLog.objects.filter(pk=locked.pk).update(updated_at=timezone.now(), **texts)
        else:
            # Facts of an unconfirmed session change only while the pair can still log sessions.
            _require_loggable(pair)
            completes_draft = locked.status == SessionStatus.DRAFT
            if locked.logged_by_id != by.pk:
                raise Forbidden("Your partner logged this session: confirm or correct it instead.")
            held_on, duration_minutes, format, topics = _clean_facts(
                pair,
                held_on=held_on,
                duration_minutes=duration_minutes,
                format=format,
                topic_ids=topic_ids,
            )
            SessionLog.objects.filter(pk=locked.pk).update(
                held_on=held_on,
                duration_minutes=duration_minutes,
                format=format,
                status=SessionStatus.AWAITING,
                updated_at=timezone.now(),
                **texts,
            )
            _set_topics(locked, topics)
            if completes_draft:
                # A completed draft waits for the partner now: tell them, as for a new session.
                notify_partner_on_commit(pair=pair, by=by, kind=SESSION, object_id=locked.pk)
        locked.refresh_from_db()
        log_action(actor=actor, action="session.update", target=locked, data=_facts(locked))
        refresh_on_commit(pair)
    return locked


def session_confirm(
    *,
    session: SessionLog,
    by: Enrollment,
    actor: User | None,
    corrections: dict[str, Any] | None = None,
) -> SessionLog:
    """The partner confirms the session, optionally correcting its facts (date, length, format,
    topics); corrections are audited with the values before and after."""
    pair = session.pair
    _member_side(pair, by)
    with transaction.atomic():
        locked = SessionLog.objects.select_for_update().get(pk=session.pk)
        if locked.logged_by_id == by.pk:
            raise Forbidden("Your partner confirms the sessions you log.")
        if locked.status == SessionStatus.CONFIRMED:
            raise ValidationError("This session is already confirmed.")
        if locked.status == SessionStatus.DRAFT:
            raise ValidationError(
                "This session is a draft: the person who logged it fills in the details first."
            )
        before = _facts(locked)
        corrections = corrections or {}
        unknown = sorted(set(corrections) - set(FACT_FIELDS))
        if unknown:
            raise ValidationError({unknown[0]: "Only the date, length, format and topics change."})
        held_on, duration_minutes, format, topics = _clean_facts(
            pair,
            held_on=corrections.get("held_on", locked.held_on),
            duration_minutes=corrections.get("duration_minutes", locked.duration_minutes),
            format=corrections.get("format", locked.format),
            topic_ids=corrections.get("topics", before["topics"]),
        )
        SessionLog.objects.filter(pk=locked.pk).update(
            held_on=held_on,
            duration_minutes=duration_minutes,
            format=format,
            status=SessionStatus.CONFIRMED,
            confirmed_by=by,
            confirmed_at=timezone.now(),
            updated_at=timezone.now(),
        )
        _set_topics(locked, topics)
        locked.refresh_from_db()
        after = _facts(locked)
        corrected = after != before
        if corrected:
            SessionLog.objects.filter(pk=locked.pk).update(corrected=True)
            locked.corrected = True
        log_action(
            actor=actor,
            action="session.correct_and_confirm" if corrected else "session.confirm",
            target=locked,
            data={"before": before, "after": after} if corrected else after,
        )
        refresh_on_commit(pair)
    return locked


def session_delete(*, session: SessionLog, by: Enrollment, actor: User | None) -> None:
    """The member who logged a session may withdraw it until it is confirmed."""
    _member_side(session.pair, by)
    with transaction.atomic():
        locked = SessionLog.objects.select_for_update().get(pk=session.pk)
        if locked.logged_by_id != by.pk:
            raise Forbidden("Only the person who logged this session can delete it.")
        if locked.status == SessionStatus.CONFIRMED:
            raise ValidationError("A confirmed session stays on the record.")
        log_action(actor=actor, action="session.delete", target=locked, data=_facts(locked))
        locked.delete()
        refresh_on_commit(session.pair)


# --- Hours ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    """Confirmed hours (what counts), plus what still waits for the partner."""

    sessions: int
    confirmed_minutes: int
    awaiting: int
    drafts: int
    # The day of the latest session that is not a draft (``pair_hours`` only).
    last_held_on: date | None = field(default=None, compare=False)

    @property
    def confirmed_hours(self) -> float:
        return round(self.confirmed_minutes / 60, 1)


_HOURS = {
    "sessions": Count("id"),
    "confirmed_minutes": Sum("duration_minutes", filter=Q(status=SessionStatus.CONFIRMED)),
    "awaiting": Count("id", filter=Q(status=SessionStatus.AWAITING)),
    "drafts": Count("id", filter=Q(status=SessionStatus.DRAFT)),
}


def _hours(row: dict[str, Any]) -> Hours:
    return Hours(
        sessions=row["sessions"] or 0,
        confirmed_minutes=row["confirmed_minutes"] or 0,
        awaiting=row["awaiting"] or 0,
        drafts=row["drafts"] or 0,
    )


def pair_hours(pair: Pair) -> Hours:
    row = SessionLog.objects.filter(pair=pair).aggregate(
        **_HOURS, last_held_on=Max("held_on", filter=~Q(status=SessionStatus.DRAFT))
    )
    return replace(_hours(row), last_held_on=row["last_held_on"])


def program_hours(program: Program) -> Hours:
    return _hours(SessionLog.objects.filter(pair__program=program).aggregate(**_HOURS))


def hours_by_pair(program: Program) -> dict[int, Hours]:
    rows = SessionLog.objects.filter(pair__program=program).values("pair_id").annotate(**_HOURS)
    return {row["pair_id"]: _hours(row) for row in rows}


def hours_by_person(program: Program) -> dict[int, Hours]:
    """Per person (Person id) across their pairs in the program: a mentor with two mentees
    counts both pairs' sessions."""
    totals: dict[int, dict[str, int]] = {}
    for side in ("pair__mentor__person_id", "pair__mentee__person_id"):
        rows = SessionLog.objects.filter(pair__program=program).values(side).annotate(**_HOURS)
        for row in rows:
            into = totals.setdefault(row[side], dict.fromkeys(_HOURS, 0))
            for key in _HOURS:
                into[key] += row[key] or 0
    return {person_id: _hours(row) for person_id, row in totals.items()}
