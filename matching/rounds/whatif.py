"""Live what-if on the round form: the proposals a round with the form's settings would make,
compared with the program's current proposals (its latest computed round), without storing a round.

- **Cohort cache**: the program's cohort (``load_cohort``) and what the engine keeps of it
  (``engine.WhatIf``: criterion scores, rule masks) live in this process, for at most
  ``MAX_PROGRAMS`` programs, keyed by the organisation's **cohort version**: a token in the shared
  cache (Redis) that every write to the organisation's programs, people, enrolments, pins, blocks
  and pairs replaces (``organizations.changes.tenant_data_changed``, at once and after commit), so
  every web worker drops its copy on the next preview after a change. A write outside any scope
  replaces a platform-wide token that every key also carries. The round's own bookkeeping (rounds,
  their proposals and unmatched people) does not change a cohort and is ignored. Keys also hold
  the day (time-zone offsets are taken on the day the cohort is loaded); entries are dropped after
  ``TTL`` seconds whatever happens.
- **Figures**: the preview's matched count, total, mean and lowest score are computed as a round
  computes them (``round_stats`` over the pairs' scores); pairs gained and lost are the (mentor,
  mentee) pairs it proposes that the latest computed round does not, and the reverse.

The policy is the round's: whoever may run a round of the program may preview one
(``matching.rounds.access.RUN``, asked by the use case).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from matching import engine
from matching.engine.whatif import WhatIf
from matching.loading import load_cohort
from matching.models import MatchingRound, ProposedPair
from matching.rounds.compare import COMPUTED
from matching.rounds.run import round_stats
from programs.models import Program

logger = logging.getLogger(__name__)

MAX_PROGRAMS = 4
TTL = 15 * 60
WATCHED_APPS = frozenset({"programs", "participants", "matching"})
IGNORED_MODELS = frozenset(
    {"matching.matchinground", "matching.proposedpair", "matching.unmatchedentry"}
)
_ALL = "all"


# --- The cohort version ---------------------------------------------------------------------------


def _version_key(scope: int | str) -> str:
    return f"matching:cohort-version:{scope}"


def bump(organization_id: int | None) -> None:
    """The organisation's cohorts (every organisation's for None) are out of date."""
    try:
        cache.set(
            _version_key(_ALL if organization_id is None else organization_id),
            secrets.token_hex(8),
            None,
        )
    except Exception:  # the cache is down: writes go on; the TTL bounds the staleness
        logger.warning("what-if: could not invalidate organisation %s", organization_id)


def cohort_version(organization_id: int) -> str | None:
    """The organisation's cohort version and the platform's, or None when the cache is down."""
    keys = [_version_key(organization_id), _version_key(_ALL)]
    try:
        found = cache.get_many(keys)
        tokens = []
        for key in keys:
            token = found.get(key)
            if token is None:
                cache.add(key, secrets.token_hex(8), None)
                token = cache.get(key)
            tokens.append(str(token))
    except Exception:
        logger.warning("what-if: cache unreachable, loading the cohort per preview")
        return None
    return ":".join(tokens)


def on_tenant_data_changed(
    sender: Any, *, model: type[Any], organization_id: int | None, **kwargs: Any
) -> None:
    meta = model._meta
    if meta.app_label in WATCHED_APPS and meta.label_lower not in IGNORED_MODELS:
        bump(organization_id)


# --- The in-process cohorts -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Entry:
    whatif: WhatIf
    loaded_at: float


_entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    """Forget every kept cohort (tests, and a worker that wants its memory back)."""
    with _lock:
        _entries.clear()


def cohort_for(program: Program) -> tuple[WhatIf, bool]:
    """The program's cohort ready for previews, and whether it came from this process's cache."""
    version = cohort_version(program.organization_id)
    key = (program.organization_id, program.pk, version, timezone.now().date())
    now = time.monotonic()
    if version is not None:
        with _lock:
            entry = _entries.get(key)
            if entry is not None and now - entry.loaded_at < TTL:
                _entries.move_to_end(key)
                return entry.whatif, True
    loaded = load_cohort(program)
    whatif = WhatIf(loaded.cohort, loaded.constraints)
    if version is not None:
        with _lock:
            for old in [k for k in _entries if k[:2] == key[:2]]:
                del _entries[old]
            _entries[key] = _Entry(whatif, now)
            while len(_entries) > MAX_PROGRAMS:
                _entries.popitem(last=False)
    return whatif, False


# --- A preview ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    matched: int
    unmatched: int
    total: float
    mean: float
    minimum: float


@dataclass(frozen=True)
class Summary:
    """A preview beside the latest computed round (``base``; None when there is none yet)."""

    after: Figures
    base: MatchingRound | None
    before: Figures | None
    gained: int
    lost: int
    unchanged: int
    mentees: int
    mentors: int
    seconds: float
    cached: bool


def _figures(stats: dict[str, Any]) -> Figures:
    return Figures(
        matched=int(stats.get("matched", 0)),
        unmatched=int(stats.get("unmatched", 0)),
        total=float(stats.get("total", 0.0)),
        mean=float(stats.get("mean", 0.0)),
        minimum=float(stats.get("minimum", 0.0)),
    )


def latest_round(program: Program) -> MatchingRound | None:
    """The program's latest computed full round (not a re-match): the current proposals."""
    return (
        MatchingRound.objects.filter(program=program, status__in=COMPUTED, rematch_for__isnull=True)
        .order_by("-number", "-pk")
        .first()
    )


def preview(
    *, program: Program, config: engine.ScoringConfig, rules: engine.HardRules, mode: engine.Mode
) -> Summary:
    """What a round of ``program`` with these settings would propose, beside its latest round.
    Raises the engine's ``MatchingError`` (nobody to match, a pin these rules forbid…)."""
    started = time.perf_counter()
    whatif, cached = cohort_for(program)
    assignment = whatif.preview(config=config, rules=rules, mode=mode).assignment
    cohort = whatif.cohort
    mentor_ids, mentee_ids = cohort.mentors.ids, cohort.mentees.ids
    proposed = set(
        zip(
            mentor_ids[assignment.mentors].tolist(),
            mentee_ids[assignment.mentees].tolist(),
            strict=True,
        )
    )
    unmatched = (cohort.mentees.size - assignment.matched) + int((assignment.load() == 0).sum())
    after = _figures(round_stats(assignment.scores.tolist(), unmatched, {}))
    base = latest_round(program)
    before = None
    gained = lost = unchanged = 0
    if base is not None:
        current = set(ProposedPair.objects.filter(round=base).values_list("mentor_id", "mentee_id"))
        before = _figures(base.stats or {})
        gained, lost = len(proposed - current), len(current - proposed)
        unchanged = len(proposed & current)
    return Summary(
        after=after,
        base=base,
        before=before,
        gained=gained,
        lost=lost,
        unchanged=unchanged,
        mentees=cohort.mentees.size,
        mentors=cohort.mentors.size,
        seconds=time.perf_counter() - started,
        cached=cached,
    )
