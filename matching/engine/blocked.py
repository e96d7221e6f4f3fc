"""Large rounds without the score matrix: score in row blocks, keep the best, solve, prove.

A 10k x 10k round's float64 matrix is 800 MB, and every later stage read it again (candidates,
the proof, runners-up, unmatched counts). Here the scores and the hard rules are computed one row
block at a time (``BLOCK_ELEMENTS`` pairs) and only a :class:`~matching.engine.ranking.Ranking`
is kept: each mentee's best ``ROW_KEEP`` allowed mentors (99.9 % of mentees are matched within
their best 90) with the floor below which the rest lie, each mentor's best few mentees, and the
counts the explanations need.

The solve is the pruned one of ``solver.py`` on those candidates (each mentee's best
``DEFAULT_CANDIDATES`` first, plus each mentor's best few), proved optimal over **every** allowed
pair with the dual: a kept pair's reduced cost is checked from its stored score; a pair left out
scores at most its row's floor, so a row whose floor cannot break the bound (``floor ≤ limit_i +
min_j v_j``) holds no breaking pair, and only the other rows are scored again, in blocks. Pairs
that break the proof (and those near it) are added and the sparse problem solved again, as in
``solver._assign_pruned``; when that does not settle it, ``None``: the caller builds the matrices
and solves the dense problem.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from matching.engine.arrays import BoolArray, FloatArray, IntArray
from matching.engine.ranking import Ranking, rank_blocks, row_top
from matching.engine.rules import RuleSet
from matching.engine.scoring import Scorer
from matching.engine.solver import (
    DEFAULT_CANDIDATES,
    MAX_KEPT_PER_ROW,
    MAX_PROOF_ROUNDS,
    NEAR_MARGIN,
    TIE_BONUS,
    WIDEN,
    Assignment,
    Candidates,
    Mode,
    SparseSolution,
    _merge,
    _open_positions,
    assemble,
    pins_applied,
    solve_sparse,
)

ROW_KEEP = 128
BLOCK_ELEMENTS = 1 << 21


@dataclass(eq=False)
class RowScores:
    """Rows of the score matrix and of the allowed mask, computed on demand in row blocks;
    ``seconds`` adds up the time spent scoring and applying the rules."""

    scorer: Scorer
    ruleset: RuleSet
    block_elements: int = BLOCK_ELEMENTS
    seconds: dict[str, float] = field(default_factory=lambda: {"score": 0.0, "rules": 0.0})

    def blocks(self, rows: IntArray | None = None) -> Iterator[tuple[int, FloatArray, BoolArray]]:
        """``(position of the block's first row, scores, allowed)`` for ``rows`` (every mentee,
        in order, when ``None``) against every mentor."""
        n_mentees, n_mentors = self.scorer.shape
        count = n_mentees if rows is None else len(rows)
        step = max(1, self.block_elements // max(n_mentors, 1))
        for start in range(0, count, step):
            chosen = (
                slice(start, min(start + step, count))
                if rows is None
                else rows[start : start + step]
            )
            started = time.perf_counter()
            values = self.scorer.block(chosen)
            scored = time.perf_counter()
            allowed = self.ruleset.allowed_block(chosen)
            self.seconds["score"] += scored - started
            self.seconds["rules"] += time.perf_counter() - scored
            yield start, values, allowed

    def allowed_pairs(self, mentees: IntArray, mentors: IntArray) -> BoolArray:
        """Whether each aligned pair passes every enabled rule."""
        allowed = np.ones(len(mentees), dtype=np.bool_)
        for rule in self.ruleset.enabled:
            allowed &= ~self.ruleset.forbidden(rule, mentees, mentors, outer=False)
        return allowed


def rank(
    source: RowScores,
    capacity: IntArray,
    pins: Sequence[tuple[int, int]],
    *,
    alternatives: int,
    row_keep: int = ROW_KEEP,
) -> Ranking:
    """The one pass over every row: candidates for the solve and runners-up for the
    explanations (each mentor keeps ``alternatives`` plus its capacity)."""
    n_mentees, n_mentors = source.scorer.shape
    remaining, free = _after_pins(source, capacity, pins)
    return rank_blocks(
        source.blocks(),
        n_mentees=n_mentees,
        n_mentors=n_mentors,
        row_keep=max(row_keep, alternatives + 1),
        column_keep=alternatives + int(capacity.max(initial=0)),
        open_mentors=remaining > 0,
        free_mentees=free,
        writable=True,
    )


def _after_pins(
    source: RowScores, capacity: IntArray, pins: Sequence[tuple[int, int]]
) -> tuple[IntArray, BoolArray]:
    mentees = np.asarray([p[0] for p in pins], dtype=np.int64)
    mentors = np.asarray([p[1] for p in pins], dtype=np.int64)
    pin_allowed = source.allowed_pairs(mentees, mentors)
    return pins_applied(pins, pin_allowed, capacity, source.scorer.shape[0])


def solve_ranked(
    source: RowScores,
    ranking: Ranking,
    capacity: IntArray,
    *,
    mode: Mode = Mode.SCORE_FIRST,
    pins: Sequence[tuple[int, int]] = (),
    candidates: int = DEFAULT_CANDIDATES,
    proof_rounds: int = MAX_PROOF_ROUNDS,
) -> Assignment | None:
    """The optimal assignment from the ranking's candidates, proved over every allowed pair;
    ``None`` when it cannot be proved (solve the dense problem then). Not for the fairest mode,
    whose threshold search reads every score."""
    if mode == Mode.FAIREST:
        raise ValueError("The fairest assignment needs the score matrix.")
    started = time.perf_counter()
    remaining, free = _after_pins(source, capacity, pins)
    rows = np.flatnonzero(free & (ranking.mentee_open > 0))
    open_mentors = np.flatnonzero((remaining > 0) & (ranking.mentor_free > 0))
    places = np.minimum(remaining[open_mentors], len(rows)).astype(np.int64)
    mentees = mentors = np.zeros(0, dtype=np.int64)
    method = "empty"
    if len(rows) and places.sum():
        most_pairs = min(len(rows), int(places.sum()))
        bonus = 100.0 * (most_pairs + 1) if mode == Mode.MAX_MATCHED_FIRST else TIE_BONUS
        solved = _assign_ranked(
            source, ranking, rows, open_mentors, places, bonus, candidates, proof_rounds
        )
        if solved is None:
            return None
        mentees, mentors, method = solved
    return assemble(
        scores=source.scorer,
        pins=pins,
        mentees=mentees,
        mentors=mentors,
        mode=str(mode),
        method=method,
        started=started,
    )


@dataclass(frozen=True)
class _Stored:
    """The ranking's pairs among the solve's rows and open mentors, as positions; ``rank``: each
    pair's place in its row's list (0 = best); ``floor``: per row, no allowed pair left out
    scores above it."""

    pairs: Candidates
    rank: IntArray
    floor: FloatArray


def _stored(ranking: Ranking, rows: IntArray, open_mentors: IntArray) -> tuple[_Stored, Candidates]:
    """The ranking's row lists and column lists restricted to the solve's rows and mentors."""
    row_position = np.full(ranking.n_mentees, -1, dtype=np.int64)
    row_position[rows] = np.arange(len(rows), dtype=np.int64)
    column_position = _open_positions(open_mentors, ranking.n_mentors)

    def restrict(mentees: IntArray, mentors: IntArray, values: FloatArray) -> Candidates:
        r, c = row_position[mentees], column_position[mentors]
        keep = (r >= 0) & (c >= 0)
        return Candidates(r[keep], c[keep], values[keep], np.zeros(0))

    by_row = restrict(ranking.row_rows, ranking.row_cols, ranking.row_values)
    rank = np.arange(len(by_row.rows)) - np.searchsorted(by_row.rows, by_row.rows, side="left")
    by_column = restrict(ranking.column_rows, ranking.column_cols, ranking.column_values)
    return _Stored(by_row, rank, ranking.row_floor[rows]), by_column


def _first(stored: _Stored, k: int, among: BoolArray | None = None) -> Candidates:
    """Each row's ``k`` best stored pairs (only the rows of ``among`` when given)."""
    keep = stored.rank < k
    if among is not None:
        keep &= among[stored.pairs.rows]
    p = stored.pairs
    return Candidates(p.rows[keep], p.cols[keep], p.values[keep], np.zeros(0))


def _best_open(
    source: RowScores, rows: IntArray, among: IntArray, open_mentors: IntArray, k: int
) -> Candidates:
    """The ``k`` best allowed open mentors of the rows at positions ``among``, scored again."""
    position = _open_positions(open_mentors, source.scorer.shape[1])
    is_open = position >= 0
    found: list[Candidates] = [
        Candidates(*(np.zeros(0, dtype=np.int64),) * 2, np.zeros(0), np.zeros(0))
    ]
    for start, value, allowed in source.blocks(rows[among]):
        local, cols, values = row_top(np.where(allowed & is_open[None, :], value, -np.inf), k)
        found.append(Candidates(among[start + local], position[cols], values, np.zeros(0)))
    return _merge(found, np.zeros(0), len(open_mentors))


def _assign_ranked(
    source: RowScores,
    ranking: Ranking,
    rows: IntArray,
    open_mentors: IntArray,
    places: IntArray,
    bonus: float,
    k: int,
    proof_rounds: int,
) -> tuple[IntArray, IntArray, str] | None:
    stored, by_column = _stored(ranking, rows, open_mentors)
    parts = [_first(stored, k), by_column]
    # A row whose kept mentors are all full with pins would have no pair in the sparse problem
    # (and no potential): it gets its best open mentors, scored again.
    bare = np.flatnonzero(np.bincount(parts[0].rows, minlength=len(rows)) == 0)
    if len(bare):
        parts.append(_best_open(source, rows, bare, open_mentors, k))
    kept = _merge(parts, np.zeros(0), len(open_mentors))
    budget = MAX_KEPT_PER_ROW * len(rows)
    for attempt in range(proof_rounds):
        solution = solve_sparse(kept, len(rows), places, bonus)
        if not solution.proved:
            return None
        found, broken = near_violations_ranked(
            source,
            stored,
            rows,
            open_mentors,
            solution,
            bonus,
            margin=NEAR_MARGIN,
            max_pairs=max(0, budget - len(kept.rows)),
        )
        if not broken.any():
            method = "pruned" if not attempt else f"pruned+{attempt}"
            return rows[solution.pair_rows], open_mentors[solution.pair_cols], method
        if attempt + 1 == proof_rounds:
            return None
        k *= WIDEN
        bad = np.zeros(len(rows), dtype=np.bool_)
        bad[found.rows[broken]] = True
        kept = _merge([kept, _first(stored, k, bad), found], np.zeros(0), len(open_mentors))
        if len(kept.rows) > budget:
            return None
    return None


def near_violations_ranked(
    source: RowScores,
    stored: _Stored,
    rows: IntArray,
    open_mentors: IntArray,
    solution: SparseSolution,
    bonus: float,
    *,
    margin: float,
    max_pairs: int | None = None,
) -> tuple[Candidates, BoolArray]:
    """Like ``solver.near_violations``, over every allowed pair of ``rows`` x ``open_mentors``
    without the matrix: stored pairs from their stored scores; pairs left out through their
    row's floor, and only the rows whose floor exceeds the least bound are scored again. Returns the pairs whose reduced cost is below ``margin`` (beyond ``max_pairs``
    only those below 0) and which of them break the proof."""
    limit = solution.base - bonus - solution.row_distance + solution.tolerance
    distance = solution.mentor_distance
    least = float(distance.min()) if len(distance) else 0.0
    # A row is scored again only when a pair left out could break the proof: near pairs (a
    # heuristic for the next solve) come from the stored pairs and the rows scored again.
    rescored = stored.floor > limit + least
    collected = 0
    parts: list[tuple[IntArray, IntArray, FloatArray, BoolArray]] = []

    def pick(at: IntArray, cols: IntArray, values: FloatArray, bound: FloatArray) -> None:
        nonlocal collected
        breaking = values > bound
        picked = breaking
        if margin > 0:
            near = values > bound - margin
            if max_pairs is None or collected + int(near.sum()) <= max_pairs:
                picked = near
        collected += int(picked.sum())
        parts.append((at[picked], cols[picked], values[picked], breaking[picked]))

    p = stored.pairs
    outside = ~rescored[p.rows]
    at, cols, values = p.rows[outside], p.cols[outside], p.values[outside]
    pick(at, cols, values, limit[at] + distance[cols])
    suspects = np.flatnonzero(rescored)
    position = _open_positions(open_mentors, source.scorer.shape[1])
    is_open = position >= 0
    mentor_distance = np.full(source.scorer.shape[1], np.inf)
    mentor_distance[open_mentors] = distance
    for start, value, allowed in source.blocks(rows[suspects]):
        at_block = suspects[start : start + len(value)]
        ok = allowed & is_open[None, :]
        bound = limit[at_block, None] + mentor_distance[None, :]
        # Only the pairs that could be picked: those within ``margin`` of their bound.
        block_rows, block_cols = np.nonzero(ok & (value > bound - max(margin, 0.0)))
        pick(
            at_block[block_rows],
            position[block_cols],
            value[block_rows, block_cols],
            bound[block_rows, block_cols],
        )
    found = Candidates(
        np.concatenate([np.zeros(0, dtype=np.int64), *(part[0] for part in parts)]),
        np.concatenate([np.zeros(0, dtype=np.int64), *(part[1] for part in parts)]),
        np.concatenate([np.zeros(0), *(part[2] for part in parts)]),
        np.zeros(0),
    )
    breaking = np.concatenate([np.zeros(0, dtype=np.bool_), *(part[3] for part in parts)])
    return found, breaking
