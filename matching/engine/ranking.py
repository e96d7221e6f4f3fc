"""What one pass over the score rows keeps, so that nothing later needs the whole matrix.

Per mentee, its best ``row_keep`` allowed mentors (ties: the lower mentor row first) and a
``row_floor``: the lowest of them when the mentee has more allowed mentors than that (no pair
left out scores above it), else ``-inf`` (nothing left out). Per mentor, its best ``column_keep``
allowed mentees (ties: the lower mentee row first). And two counts the unmatched explanations
need: each mentee's allowed mentors with a place left after the pins, each mentor's allowed
mentees not pinned.

The pruned solve starts from these candidates and checks its proof against ``row_floor`` (a pair
left out cannot break the proof when its row's floor cannot); the explanations' runners-up are
prefixes of these lists. The pass takes row blocks of (scores, allowed) from anywhere: slices of
full matrices (:func:`rank_matrix`) or blocks scored on the fly (``blocked.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from matching.engine.arrays import BoolArray, FloatArray, IntArray

ROW_BLOCK_ELEMENTS = 1 << 21


def row_top(masked: FloatArray, k: int) -> tuple[IntArray, IntArray, FloatArray]:
    """Each row's ``k`` largest finite values (fewer when it has fewer), as (row, column, value)
    sorted by row, then value (largest first), then column.

    Without sorting or partitioning whole rows: the columns are cut into groups, and the
    ``k``-th largest group maximum ``t`` of a row is at most its ``k``-th largest value (those
    ``k`` maxima are ``k`` distinct values at least ``t``), so every value of the top ``k`` is at
    least ``t``; the values at least ``t`` are few, and only they are sorted."""
    width = masked.shape[1]
    group = max(1, width // (8 * k))
    n_groups = -(-width // group)
    if n_groups > k:
        maxima = np.maximum.reduceat(masked, np.arange(0, width, group), axis=1)
        threshold = np.partition(maxima, n_groups - k, axis=1)[:, n_groups - k]
        chosen = masked >= threshold[:, None]
    else:
        chosen = np.ones(masked.shape, dtype=np.bool_)
    chosen &= masked > -np.inf
    rows, cols = np.nonzero(chosen)
    values = masked[rows, cols]
    order = np.lexsort((cols, -values, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    starts = np.searchsorted(rows, rows, side="left")
    rank = np.arange(len(rows)) - starts
    keep = rank < k
    return rows[keep].astype(np.int64), cols[keep].astype(np.int64), values[keep]


class ColumnTop:
    """Each column's best ``keep`` rows over row blocks fed in order (ties: the lower row
    first). A later row joins a column only when it beats the last of its kept rows, so on a
    tie the earlier row stays ahead."""

    def __init__(self, width: int, keep: int) -> None:
        self.width, self.keep = width, keep
        self.rows = np.zeros(0, dtype=np.int64)
        self.cols = np.zeros(0, dtype=np.int64)
        self.values = np.zeros(0)
        self._threshold = np.full(width, -np.inf)
        self._full = np.zeros(width, dtype=np.bool_)

    def add(self, start: int, masked: FloatArray) -> None:
        """Rows ``start …`` of the scores, ``-inf`` where not allowed."""
        keep = self.keep
        if not keep:
            return
        threshold = self._threshold
        # Columns without ``keep`` entries yet take only the block's own best ``keep`` (and ties).
        short = np.flatnonzero(~self._full)
        if len(short) and len(masked) > keep:
            own = np.partition(masked[:, short], len(masked) - keep, axis=0)[len(masked) - keep]
            threshold[short] = np.nextafter(own, -np.inf)
        new_rows, new_cols = np.nonzero(masked > threshold[None, :])
        if not len(new_rows):
            return
        rows = np.concatenate([self.rows, new_rows + start])
        cols = np.concatenate([self.cols, new_cols])
        values = np.concatenate([self.values, masked[new_rows, new_cols]])
        order = np.lexsort((rows, -values, cols))
        rows, cols, values = rows[order], cols[order], values[order]
        rank = np.arange(len(cols)) - np.searchsorted(cols, cols, side="left")
        kept = rank < keep
        self.rows, self.cols, self.values = rows[kept], cols[kept], values[kept]
        self._full = np.bincount(self.cols, minlength=self.width) >= keep
        last = np.flatnonzero(rank[kept] == keep - 1)
        self._threshold = np.full(self.width, -np.inf)
        self._threshold[self.cols[last]] = self.values[last]
        self._threshold[~self._full] = -np.inf


@dataclass(frozen=True, eq=False)
class Ranking:
    """See the module docstring. Row entries are sorted by mentee row, then score (best first),
    then mentor row; column entries by mentor row, then score, then mentee row."""

    n_mentees: int
    n_mentors: int
    row_keep: int
    row_rows: IntArray
    row_cols: IntArray
    row_values: FloatArray
    row_floor: FloatArray
    column_keep: int
    column_rows: IntArray
    column_cols: IntArray
    column_values: FloatArray
    mentee_open: IntArray  # allowed mentors with a place left after the pins, per mentee
    mentor_free: IntArray  # allowed mentees who are not pinned, per mentor

    def best_mentors(
        self, mentees: IntArray, exclude: list[set[int]], k: int
    ) -> list[list[tuple[int, float]]]:
        """For each of ``mentees``, its ``k`` best allowed mentors outside ``exclude``, best first;
        exact while ``k + len(exclude)`` is at most ``row_keep`` (or every mentor)."""
        if len(mentees) and min(k + max(len(e) for e in exclude), self.n_mentors) > self.row_keep:
            raise ValueError("The ranking keeps too few mentors per mentee for this question.")
        lower = np.searchsorted(self.row_rows, mentees, side="left").tolist()
        upper = np.searchsorted(self.row_rows, mentees, side="right").tolist()
        return _lists(self.row_cols.tolist(), self.row_values.tolist(), lower, upper, exclude, k)

    def best_mentees(
        self, mentors: IntArray, exclude: list[set[int]], k: int
    ) -> list[list[tuple[int, float]]]:
        """For each of ``mentors``, its ``k`` best allowed mentees outside ``exclude``."""
        needed = k + max((len(e) for e in exclude), default=0)
        if len(mentors) and min(needed, self.n_mentees) > self.column_keep:
            raise ValueError("The ranking keeps too few mentees per mentor for this question.")
        lower = np.searchsorted(self.column_cols, mentors, side="left").tolist()
        upper = np.searchsorted(self.column_cols, mentors, side="right").tolist()
        return _lists(
            self.column_rows.tolist(), self.column_values.tolist(), lower, upper, exclude, k
        )


def _lists(
    others: list[int],
    values: list[float],
    lower: list[int],
    upper: list[int],
    exclude: list[set[int]],
    k: int,
) -> list[list[tuple[int, float]]]:
    out: list[list[tuple[int, float]]] = []
    for low, high, skip in zip(lower, upper, exclude, strict=True):
        chosen: list[tuple[int, float]] = []
        for position in range(low, high):
            if others[position] not in skip:
                chosen.append((others[position], values[position]))
                if len(chosen) == k:
                    break
        out.append(chosen)
    return out


def rank_blocks(
    blocks: Iterable[tuple[int, FloatArray, BoolArray]],
    *,
    n_mentees: int,
    n_mentors: int,
    row_keep: int,
    column_keep: int,
    open_mentors: BoolArray,
    free_mentees: BoolArray,
    writable: bool = False,
) -> Ranking:
    """One pass over ``(first row, scores, allowed)`` row blocks covering every mentee in order;
    ``writable``: the blocks' scores are fresh arrays that may be overwritten."""
    found_rows: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    found_cols: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    found_values: list[FloatArray] = [np.zeros(0)]
    floor = np.full(n_mentees, -np.inf)
    mentee_open = np.zeros(n_mentees, dtype=np.int64)
    mentor_free = np.zeros(n_mentors, dtype=np.int64)
    columns = ColumnTop(n_mentors, min(column_keep, n_mentees))
    every_mentor_open = bool(open_mentors.all())
    for start, value, allowed in blocks:
        stop = start + len(value)
        if writable:
            np.copyto(value, -np.inf, where=~allowed)
            masked = value
        else:
            masked = np.where(allowed, value, -np.inf)
        local, cols, values = row_top(masked, row_keep)
        counts = np.bincount(local, minlength=len(masked))
        allowed_count = allowed.sum(axis=1)
        truncated = allowed_count > counts
        lowest = np.full(len(masked), np.inf)
        np.minimum.at(lowest, local, values)
        floor[start:stop] = np.where(truncated, lowest, -np.inf)
        found_rows.append(local + start)
        found_cols.append(cols)
        found_values.append(values)
        columns.add(start, masked)
        mentee_open[start:stop] = (
            allowed_count if every_mentor_open else (allowed & open_mentors[None, :]).sum(axis=1)
        )
        free = free_mentees[start:stop]
        mentor_free += (allowed[free] if not free.all() else allowed).sum(axis=0, dtype=np.int64)
    return Ranking(
        n_mentees=n_mentees,
        n_mentors=n_mentors,
        row_keep=row_keep,
        row_rows=np.concatenate(found_rows),
        row_cols=np.concatenate(found_cols),
        row_values=np.concatenate(found_values),
        row_floor=floor,
        column_keep=columns.keep,
        column_rows=columns.rows,
        column_cols=columns.cols,
        column_values=columns.values,
        mentee_open=mentee_open,
        mentor_free=mentor_free,
    )


def rank_matrix(
    scores: FloatArray,
    allowed: BoolArray,
    *,
    row_keep: int,
    column_keep: int,
    open_mentors: BoolArray,
    free_mentees: BoolArray,
    block_elements: int = ROW_BLOCK_ELEMENTS,
) -> Ranking:
    """:func:`rank_blocks` over full matrices (small rounds, the fairest mode, what-ifs)."""
    n_mentees, n_mentors = scores.shape
    step = max(1, column_keep, block_elements // max(n_mentors, 1))
    blocks = (
        (start, scores[start : start + step], allowed[start : start + step])
        for start in range(0, n_mentees, step)
    )
    return rank_blocks(
        blocks,
        n_mentees=n_mentees,
        n_mentors=n_mentors,
        row_keep=row_keep,
        column_keep=column_keep,
        open_mentors=open_mentors,
        free_mentees=free_mentees,
    )
