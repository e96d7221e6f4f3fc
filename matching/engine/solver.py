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

**Pruning, proved exact** (large problems, from ``PRUNE_FROM_CELLS`` mentee x place cells): each
mentee keeps only its ``DEFAULT_CANDIDATES`` best allowed mentors, and the same costs are solved as
a sparse assignment (``min_weight_full_bipartite_matching``, one private "unmatched" column per
mentee). The solution is then proved optimal over *every* allowed pair with the dual: shortest
alternating-path distances give potentials ``u`` (mentees) and ``v`` (places) that are feasible
for the sparse problem with complementary slackness; if every pruned pair's reduced cost
``c - u - v`` is non-negative too, they are a feasible dual of the full problem whose value equals
the sparse solution's cost, so no assignment of the full problem is better. Pairs that break the
proof are added, with more candidates for their mentees, and the sparse problem solved again
(``MAX_PROOF_ROUNDS``); when that does not settle it, the dense solve runs. ``Assignment.method`` says which: ``pruned``, ``pruned+n`` (after
``n`` additions) or ``dense``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching, min_weight_full_bipartite_matching

from matching.engine.arrays import BoolArray, FloatArray, IntArray
from matching.engine.errors import EmptyCohortError, MatchingError, PinError
from matching.engine.ranking import row_top

TIE_BONUS = 1e-6
DEFAULT_BLOCK_ELEMENTS = 1 << 22
MAX_SPARSE_EDGES = 20_000_000
# Pruning: from this many mentee x place cells, solve over each mentee's best ``DEFAULT_CANDIDATES``
# mentors first and prove the result optimal with the dual (see ``_assign_pruned``).
PRUNE_FROM_CELLS = 1 << 20
DEFAULT_CANDIDATES = 24
MAX_PROOF_ROUNDS = 4
WIDEN = 4
MAX_KEPT_PER_ROW = 96
# A re-solve also gets the left-out pairs within this many points of breaking the proof.
NEAR_MARGIN = 3.0


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


class PairScores(Protocol):
    """Scores of aligned pairs without a matrix (``Scorer`` is one)."""

    @property
    def shape(self) -> tuple[int, int]: ...

    def of(self, mentees: IntArray, mentors: IntArray) -> FloatArray: ...


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
    pin_allowed = np.asarray([bool(allowed[e, m]) for e, m in pins], dtype=np.bool_)
    return pins_applied(pins, pin_allowed, capacity, allowed.shape[0])


def pins_applied(
    pins: Sequence[tuple[int, int]], pin_allowed: BoolArray, capacity: IntArray, n_mentees: int
) -> tuple[IntArray, BoolArray]:
    """:func:`apply_pins` given whether each pin is allowed (no mask needed)."""
    remaining = capacity.astype(np.int64).copy()
    free = np.ones(n_mentees, dtype=np.bool_)
    for (mentee, mentor), ok in zip(pins, pin_allowed.tolist(), strict=True):
        if not free[mentee]:
            raise PinError(f"Mentee row {mentee} is pinned twice.")
        if not ok:
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
    scores: FloatArray | PairScores,
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
    if isinstance(scores, np.ndarray):
        values = scores[all_mentees, all_mentors].astype(np.float64)
    else:
        values = scores.of(all_mentees, all_mentors)
    return Assignment(
        mentees=all_mentees,
        mentors=all_mentors,
        scores=values,
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
    candidates: int | None = None,
    proof_rounds: int = MAX_PROOF_ROUNDS,
) -> tuple[IntArray, IntArray, str]:
    """The optimal (mentee rows, mentor rows) of the free mentees over the remaining places, and
    how it was found: ``pruned`` (best candidates, proved by the dual; ``pruned+n`` after adding
    the pairs that broke the proof ``n`` times) or ``dense``. ``candidates`` forces pruning with
    that many mentors per mentee (``0``: never prune); by default large problems are pruned.
    ``proof_rounds``: sparse solves before giving up on a proof."""
    rows = np.flatnonzero(free & allowed.any(axis=1))
    open_mentors = np.flatnonzero((remaining > 0) & allowed.any(axis=0))
    places = np.minimum(remaining[open_mentors], len(rows)).astype(np.int64)
    slot_mentor = np.repeat(open_mentors, places)
    if not len(rows) or not len(slot_mentor):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), "empty"
    most_pairs = min(len(rows), len(slot_mentor))
    bonus = 100.0 * (most_pairs + 1) if max_matched else TIE_BONUS
    k = candidates
    if k is None:
        k = DEFAULT_CANDIDATES if len(rows) * len(slot_mentor) >= PRUNE_FROM_CELLS else 0
    if 0 < k < len(open_mentors):
        pruned = _assign_pruned(
            scores, allowed, rows, open_mentors, places, bonus, k, block_elements, proof_rounds
        )
        if pruned is not None:
            return pruned
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
    return mentees[keep], mentors[keep], "dense"


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
        mentees, _, _ = _assign(
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
    candidates: int | None = None,
    proof_rounds: int = MAX_PROOF_ROUNDS,
) -> Assignment:
    """The optimal assignment; ``pins`` are ``(mentee row, mentor row)`` already validated by
    :meth:`RuleSet.pin_indices` (checked again here against ``allowed`` and capacities).
    ``candidates``, ``proof_rounds``: see :func:`_assign` (tests force or forbid pruning)."""
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
    mentees, mentors, method = _assign(
        scores,
        usable,
        remaining,
        free,
        max_matched=mode != Mode.SCORE_FIRST,
        block_elements=block_elements,
        candidates=candidates,
        proof_rounds=proof_rounds,
    )
    return assemble(
        scores=scores,
        pins=pins,
        mentees=mentees,
        mentors=mentors,
        mode=str(mode),
        method=method,
        started=started,
    )


# --- Pruned sparse solve with a proof of optimality ------------------------------------------------


@dataclass(frozen=True)
class Candidates:
    """The (row, open mentor) pairs kept for the sparse solve: positions into ``rows`` and
    ``open_mentors``, with their scores; ``floor`` per row: the lowest kept score when the row
    kept fewer than its allowed mentors (no pair left out scores above it), else ``-inf``."""

    rows: IntArray
    cols: IntArray
    values: FloatArray
    floor: FloatArray


def _blocks(
    scores: FloatArray, allowed: BoolArray, rows: IntArray, open_mentors: IntArray, step: int
) -> Iterator[tuple[int, FloatArray, BoolArray]]:
    """Row blocks of the scores (whole rows) and the mask, false outside ``open_mentors``: no
    gather of the columns, which cost as much as the rest of a pass over the matrix. Columns are
    mentor rows; :func:`_open_positions` maps them to positions in ``open_mentors``."""
    every_mentor = len(open_mentors) == scores.shape[1]
    is_open = np.zeros(scores.shape[1], dtype=np.bool_)
    is_open[open_mentors] = True
    for start in range(0, len(rows), step):
        block_rows = rows[start : start + step]
        ok = allowed[block_rows]
        if not every_mentor:
            ok &= is_open[None, :]
        yield start, scores[block_rows], ok


def _open_positions(open_mentors: IntArray, n_mentors: int) -> IntArray:
    """Each mentor row's position in ``open_mentors`` (-1 when not open)."""
    position = np.full(n_mentors, -1, dtype=np.int64)
    position[open_mentors] = np.arange(len(open_mentors), dtype=np.int64)
    return position


def best_candidates(
    scores: FloatArray,
    allowed: BoolArray,
    rows: IntArray,
    open_mentors: IntArray,
    k: int,
    *,
    block_elements: int = DEFAULT_BLOCK_ELEMENTS,
) -> Candidates:
    """Each row's ``k`` best allowed open mentors (all of them when it has ``k`` or fewer)."""
    step = max(1, block_elements // max(scores.shape[1], 1))
    position = _open_positions(open_mentors, scores.shape[1])
    found_rows: list[IntArray] = []
    found_cols: list[IntArray] = []
    found_values: list[FloatArray] = []
    floor = np.full(len(rows), -np.inf)
    for start, value, ok in _blocks(scores, allowed, rows, open_mentors, step):
        masked = np.where(ok, value, -np.inf)
        local_rows, cols, values = row_top(masked, k)
        counts = np.bincount(local_rows, minlength=len(masked))
        truncated = ok.sum(axis=1) > counts
        lowest = np.full(len(masked), np.inf)
        np.minimum.at(lowest, local_rows, values)
        floor[start : start + len(masked)] = np.where(truncated, lowest, -np.inf)
        found_rows.append(local_rows + start)
        found_cols.append(position[cols])
        found_values.append(values)
    return Candidates(
        np.concatenate(found_rows),
        np.concatenate(found_cols),
        np.concatenate(found_values),
        floor,
    )


@dataclass(frozen=True)
class SparseSolution:
    """The optimum over the kept pairs, and the dual potentials that prove it optimal over them:
    ``row_distance`` per row, ``mentor_distance`` per open mentor (the least over its places).
    ``proved``: the potentials are a feasible dual of the kept problem (finite, place potentials
    not positive)."""

    pair_rows: IntArray
    pair_cols: IntArray
    row_distance: FloatArray
    mentor_distance: FloatArray
    base: float
    tolerance: float
    proved: bool


def solve_sparse(
    candidates: Candidates, n_rows: int, places: IntArray, bonus: float
) -> SparseSolution:
    """Minimum-cost full matching of the rows over the kept pairs' places plus one private
    "unmatched" column per row, then the dual potentials from shortest alternating paths.

    Costs are ``base - (s + bonus)`` for a kept pair and ``base`` for staying unmatched, with
    ``base`` above every kept pair's ``s + bonus``, so every cost is positive (a full matching of
    the rows adds ``base`` once per row: the optimum is the dense formulation's). Potentials: the
    shortest distance ``D`` from a source linked to every free column, along unmatched edges
    column → row (cost ``c``) and matched edges row → column (cost ``-c``). On an optimal matching
    there is no negative cycle, so ``u_i = D(row i)`` and ``v_j = -D(column j)`` are a feasible
    dual with complementary slackness (Bellman-Ford, vectorised, one relaxation per path length;
    every row is reached through its own free "unmatched" column or a free place).
    """
    n_slots = int(places.sum())
    first = np.concatenate([[0], np.cumsum(places)[:-1]]).astype(np.int64)
    repeat = places[candidates.cols]
    edge_rows = np.repeat(candidates.rows, repeat)
    offsets = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    edge_cols = np.repeat(first[candidates.cols], repeat) + offsets
    edge_values = np.repeat(candidates.values, repeat)
    top = float(candidates.values.max()) if len(candidates.values) else 0.0
    base = top + bonus + 1.0
    tolerance = 1e-9 * max(1.0, base / 100.0)
    all_rows = np.concatenate([edge_rows, np.arange(n_rows, dtype=np.int64)])
    all_cols = np.concatenate([edge_cols, n_slots + np.arange(n_rows, dtype=np.int64)])
    costs = np.concatenate([base - (edge_values + bonus), np.full(n_rows, base)])
    graph = csr_matrix((costs, (all_rows, all_cols)), shape=(n_rows, n_slots + n_rows))
    graph.sum_duplicates()
    graph.sort_indices()
    col_of_row = _square_matching(graph, n_slots)
    indptr, indices, data = graph.indptr, graph.indices, graph.data
    for_row = np.repeat(np.arange(n_rows), np.diff(indptr))
    hit = indices == col_of_row[for_row]
    matched_cost = np.empty(n_rows)
    matched_cost[for_row[hit]] = data[hit]
    column_distance = np.zeros(n_slots + n_rows)
    column_distance[col_of_row] = np.inf
    row_distance = np.full(n_rows, np.inf)
    converged = False
    for _ in range(n_rows + 2):
        row_distance = np.minimum.reduceat(column_distance[indices] + data, indptr[:-1])
        updated = column_distance.copy()
        updated[col_of_row] = row_distance - matched_cost
        if np.array_equal(updated, column_distance):
            converged = True
            break
        column_distance = updated
    owner = np.repeat(np.arange(len(places)), places)
    mentor_distance = np.full(len(places), np.inf)
    np.minimum.at(mentor_distance, owner, column_distance[:n_slots])
    matched = col_of_row < n_slots
    proved = (
        converged
        and bool(np.isfinite(row_distance).all())
        and bool((column_distance >= -tolerance).all())
    )
    return SparseSolution(
        pair_rows=np.flatnonzero(matched),
        pair_cols=owner[col_of_row[matched]],
        row_distance=row_distance,
        mentor_distance=mentor_distance,
        base=base,
        tolerance=tolerance,
        proved=proved,
    )


def _square_matching(graph: csr_matrix, n_slots: int) -> IntArray:
    """The column of each row in a minimum-cost full matching of ``graph`` (rows x places, then
    one private "unmatched" column per row), solved as a square problem.

    SciPy's LAPJVsp skips its cheap initial phases (column reduction, augmenting row reduction)
    on a rectangular problem and runs a shortest-path search costing ``O(columns)`` per row; on
    a square one those phases settle most rows. Square: one more row per place ("this place stays
    empty": its place at cost 1, and the "unmatched" column of every row that has an edge to the
    place, at cost 1 too). A full matching of the rows extends to a perfect matching of the
    square (a matched pair (i, p) frees i's "unmatched" column, which p's extra row takes; an
    unused place takes its own), and every perfect matching uses exactly one cost-1 edge per
    place, so both problems have the same optimal matchings of the rows."""
    n_rows = graph.shape[0]
    coo = graph.tocoo()
    to_place = coo.col < n_slots
    extra_rows = np.concatenate([np.arange(n_slots), coo.col[to_place]]) + n_rows
    extra_cols = np.concatenate([np.arange(n_slots), n_slots + coo.row[to_place]])
    size = n_rows + n_slots
    square = csr_matrix(
        (
            np.concatenate([coo.data, np.ones(len(extra_rows))]),
            (np.concatenate([coo.row, extra_rows]), np.concatenate([coo.col, extra_cols])),
        ),
        shape=(size, size),
    )
    _, col_of_row = min_weight_full_bipartite_matching(square)
    return col_of_row[:n_rows].astype(np.int64)


def violations(
    scores: FloatArray,
    allowed: BoolArray,
    rows: IntArray,
    open_mentors: IntArray,
    solution: SparseSolution,
    floor: FloatArray,
    bonus: float,
    *,
    block_elements: int = DEFAULT_BLOCK_ELEMENTS,
) -> Candidates:
    """Allowed pairs whose reduced cost under the solution's potentials is negative: none means
    the sparse optimum is the optimum over every allowed pair (LP duality: the potentials are a
    feasible dual of the full problem whose value equals the sparse solution's cost).

    A pair's reduced cost is ``c - u_i - v_j = base - s - bonus - D(row) + D(place)``, checked
    against the mentor's place of least distance; it must not fall below ``-tolerance``. Only rows
    whose ``floor`` (best score left out) exceeds the least bound can hold one: the others are
    skipped without reading their scores (kept pairs satisfy the bound by construction)."""
    found, _ = near_violations(
        scores,
        allowed,
        rows,
        open_mentors,
        solution,
        floor,
        bonus,
        margin=0.0,
        block_elements=block_elements,
    )
    return found


def near_violations(
    scores: FloatArray,
    allowed: BoolArray,
    rows: IntArray,
    open_mentors: IntArray,
    solution: SparseSolution,
    floor: FloatArray,
    bonus: float,
    *,
    margin: float,
    max_pairs: int | None = None,
    block_elements: int = DEFAULT_BLOCK_ELEMENTS,
) -> tuple[Candidates, BoolArray]:
    """Like :func:`violations`, with also the pairs whose reduced cost is below ``margin``
    points: the pairs a re-solve is likely to need once the potentials move. Beyond
    ``max_pairs`` near pairs, only the pairs that break the proof are collected from there on.
    Returns the pairs and which of them break the proof."""
    limit = solution.base - bonus - solution.row_distance + solution.tolerance
    least = float(solution.mentor_distance.min()) if len(solution.mentor_distance) else 0.0
    suspects = np.flatnonzero(floor > limit + least - margin)
    step = max(1, block_elements // max(scores.shape[1], 1))
    position = _open_positions(open_mentors, scores.shape[1])
    distance = np.full(scores.shape[1], np.inf)  # a mentor who is not open is never a pair
    distance[open_mentors] = solution.mentor_distance
    found_rows: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    found_cols: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    found_values: list[FloatArray] = [np.zeros(0)]
    found_breaking: list[BoolArray] = [np.zeros(0, dtype=np.bool_)]
    collected = 0
    for start, value, ok in _blocks(scores, allowed, rows[suspects], open_mentors, step):
        at = suspects[start : start + len(value)]
        bound = limit[at, None] + distance[None, :]
        breaking = ok & (value > bound)
        picked = breaking
        if margin > 0:
            near = ok & (value > bound - margin)
            if max_pairs is None or collected + int(near.sum()) <= max_pairs:
                picked = near
        bad_rows, bad_cols = np.nonzero(picked)
        collected += len(bad_rows)
        found_rows.append(at[bad_rows])
        found_cols.append(position[bad_cols])
        found_values.append(value[bad_rows, bad_cols])
        found_breaking.append(breaking[bad_rows, bad_cols])
    found = Candidates(
        np.concatenate(found_rows),
        np.concatenate(found_cols),
        np.concatenate(found_values),
        np.zeros(0),
    )
    return found, np.concatenate(found_breaking)


def _merge(parts: list[Candidates], floor: FloatArray, n_cols: int) -> Candidates:
    rows = np.concatenate([p.rows for p in parts])
    cols = np.concatenate([p.cols for p in parts])
    values = np.concatenate([p.values for p in parts])
    _, first = np.unique(rows * n_cols + cols, return_index=True)
    return Candidates(rows[first], cols[first], values[first], floor)


def _assign_pruned(
    scores: FloatArray,
    allowed: BoolArray,
    rows: IntArray,
    open_mentors: IntArray,
    places: IntArray,
    bonus: float,
    k: int,
    block_elements: int,
    proof_rounds: int = MAX_PROOF_ROUNDS,
) -> tuple[IntArray, IntArray, str] | None:
    """The optimum from the ``k`` best candidates per row, proved optimal by the dual. When pairs
    break the proof, they are added with every pair that comes within ``NEAR_MARGIN`` points of
    breaking it (the potentials move when the problem is solved again; without them, each
    re-solve found a few new breaking pairs), their rows keep ``WIDEN`` times more candidates,
    and the sparse problem is solved again, ``MAX_PROOF_ROUNDS`` times at most. ``None`` when it
    cannot be proved: the caller solves the dense problem."""
    kept = best_candidates(scores, allowed, rows, open_mentors, k, block_elements=block_elements)
    budget = MAX_KEPT_PER_ROW * len(rows)
    for attempt in range(proof_rounds):
        solution = solve_sparse(kept, len(rows), places, bonus)
        if not solution.proved:
            return None
        found, broken = near_violations(
            scores,
            allowed,
            rows,
            open_mentors,
            solution,
            kept.floor,
            bonus,
            margin=NEAR_MARGIN,
            max_pairs=max(0, budget - len(kept.rows)),
            block_elements=block_elements,
        )
        if not broken.any():
            method = "pruned" if not attempt else f"pruned+{attempt}"
            return rows[solution.pair_rows], open_mentors[solution.pair_cols], method
        if attempt + 1 == proof_rounds:
            return None
        k *= WIDEN
        bad = np.unique(found.rows[broken])
        wider = best_candidates(
            scores, allowed, rows[bad], open_mentors, k, block_elements=block_elements
        )
        floor = kept.floor.copy()
        floor[bad] = wider.floor
        wider = Candidates(bad[wider.rows], wider.cols, wider.values, wider.floor)
        kept = _merge([kept, wider, found], floor, len(open_mentors))
        if len(kept.rows) > budget:
            return None
    return None
