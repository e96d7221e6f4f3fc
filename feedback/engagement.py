"""Engagement: a score per pair with the reasons behind it, kept fresh as things happen, plus nightly
nudges and a coordinator digest.

The score (:func:`score_pair`) is a pure function of a pair's signals. It starts at 100 and loses
points for each concern, never going below 0:

=====================  ===========================================================  ==========
Signal                 Rule                                                          Points
=====================  ===========================================================  ==========
Last session           gap ≤ cadence: 0; cadence < gap ≤ 2 x cadence: -15;           0 … -40
                       gap > 2 x cadence: -40 (*at risk*). A pair that never met
                       counts from its start; a paused pair is not expected to meet.
Check-ins answered     -20 x share unanswered (a sent check-in counts after 7 days);  0 … -20
                       under half answered with 2+ unanswered: *at risk*.
Pulse (mean rating)    ≤ 2: -25 (*at risk*); ≤ 3: -10; above: 0.                     0 … -25
"Contact me"           someone's latest answered check-in asks for contact: -10,     0 or -10
                       and the pair is at least *watch*.
Confirmation rate      -10 x share of sessions not confirmed by the partner           0 … -10
                       (a session awaiting confirmation counts after 7 days).
Goal progress          no goals once a quarter of the term has passed: -10; mean      0 … -15
                       progress behind the share of the term elapsed by > 25
                       points: -8, by > 50 points: -15.
=====================  ===========================================================  ==========

Level: *healthy* at 70 or more, *watch* from 45, *at risk* below 45, or *at risk* whatever the score
when a rule above says so (DESIGN.md §6: no session for 2 x cadence, low pulse, unanswered
check-ins).

Every figure comes from one clock and one set of facts, so that the engagement page agrees with
itself: ``today`` is the program's local date (``programs.lifecycle.program_today``); the pair
*started* on the later of its activation (its publication, when both people had accepted the
charter) and the program's start, in the program's time zone — the day its check-in calendar
counts from (``feedback.checkins.schedule_dates``); the *term* runs from the program's start date
to the pair's end (the program's end, or the pair's extension); "days since the last session" and
the page's "last session" column both read the latest session that is not a draft.

**When scores are computed.** :func:`refresh_pairs` rescores pairs whenever their facts change: a
session logged, edited, confirmed or deleted, a check-in answered, a goal set or moved, the pair
paused, resumed, extended, started or ended (:func:`refresh_on_commit`, called by those services
and by ``feedback.reactions``), and a program's dates changing (a task). It writes the day's
snapshot only — no email — and locks the pair while it reads and writes, so of two refreshes
running at once the later reads what the earlier's event committed: the last write is never stale.

:func:`compute_program`, nightly and the safety net, writes one :class:`EngagementSnapshot` per
started open pair per day (an upsert on pair and day: running twice the same day changes nothing; a
refresh the same day rewrites the same row), nudges both people of an
inactive pair (at most :data:`MAX_NUDGES` per pair, :data:`NUDGE_SPACING_DAYS` apart, each firmer than
the last) and sends the program's staff a digest of the pairs at risk. Emails are touchpoints whose
idempotency key names the pair, the nudge number and the recipient (or the program, day and
recipient), so a second run — even a concurrent one — finds the row and sends nothing twice.

Nothing here changes a pair: pairs at risk, executives' included, are flagged for a person to act
on, never paused or closed automatically.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Max, Q, Sum, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core import rows
from feedback import signals
from feedback.models import (
    CheckIn,
    CheckInStatus,
    EngagementLevel,
    EngagementSnapshot,
    Goal,
    GoalStatus,
    SessionLog,
    SessionStatus,
    Touchpoint,
)
from matching.models import Pair, PairStatus
from organizations.changes import note_write
from organizations.scope import current_organization_id, tenant_scope
from participants.models import Enrollment
from programs.lifecycle import program_today, program_zone
from programs.models import Program
from programs.selectors import program_contacts

HEALTHY_FROM = 70
WATCH_FROM = 45
# A sent check-in or an unconfirmed session is given this long before it counts against the pair.
GRACE_DAYS = 7
MAX_NUDGES = 3
NUDGE_SPACING_DAYS = 7
NUDGE_KEY = "engagement-nudge"
DIGEST_KEY = "engagement-digest"

# Reasons that make a pair at risk whatever its score.
AT_RISK_CODES = frozenset({"no_recent_session", "unanswered_check_ins", "low_pulse"})
# Reasons that mean the pair has not met for longer than the cadence (nudges go out).
INACTIVE_CODES = frozenset({"session_overdue", "no_recent_session"})


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    points: int

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "points": self.points}


@dataclass(frozen=True)
class PairSignals:
    """What the score is computed from (all counts as of ``today``)."""

    session_cadence_days: int
    # Days since the pair started (its activation, or the program's start when later).
    days_in_program: int
    # Days since the last session that is not a draft; None when the pair has never met.
    days_since_last_session: int | None = None
    paused: bool = False
    paused_until: date | None = None
    check_ins_due: int = 0
    check_ins_answered: int = 0
    mean_rating: float | None = None
    wants_contact: bool = False
    sessions_counted: int = 0
    sessions_confirmed: int = 0
    goal_count: int = 0
    mean_goal_progress: float | None = None
    # Share of the pair's term elapsed, 0-1; None when the program has no dates.
    term_elapsed: float | None = None


@dataclass(frozen=True)
class EngagementResult:
    score: int
    level: str
    reasons: list[Reason] = field(default_factory=list)

    @property
    def codes(self) -> set[str]:
        return {reason.code for reason in self.reasons}

    @property
    def is_inactive(self) -> bool:
        return bool(self.codes & INACTIVE_CODES)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _session_reason(s: PairSignals) -> Reason:
    cadence = s.session_cadence_days
    if s.paused:
        until = f" until {s.paused_until:%-d %b %Y}" if s.paused_until else ""
        return Reason("paused", f"Paused{until}: no session expected meanwhile", 0)
    if s.days_since_last_session is None:
        gap = max(s.days_in_program, 0)
        if gap <= cadence:
            text = f"No session yet; the pair started {_days(gap)} ago (cadence {_days(cadence)})"
            return Reason("no_session_yet", text, 0)
        what = f"No session logged in the {_days(gap)} since the pair started"
    else:
        gap = s.days_since_last_session
        if gap <= cadence:
            return Reason(
                "recent_session", f"Last session {_days(gap)} ago (cadence {_days(cadence)})", 0
            )
        what = f"No session for {_days(gap)}"
    if gap > 2 * cadence:
        return Reason(
            "no_recent_session", f"{what}, more than twice the cadence of {_days(cadence)}", -40
        )
    return Reason("session_overdue", f"{what} (cadence {_days(cadence)})", -15)


def _check_in_reasons(s: PairSignals) -> list[Reason]:
    reasons = []
    if s.check_ins_due == 0:
        reasons.append(Reason("no_check_ins_due", "No check-in was due yet", 0))
    else:
        unanswered = s.check_ins_due - s.check_ins_answered
        share = s.check_ins_answered / s.check_ins_due
        text = f"{s.check_ins_answered} of {s.check_ins_due} check-ins answered"
        if share < 0.5 and unanswered >= 2:
            reasons.append(Reason("unanswered_check_ins", text, -20))
        else:
            reasons.append(Reason("check_ins_answered", text, -round(20 * (1 - share))))
    if s.mean_rating is not None:
        rating = f"mean rating {s.mean_rating:.1f} of 5"
        if s.mean_rating <= 2:
            reasons.append(Reason("low_pulse", f"Low pulse: {rating}", -25))
        elif s.mean_rating <= 3:
            reasons.append(Reason("middling_pulse", f"Middling pulse: {rating}", -10))
        else:
            reasons.append(Reason("good_pulse", f"Pulse: {rating}", 0))
    if s.wants_contact:
        text = "Someone in the pair asked the coordinator to get in touch"
        reasons.append(Reason("wants_contact", text, -10))
    return reasons


def _confirmation_reason(s: PairSignals) -> Reason | None:
    if s.sessions_counted == 0:
        return None
    rate = s.sessions_confirmed / s.sessions_counted
    text = f"{s.sessions_confirmed} of {s.sessions_counted} sessions confirmed by the partner"
    return Reason("confirmation_rate", text, -round(10 * (1 - rate)))


def _goal_reason(s: PairSignals) -> Reason:
    elapsed = s.term_elapsed
    if s.goal_count == 0 or s.mean_goal_progress is None:
        if elapsed is not None and elapsed >= 0.25:
            return Reason("no_goals", f"No goals set with {elapsed:.0%} of the term gone", -10)
        return Reason("no_goals_yet", "No goals set yet", 0)
    progress = f"Goals at {s.mean_goal_progress:.0f}% on average"
    if elapsed is None:
        return Reason("goal_progress", progress, 0)
    lag = elapsed * 100 - s.mean_goal_progress
    text = f"{progress} with {elapsed:.0%} of the term gone"
    if lag > 50:
        return Reason("goals_behind", text, -15)
    if lag > 25:
        return Reason("goals_behind", text, -8)
    return Reason("goal_progress", text, 0)


def score_pair(signals: PairSignals) -> EngagementResult:
    """The engagement score (0-100), level and reasons of one pair. See the module docstring."""
    reasons = [_session_reason(signals), *_check_in_reasons(signals)]
    confirmation = _confirmation_reason(signals)
    if confirmation is not None:
        reasons.append(confirmation)
    reasons.append(_goal_reason(signals))
    score = max(0, min(100, 100 + sum(reason.points for reason in reasons)))
    codes = {reason.code for reason in reasons}
    if score < WATCH_FROM or codes & AT_RISK_CODES:
        level = EngagementLevel.AT_RISK
    elif score < HEALTHY_FROM or "wants_contact" in codes:
        level = EngagementLevel.WATCH
    else:
        level = EngagementLevel.HEALTHY
    return EngagementResult(score=score, level=str(level), reasons=reasons)


# --- Facts and scoring ---------------------------------------------------------------------------


def pair_started_on(pair: Pair, program: Program) -> date:
    """The pair's first day: the later of its activation (its publication when both people had
    accepted the charter; its creation if it never needed activating) and the program's start, as
    a date where the program runs — the day its check-in calendar counts from, not UTC's."""
    started = timezone.localtime(pair.activated_at or pair.created_at, program_zone(program)).date()
    if program.start_date is not None and program.start_date > started:
        return program.start_date
    return started


def next_session_due(pair: Pair, last_session_on: date | None) -> date | None:
    """When the pair's next session is due: the program's session cadence after the last session
    (or after :func:`pair_started_on`); none unless the pair is active (paused, or waiting for
    the charter). The pair page and the homes both show this date."""
    if pair.status != PairStatus.ACTIVE:
        return None
    program = pair.program
    return (last_session_on or pair_started_on(pair, program)) + timedelta(
        days=program.session_cadence_days
    )


def term_elapsed(pair: Pair, program: Program, today: date) -> float | None:
    """Share (0-1) of the term gone on ``today``: from the program's start date to the pair's end
    (the program's end date, or the pair's own when it was extended). None without both dates."""
    start = program.start_date
    end = pair.ends_on or program.end_date
    if start is None or end is None or end <= start:
        return None
    return min(1.0, max(0.0, (today - start).days / (end - start).days))


class _CheckInFact(NamedTuple):
    """What the score reads of a sent or answered check-in."""

    enrollment_id: int
    status: str
    rating: int | None
    wants_contact: bool
    due_on: date


@dataclass
class _ProgramData:
    """Every signal of a program's pairs, loaded in a fixed number of queries."""

    sessions: dict[int, dict[str, Any]]
    check_ins: dict[int, list[_CheckInFact]]
    goals: dict[int, dict[str, Any]]
    nudges: dict[int, tuple[int, date | None]]


def _load(program: Program, pair_ids: list[int], today: date) -> _ProgramData:
    grace_cutoff = today - timedelta(days=GRACE_DAYS)
    counted = Q(status=SessionStatus.CONFIRMED) | Q(
        status=SessionStatus.AWAITING, held_on__lte=grace_cutoff
    )
    sessions = {
        row["pair_id"]: row
        for row in SessionLog.objects.filter(pair_id__in=pair_ids, held_on__lte=today)
        .exclude(status=SessionStatus.DRAFT)
        .values("pair_id")
        .annotate(
            last=Max("held_on"),
            counted=Count("id", filter=counted),
            confirmed=Count("id", filter=Q(status=SessionStatus.CONFIRMED)),
        )
        .order_by()
    }
    check_ins: dict[int, list[_CheckInFact]] = defaultdict(list)
    for pair_id, *fact in CheckIn.objects.filter(
        pair_id__in=pair_ids,
        status__in=(CheckInStatus.SENT, CheckInStatus.ANSWERED),
        due_on__lte=today,
    ).values_list("pair_id", "enrollment_id", "status", "rating", "wants_contact", "due_on"):
        check_ins[pair_id].append(_CheckInFact(*fact))
    goals = {
        row["pair_id"]: row
        for row in Goal.objects.filter(pair_id__in=pair_ids)
        .exclude(status=GoalStatus.DROPPED)
        .values("pair_id")
        .annotate(count=Count("id"), progress_sum=_achieved_as_full())
        .order_by()
    }
    # Nudges so far per pair: (highest nudge number, the program day of the latest). The day is in
    # the payload so that spacing follows the run's ``today``, not the clock. One pair's refresh
    # reads that pair's nudges only.
    prefix = f"{NUDGE_KEY}:{program.pk}:"
    if len(pair_ids) == 1:
        prefix += f"{pair_ids[0]}:"
    found = (
        Touchpoint.objects.filter(idempotency_key__startswith=prefix)
        .values_list("idempotency_key", "payload__nudged_on")
        .order_by()
    )
    return _ProgramData(sessions, check_ins, goals, _nudges(found))


def _nudges(found: Iterable[tuple[str, Any]]) -> dict[int, tuple[int, date | None]]:
    """Per pair, from its nudges' (idempotency key, ``nudged_on``): the highest nudge number and
    the program day of the latest."""
    nudges: dict[int, tuple[int, date | None]] = {}
    for key, day in found:
        _prefix, _program, pair_id, number, _to = key.split(":")
        nudged_on = date.fromisoformat(str(day or "1970-01-01"))
        count, last = nudges.get(int(pair_id), (0, None))
        nudges[int(pair_id)] = (
            max(count, int(number)),
            nudged_on if last is None or nudged_on > last else last,
        )
    return nudges


def _achieved_as_full() -> Sum:
    """Sum of goal progress where an achieved goal counts as 100 % whatever its last update."""
    return Sum(
        Case(
            When(status=GoalStatus.ACHIEVED, then=Value(100)),
            default=F("progress"),
            output_field=IntegerField(),
        )
    )


def _signals(pair: Pair, program: Program, data: _ProgramData, today: date) -> PairSignals:
    start = pair_started_on(pair, program)
    session = data.sessions.get(pair.pk)
    answered = [c for c in data.check_ins[pair.pk] if c.status == CheckInStatus.ANSWERED]
    overdue = [
        c
        for c in data.check_ins[pair.pk]
        if c.status == CheckInStatus.SENT and c.due_on <= today - timedelta(days=GRACE_DAYS)
    ]
    ratings = [c.rating for c in answered if c.rating is not None]
    latest_answer: dict[int, _CheckInFact] = {}
    for check_in in sorted(answered, key=lambda c: c.due_on):
        latest_answer[check_in.enrollment_id] = check_in
    goals = data.goals.get(pair.pk)
    paused = pair.status == PairStatus.PAUSED
    return PairSignals(
        session_cadence_days=program.session_cadence_days,
        days_in_program=(today - start).days,
        days_since_last_session=(today - session["last"]).days if session else None,
        paused=paused,
        paused_until=pair.paused_until if paused else None,
        check_ins_due=len(answered) + len(overdue),
        check_ins_answered=len(answered),
        mean_rating=sum(ratings) / len(ratings) if ratings else None,
        wants_contact=any(c.wants_contact for c in latest_answer.values()),
        sessions_counted=session["counted"] if session else 0,
        sessions_confirmed=min(session["confirmed"], session["counted"]) if session else 0,
        goal_count=goals["count"] if goals else 0,
        mean_goal_progress=goals["progress_sum"] / goals["count"] if goals else None,
        term_elapsed=term_elapsed(pair, program, today),
    )


@dataclass(frozen=True)
class PairOutcome:
    pair: Pair
    snapshot: EngagementSnapshot
    result: EngagementResult
    nudged: bool


def _score_pairs(
    program: Program, pair_ids: list[int] | None, today: date, *, care: bool
) -> list[PairOutcome]:
    """Score the program's started open pairs (those of ``pair_ids``, or all) for ``today`` and
    write the day's snapshots; with ``care``, nudge inactive pairs and queue the staff digest.

    The pairs are locked before anything is read, so runs on the same pairs take turns and each
    reads what the one before it committed. A fixed number of queries however many pairs (nudges
    and the digest add their emails)."""
    with transaction.atomic():
        pairs_query = Pair.objects.filter(
            program=program, status__in=(PairStatus.ACTIVE, PairStatus.PAUSED)
        )
        if pair_ids is not None:
            pairs_query = pairs_query.filter(pk__in=pair_ids)
        if care:  # nudges and the digest name both people
            pairs_query = pairs_query.select_related("mentor__person", "mentee__person")
        pairs = list(pairs_query.select_for_update(of=("self",)).order_by("id"))
        if not pairs:
            return []
        data = _load(program, [pair.pk for pair in pairs], today)
        outcomes = []
        for pair in pairs:
            result = score_pair(_signals(pair, program, data, today))
            nudges_before, last_nudge = data.nudges.get(pair.pk, (0, None))
            nudged = care and _maybe_nudge(pair, program, result, nudges_before, last_nudge, today)
            snapshot = EngagementSnapshot(
                organization_id=pair.organization_id,
                pair=pair,
                computed_on=today,
                score=result.score,
                level=result.level,
                reasons=[reason.as_dict() for reason in result.reasons],
                nudges_sent=nudges_before + (1 if nudged else 0),
            )
            outcomes.append(PairOutcome(pair, snapshot, result, nudged))
        became_at_risk = _became_at_risk(outcomes)
        # The day's row of each pair, written or rewritten in one statement.
        EngagementSnapshot.objects.bulk_create(
            [outcome.snapshot for outcome in outcomes],
            update_conflicts=True,
            unique_fields=["pair", "computed_on"],
            update_fields=["score", "level", "reasons", "nudges_sent"],
        )
        if care:
            _queue_digest(program, outcomes, today)
        for outcome in became_at_risk:
            signals.pair_at_risk.send(sender=Pair, pair=outcome.pair, snapshot=outcome.snapshot)
    return outcomes


def _became_at_risk(outcomes: list[PairOutcome]) -> list[PairOutcome]:
    """The outcomes at risk whose pair's latest snapshot before this one was not (or was none):
    the moment a pair turns at risk, told once however often the day is rescored. One query."""
    at_risk = [o for o in outcomes if o.snapshot.level == EngagementLevel.AT_RISK]
    if not at_risk:
        return []
    latest: dict[int, str] = {}
    for pair_id, level in (
        EngagementSnapshot.objects.filter(pair_id__in=[o.pair.pk for o in at_risk])
        .order_by("pair_id", "-computed_on")
        .distinct("pair_id")
        .values_list("pair_id", "level")
    ):
        latest[pair_id] = level
    return [o for o in at_risk if latest.get(o.pair.pk) != EngagementLevel.AT_RISK]


# --- The nightly run ------------------------------------------------------------------------------


def compute_program(program: Program, *, today: date | None = None) -> list[PairOutcome]:
    """Score every started open pair of the program for ``today`` (the program's local date by
    default), nudge inactive pairs and queue the staff digest. Safe to run any number of times."""
    return _score_pairs(program, None, today or program_today(program), care=True)


def compute_all(*, today: date | None = None) -> list[PairOutcome]:
    """Every program of the scoped organisation that has started pairs."""
    programs = Program.objects.filter(
        pairs__status__in=(PairStatus.ACTIVE, PairStatus.PAUSED)
    ).distinct()
    outcomes: list[PairOutcome] = []
    for program in programs.order_by("id"):
        outcomes.extend(compute_program(program, today=today))
    return outcomes


# --- Refreshing when something happens ------------------------------------------------------------


def refresh_pairs(pair_ids: Iterable[int], *, today: date | None = None) -> list[PairOutcome]:
    """Rescore these pairs now (each program's local today unless given): the day's snapshot of
    every one still open, no email. Pairs that are pending, completed or ended are not scored (the
    engagement page lists open pairs; their history stays). Idempotent."""
    ids = set(pair_ids)
    if len(ids) == 1 and current_organization_id() is not None:
        outcome = _refresh_one(ids.pop(), today)
        return [] if outcome is None else [outcome]
    return _refresh_general(ids, today)


def _refresh_general(pair_ids: Iterable[int], today: date | None) -> list[PairOutcome]:
    programs: dict[int, Program] = {}
    by_program: dict[int, list[int]] = defaultdict(list)
    for pair in Pair.objects.filter(pk__in=set(pair_ids)).select_related("program").order_by("pk"):
        programs[pair.program_id] = pair.program
        by_program[pair.program_id].append(pair.pk)
    outcomes: list[PairOutcome] = []
    for program_id, ids in sorted(by_program.items()):
        program = programs[program_id]
        outcomes.extend(_score_pairs(program, ids, today or program_today(program), care=False))
    return outcomes


# One pair's rescoring runs after every logged session and answered check-in, inline in the
# request: three plain statements (the pair and its program locked, every fact in one read, the
# day's row upserted) written once per process, not compiled by the ORM on each call. The facts
# and the score are the same as ``_load`` and ``_signals`` give the program-wide run (the tests run
# both on the same pairs).


@cache
def _one_pair_sql() -> tuple[str, str, str]:
    from django.db import connection

    quote = connection.ops.quote_name
    columns = f"{rows.columns('p', Pair)}, {rows.columns('g', Program)}"
    lock = (
        f"SELECT {columns} FROM {quote(Pair._meta.db_table)} p "  # noqa: S608 (model names; values bound)
        f"JOIN {quote(Program._meta.db_table)} g ON g.id = p.program_id "
        "WHERE p.organization_id = %(org)s AND p.id = %(pair)s AND p.status IN %(open)s "
        "FOR UPDATE OF p"
    )
    mine = "organization_id = %(org)s AND pair_id = %(pair)s"
    facts = (
        "SELECT s.last, s.counted, s.confirmed, g.n, g.progress_sum, c.rows, t.rows, e.level FROM "  # noqa: S608 (model names; values bound)
        "(SELECT MAX(held_on) AS last, COUNT(*) FILTER (WHERE status = %(confirmed)s "
        "OR (status = %(awaiting)s AND held_on <= %(grace)s)) AS counted, "
        "COUNT(*) FILTER (WHERE status = %(confirmed)s) AS confirmed "
        f"FROM {quote(SessionLog._meta.db_table)} "
        f"WHERE {mine} AND held_on <= %(today)s AND status <> %(draft)s) s, "
        "(SELECT COUNT(*) AS n, SUM(CASE WHEN status = %(achieved)s THEN 100 ELSE progress END) "
        f"AS progress_sum FROM {quote(Goal._meta.db_table)} "
        f"WHERE {mine} AND status <> %(dropped)s) g, "
        "(SELECT json_agg(json_build_array(enrollment_id, status, rating, wants_contact, due_on)) "
        f"AS rows FROM {quote(CheckIn._meta.db_table)} "
        f"WHERE {mine} AND status IN %(check_in_statuses)s AND due_on <= %(today)s) c, "
        "(SELECT json_agg(json_build_array(idempotency_key, payload -> 'nudged_on')) AS rows "
        f"FROM {quote(Touchpoint._meta.db_table)} "
        "WHERE organization_id = %(org)s AND idempotency_key LIKE %(nudges)s) t "
        "LEFT JOIN LATERAL (SELECT level "
        f"FROM {quote(EngagementSnapshot._meta.db_table)} "
        f"WHERE {mine} ORDER BY computed_on DESC LIMIT 1) e ON TRUE"
    )
    upsert = (
        f"INSERT INTO {quote(EngagementSnapshot._meta.db_table)} "  # noqa: S608 (model names; values bound)
        "(organization_id, pair_id, computed_on, score, level, reasons, nudges_sent, created_at) "
        "VALUES (%(org)s, %(pair)s, %(today)s, %(score)s, %(level)s, %(reasons)s::jsonb, "
        "%(nudges_sent)s, %(now)s) ON CONFLICT (pair_id, computed_on) DO UPDATE SET "
        "score = EXCLUDED.score, level = EXCLUDED.level, reasons = EXCLUDED.reasons, "
        "nudges_sent = EXCLUDED.nudges_sent RETURNING id, created_at"
    )
    return lock, facts, upsert


def _refresh_one(pair_id: int, today: date | None) -> PairOutcome | None:
    """:func:`refresh_pairs` for one pair of the scoped organisation (None when it is not open)."""
    from django.db import connection

    organization_id = current_organization_id()
    assert organization_id is not None  # refresh_pairs takes this path inside a scope only
    lock, facts, upsert = _one_pair_sql()
    params: dict[str, Any] = {
        "org": organization_id,
        "pair": pair_id,
        "open": (str(PairStatus.ACTIVE), str(PairStatus.PAUSED)),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(lock, params)
        row = cursor.fetchone()
        if row is None:
            return None
        pair = rows.instance(Pair, row[: rows.width(Pair)])
        program = rows.instance(Program, row[rows.width(Pair) :])
        pair.program = program
        today = today or program_today(program)
        params.update(
            today=today,
            grace=today - timedelta(days=GRACE_DAYS),
            confirmed=str(SessionStatus.CONFIRMED),
            awaiting=str(SessionStatus.AWAITING),
            draft=str(SessionStatus.DRAFT),
            achieved=str(GoalStatus.ACHIEVED),
            dropped=str(GoalStatus.DROPPED),
            check_in_statuses=(str(CheckInStatus.SENT), str(CheckInStatus.ANSWERED)),
            nudges=f"{NUDGE_KEY}:{program.pk}:{pair_id}:%",
        )
        cursor.execute(facts, params)
        last, counted, confirmed, goal_count, progress_sum, check_ins, nudges, latest = (
            cursor.fetchone()
        )
        data = _ProgramData(
            sessions={}
            if last is None
            else {pair_id: {"last": last, "counted": counted, "confirmed": confirmed}},
            check_ins=defaultdict(list),
            goals={}
            if not goal_count
            else {pair_id: {"count": goal_count, "progress_sum": progress_sum}},
            nudges=_nudges(nudges or ()),
        )
        for enrollment_id, status, rating, wants_contact, due_on in check_ins or ():
            data.check_ins[pair_id].append(
                _CheckInFact(
                    enrollment_id, status, rating, wants_contact, date.fromisoformat(due_on)
                )
            )
        result = score_pair(_signals(pair, program, data, today))
        nudges_before = data.nudges.get(pair_id, (0, None))[0]
        reasons = [reason.as_dict() for reason in result.reasons]
        params.update(
            score=result.score,
            level=result.level,
            reasons=json.dumps(reasons),
            nudges_sent=nudges_before,
            now=timezone.now(),
        )
        cursor.execute(upsert, params)
        snapshot_id, created_at = cursor.fetchone()
        note_write(EngagementSnapshot, {organization_id}, using=connection.alias)
        snapshot = EngagementSnapshot(
            id=snapshot_id,
            organization_id=organization_id,
            pair=pair,
            computed_on=today,
            score=result.score,
            level=result.level,
            reasons=reasons,
            nudges_sent=nudges_before,
            created_at=created_at,
        )
        snapshot._state.adding = False
        outcome = PairOutcome(pair, snapshot, result, nudged=False)
        if result.level == EngagementLevel.AT_RISK and latest != EngagementLevel.AT_RISK:
            signals.pair_at_risk.send(sender=Pair, pair=pair, snapshot=snapshot)
    return outcome


def refresh_program(program: Program, *, today: date | None = None) -> list[PairOutcome]:
    """Rescore every open pair of the program (after its dates changed), no email."""
    return _score_pairs(program, None, today or program_today(program), care=False)


def refresh_on_commit(pair: Pair) -> None:
    """Rescore the pair once the current transaction commits (at once outside one), in the pair's
    organisation: the callback may run after the request's scope ended.

    Inline rather than a task: one pair costs a fixed handful of queries (see the tests), and the
    person who acted sees the new score on their next page without waiting for a worker. A failure
    is logged, never raised: the change itself is committed, and the nightly run catches up."""
    organization_id, pair_id = pair.organization_id, pair.pk

    def refresh() -> None:
        with tenant_scope(organization_id):
            refresh_pairs([pair_id])

    transaction.on_commit(refresh, robust=True)


# --- Emails (touchpoints) -------------------------------------------------------------------------


def _email(key: str, to: str, subject: str, body: str, **extra: str) -> bool:
    """Queue one email once per key. Returns whether this call created it."""
    _touchpoint, created = Touchpoint.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "kind": "email",
            "due_at": timezone.now(),
            "payload": {
                "to": to,
                "subject": f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
                "body": body,
                **extra,
            },
        },
    )
    return created


NUDGE_WORDING = {
    1: (
        "Time to meet {partner} again?",
        "The program suggests a session every {cadence}. A short call counts: log it afterwards "
        "so that your coordinator knows the pair is on track.",
    ),
    2: (
        "Reminder: plan your next session with {partner}",
        "This is the second reminder. If something is in the way (diaries, the format, the "
        "topics), tell your coordinator: they can help you find a rhythm that works.",
    ),
    3: (
        "Last reminder: your pair with {partner} has not met",
        "This is the last reminder we send. Your coordinator has been told and may contact you to "
        "talk about whether the pair should carry on, pause or change.",
    ),
}


def _nudge_body(
    pair: Pair, program: Program, to: Enrollment, partner: Enrollment, number: int
) -> tuple[str, str]:
    subject, advice = NUDGE_WORDING[number]
    cadence = _days(program.session_cadence_days)
    params = {"partner": partner.person.full_name, "cadence": cadence}
    body = (
        f"Hello {to.person.full_name},\n\n"
        f"Your pair with {partner.person.full_name} in {program.name} has not logged a session "
        "for a while.\n\n"
        f"{advice.format(**params)}\n\n"
        f"Your pair: {settings.SITE_URL}"
        f"{reverse('pair_detail', kwargs={'org_slug': program.organization.slug, 'pk': pair.pk})}\n"
    )
    return subject.format(**params), body


def _maybe_nudge(
    pair: Pair,
    program: Program,
    result: EngagementResult,
    nudges_before: int,
    last_nudge: date | None,
    today: date,
) -> bool:
    """Nudge both people of an active pair that has not met within its cadence: at most
    MAX_NUDGES per pair, NUDGE_SPACING_DAYS apart. The key holds the nudge number, so two runs
    that both decide to send nudge n create one row per person."""
    if pair.status != PairStatus.ACTIVE or not result.is_inactive:
        return False
    if nudges_before >= MAX_NUDGES:
        return False
    if last_nudge is not None and (today - last_nudge).days < NUDGE_SPACING_DAYS:
        return False
    number = nudges_before + 1
    created = False
    for to, partner in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
        subject, body = _nudge_body(pair, program, to, partner, number)
        key = f"{NUDGE_KEY}:{program.pk}:{pair.pk}:{number}:{to.pk}"
        sent = _email(key, to.person.email, subject, body, nudged_on=today.isoformat())
        created = sent or created
    return created


def digest_recipients(program: Program) -> list[User]:
    """The program's contacts (``programs.selectors.program_contacts``)."""
    return program_contacts(program=program)


def _digest_body(program: Program, flagged: list[PairOutcome], today: date) -> str:
    lines = [
        f"Engagement in {program.name} on {today:%-d %B %Y}: "
        f"{len(flagged)} pair{'s' if len(flagged) != 1 else ''} at risk.",
        "",
    ]
    for outcome in flagged:
        pair = outcome.pair
        lines.append(
            f"- {pair.mentor.person.full_name} (mentor) and {pair.mentee.person.full_name} "
            f"(mentee): score {outcome.result.score}"
        )
        lines.extend(f"    {reason.text}" for reason in outcome.result.reasons if reason.points < 0)
    url = reverse(
        "program_engagement",
        kwargs={"org_slug": program.organization.slug, "program_pk": program.pk},
    )
    lines += [
        "",
        "No pair was paused or closed: decide with each pair what happens next.",
        f"All pairs and their signals: {settings.SITE_URL}{url}",
    ]
    return "\n".join(lines) + "\n"


def _queue_digest(program: Program, outcomes: list[PairOutcome], today: date) -> int:
    """One digest a day per recipient, only on days with pairs at risk. Returns emails queued."""
    flagged = [o for o in outcomes if o.result.level == EngagementLevel.AT_RISK]
    if not flagged:
        return 0
    flagged.sort(key=lambda o: (o.result.score, o.pair.pk))
    count = len(flagged)
    subject = f"{program.name}: {count} pair{'s' if count != 1 else ''} at risk"
    body = _digest_body(program, flagged, today)
    queued = 0
    for user in digest_recipients(program):
        key = f"{DIGEST_KEY}:{program.pk}:{today.isoformat()}:{user.pk}"
        queued += _email(key, user.email, subject, body)
    return queued
