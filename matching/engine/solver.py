"""Globally optimal assignment of mentees to mentor places.

Capacity becomes columns: a mentor who takes ``c`` more mentees appears as ``c`` identical slot
columns. ``scipy.optimize.linear_sum_assignment`` then minimises the cost of the negated float64
matrix (cheaper in memory than ``maximize=True``). Forbidden pairs are never ``inf`` (scipy raises
when no full assignment exists); instead:

- **score first** (``Mode.SCORE_FIRST``): cost ``-(s + ε)`` for an allowed pair, ``0`` for a
  forbidden one, which is dropped from the result afterwards. The tiny ``ε`` makes an allowed pair of
  score 0 still better than leaving both unmatched; it maximises the total score.
- **most matched first** (``Mode.MAX_MATCHED_FIRST``): cost ``-(s + B)`` for an allowed pair with
  ``B = 100 (k + 1)``, ``k`` the most pairs possible, and ``0`` for a forbidden one — a penalty of at
  least ``B``. One more pair is worth more than any difference in total score, so the result has the
  largest number of pairs and, among those, the highest total.
- **fairest** (``Mode.FAIREST``): as many pairs as "most matched first", and among those the
  assignment whose *lowest* pair score is highest (a bottleneck assignment), then the highest
  total. Solved exactly: the largest number of pairs ``k`` comes from the "most matched" solve; a
  binary search over the distinct allowed scores finds the highest threshold ``t`` at which pairs
  scoring at least ``t`` still match ``k`` mentees (each probe an exact maximum bipartite matching,
  Hopcroft-Karp over mentee → mentor-place edges); the "most matched" solve over those pairs then gives the best total. Pins stay:
  when a pin scores below ``t``, the lowest score is the pin's whatever the rest, so the threshold
  drops to it and the total decides among the rest.

Pins are honoured by taking the pinned mentee out of the problem and lowering the mentor's capacity.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from matching.engine.arrays import BoolArray, FloatArray, IntArray
from matching.engine.errors import EmptyCohortError, MatchingError, PinError

TIE_BONUS = 1e-6
DEFAULT_BLOCK_ELEMENTS = 1 << 22
MAX_SPARSE_EDGES = 20_000_000


class Mode(StrEnum):
    SCORE_FIRST = "score_first"
    MAX_MATCHED_FIRST = "max_matched_first"
    FAIREST = "fairest"


@dataclass(frozen=True, eq=False)
class Assignment:
    """Proposed pairs as row indices into the cohort's sides, with their scores."""

    mentees: IntArray
    mentors: IntArray
    scores: FloatArray
    pinned: BoolArray
    n_mentees: int
    n_mentors: int
    mode: str
    method: str
    seconds: float

    @property
    def matched(self) -> int:
        return len(self.mentees)

    @property
    def total(self) -> float:
        return math.fsum(self.scores.tolist())

    @property
    def mean(self) -> float:
        return self.total / self.matched if self.matched else 0.0

    @property
    def minimum(self) -> float:
        return float(self.scores.min()) if self.matched else 0.0

    def mentor_of(self) -> IntArray:
        """Each mentee's mentor row, -1 when unmatched."""
        out = np.full(self.n_mentees, -1, dtype=np.int64)
        out[self.mentees] = self.mentors
        return out

    def load(self) -> IntArray:
        """How many mentees each mentor received."""
        return np.bincount(self.mentors, minlength=self.n_mentors).astype(np.int64)

    def unmatched_mentees(self) -> IntArray:
        return np.flatnonzero(self.mentor_of() < 0)

    def unmatched_mentors(self) -> IntArray:
        return np.flatnonzero(self.load() == 0)


def check_inputs(scores: FloatArray, allowed: BoolArray, capacity: IntArray) -> None:
    n_mentees, n_mentors = scores.shape
    if not n_mentees or not n_mentors:
        raise EmptyCohortError("A round needs at least one mentor and one mentee.")
    if allowed.shape != scores.shape or capacity.shape != (n_mentors,):
        raise MatchingError("Scores, allowed pairs and capacities do not describe one cohort.")
    if capacity.min() < 0:
        raise MatchingError("A mentor's capacity cannot be negative.")


def apply_pins(
    pins: Sequence[tuple[int, int]], allowed: BoolArray, capacity: IntArray
) -> tuple[IntArray, BoolArray]:
    """Remaining capacity per mentor and which mentees are still free, after the pins."""
    remaining = capacity.astype(np.int64).copy()
    free = np.ones(allowed.shape[0], dtype=np.bool_)
    for mentee, mentor in pins:
        if not free[mentee]:
            raise PinError(f"Mentee row {mentee} is pinned twice.")
        if not allowed[mentee, mentor]:
            raise PinError(
                f"The pin of mentee row {mentee} with mentor row {mentor} breaks a rule."
            )
        if remaining[mentor] < 1:
            raise PinError(f"Mentor row {mentor} has more pins than places.")
        remaining[mentor] -= 1
        free[mentee] = False
    return remaining, free


def assemble(
    *,
    scores: FloatArray,
    pins: Sequence[tuple[int, int]],
    mentees: IntArray,
    mentors: IntArray,
    mode: str,
    method: str,
    started: float,
) -> Assignment:
    """Pins first, then the solved pairs, sorted by mentee row."""
    pin_mentees = np.asarray([p[0] for p in pins], dtype=np.int64)
    pin_mentors = np.asarray([p[1] for p in pins], dtype=np.int64)
    all_mentees = np.concatenate([pin_mentees, mentees]).astype(np.int64)
    all_mentors = np.concatenate([pin_mentors, mentors]).astype(np.int64)
    pinned = np.concatenate([np.ones(len(pins), np.bool_), np.zeros(len(mentees), np.bool_)])
    order = np.argsort(all_mentees, kind="stable")
    all_mentees, all_mentors, pinned = all_mentees[order], all_mentors[order], pinned[order]
    return Assignment(
        mentees=all_mentees,
        mentors=all_mentors,
        scores=scores[all_mentees, all_mentors].astype(np.float64),
        pinned=pinned,
        n_mentees=scores.shape[0],
        n_mentors=scores.shape[1],
        mode=mode,
        method=method,
        seconds=time.perf_counter() - started,
    )


def _assign(
    scores: FloatArray,
    allowed: BoolArray,
    remaining: IntArray,
    free: BoolArray,
    *,
    max_matched: bool,
    block_elements: int,
) -> tuple[IntArray, IntArray]:
    """The optimal (mentee rows, mentor rows) of the free mentees over the remaining places."""
    rows = np.flatnonzero(free & allowed.any(axis=1))
    open_mentors = np.flatnonzero((remaining > 0) & allowed.any(axis=0))
    slot_mentor = np.repeat(open_mentors, np.minimum(remaining[open_mentors], len(rows)))
    if not len(rows) or not len(slot_mentor):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    most_pairs = min(len(rows), len(slot_mentor))
    bonus = 100.0 * (most_pairs + 1) if max_matched else TIE_BONUS
    cost = np.empty((len(rows), len(slot_mentor)), dtype=np.float64)
    step = max(1, block_elements // len(slot_mentor))
    for start in range(0, len(rows), step):
        block = np.ix_(rows[start : start + step], slot_mentor)
        value = scores[block]
        value += bonus
        np.negative(value, out=value)
        value[~allowed[block]] = 0.0
        cost[start : start + step] = value
    row_pick, col_pick = linear_sum_assignment(cost)
    del cost
    mentees, mentors = rows[row_pick], slot_mentor[col_pick]
    keep = allowed[mentees, mentors]
    return mentees[keep], mentors[keep]


def max_pairs(
    allowed: BoolArray,
    remaining: IntArray,
    free: BoolArray,
    *,
    block_elements: int = DEFAULT_BLOCK_ELEMENTS,
) -> int:
    """How many free mentees can be matched at most using only ``allowed`` pairs, each mentor
    taking up to ``remaining`` of them: a maximum bipartite matching (Hopcroft-Karp) from mentees
    to mentor places. Above ``MAX_SPARSE_EDGES`` mentee-place edges, the dense solver with every
    allowed pair at the same cost instead (slower, but without the edge list in memory)."""
    usable = allowed & free[:, None] & (remaining > 0)[None, :]
    n_mentees = allowed.shape[0]
    places = np.where(remaining > 0, np.minimum(remaining, n_mentees), 0).astype(np.int64)
    rows, cols = np.nonzero(usable)
    repeat = places[cols]
    if not len(rows):
        return 0
    if int(repeat.sum()) > MAX_SPARSE_EDGES:
        flat = np.zeros(allowed.shape, dtype=np.float64)
        mentees, _ = _assign(
            flat, allowed, remaining, free, max_matched=True, block_elements=block_elements
        )
        return len(mentees)
    first_place = np.concatenate([[0], np.cumsum(places)[:-1]])
    edge_rows = np.repeat(rows, repeat)
    offsets = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    edge_cols = np.repeat(first_place[cols], repeat) + offsets
    graph = csr_matrix(
        (np.ones(len(edge_rows), dtype=np.int8), (edge_rows, edge_cols)),
        shape=(n_mentees, int(places.sum())),
    )
    matched = maximum_bipartite_matching(graph, perm_type="column")
    return int((matched >= 0).sum())


def bottleneck_threshold(
    scores: FloatArray,
    allowed: BoolArray,
    remaining: IntArray,
    free: BoolArray,
    *,
    block_elements: int = DEFAULT_BLOCK_ELEMENTS,
) -> float | None:
    """The highest ``t`` such that pairs scoring at least ``t`` still match as many free mentees
    as all allowed pairs do; ``None`` when nobody can be matched."""
    most = max_pairs(allowed, remaining, free, block_elements=block_elements)
    if not most:
        return None
    usable = allowed & free[:, None] & (remaining > 0)[None, :]
    candidates = np.unique(scores[usable])
    # The lowest candidate keeps every usable pair (always feasible); find the highest feasible.
    low, high = 0, len(candidates) - 1
    while low < high:
        middle = (low + high + 1) // 2
        mask = allowed & (scores >= candidates[middle])
        if max_pairs(mask, remaining, free, block_elements=block_elements) == most:
            low = middle
        else:
            high = middle - 1
    return float(candidates[low])


def solve(
    scores: FloatArray,
    allowed: BoolArray,
    capacity: IntArray,
    *,
    mode: Mode = Mode.SCORE_FIRST,
    pins: Sequence[tuple[int, int]] = (),
    block_elements: int = DEFAULT_BLOCK_ELEMENTS,
) -> Assignment:
    """The optimal assignment; ``pins`` are ``(mentee row, mentor row)`` already validated by
    :meth:`RuleSet.pin_indices` (checked again here against ``allowed`` and capacities)."""
    started = time.perf_counter()
    check_inputs(scores, allowed, capacity)
    remaining, free = apply_pins(pins, allowed, capacity)
    usable = allowed
    if mode == Mode.FAIREST:
        threshold = bottleneck_threshold(
            scores, allowed, remaining, free, block_elements=block_elements
        )
        if threshold is not None:
            if pins:
                threshold = min(threshold, float(min(scores[e, m] for e, m in pins)))
            usable = allowed & (scores >= threshold)
    mentees, mentors = _assign(
        scores,
        usable,
        remaining,
        free,
        max_matched=mode != Mode.SCORE_FIRST,
        block_elements=block_elements,
    )
    return assemble(
        scores=scores,
        pins=pins,
        mentees=mentees,
        mentors=mentors,
        mode=str(mode),
        method="optimal",
        started=started,
    )
