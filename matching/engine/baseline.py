"""The greedy baseline, for comparison only (the product never proposes it).

Repeatedly take the highest-scoring allowed pair whose mentee is free and whose mentor has a place
left. Implemented with one heap entry per mentee pointing at its best remaining mentor (each
mentee's candidates pre-sorted: the top ``candidates`` first, the full row only if those run
out), which gives the same pairs as sorting all allowed pairs without materialising that sort.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Sequence

import numpy as np

from matching.engine.arrays import BoolArray, FloatArray, IntArray
from matching.engine.solver import Assignment, apply_pins, assemble, check_inputs

DEFAULT_CANDIDATES = 32


def _ranked(scores: FloatArray, allowed: BoolArray, rows: IntArray, keep: int) -> list[IntArray]:
    """For each row, its allowed mentors best first (ties by mentor row), at most ``keep``."""
    out: list[IntArray] = []
    step = max(1, (1 << 21) // scores.shape[1])
    for start in range(0, len(rows), step):
        block_rows = rows[start : start + step]
        masked = np.where(allowed[block_rows], scores[block_rows], -np.inf)
        k = min(keep, masked.shape[1])
        if k < masked.shape[1]:
            top = np.argpartition(-masked, k - 1, axis=1)[:, :k]
        else:
            top = np.broadcast_to(np.arange(masked.shape[1]), masked.shape).copy()
        for row, picks in zip(masked, top, strict=True):
            picks = picks[np.isfinite(row[picks])]
            order = np.lexsort((picks, -row[picks]))
            out.append(picks[order])
    return out


def greedy(
    scores: FloatArray,
    allowed: BoolArray,
    capacity: IntArray,
    *,
    pins: Sequence[tuple[int, int]] = (),
    candidates: int = DEFAULT_CANDIDATES,
) -> Assignment:
    started = time.perf_counter()
    check_inputs(scores, allowed, capacity)
    remaining, free = apply_pins(pins, allowed, capacity)
    rows = np.flatnonzero(free)
    ranked = _ranked(scores, allowed, rows, candidates)
    heap: list[tuple[float, int, int, int]] = []
    pointer = [0] * len(rows)
    # A short list is complete when it holds fewer than ``candidates`` allowed mentors.
    complete = [len(r) < candidates or candidates >= scores.shape[1] for r in ranked]
    for k, row in enumerate(rows.tolist()):
        if len(ranked[k]):
            mentor = int(ranked[k][0])
            heap.append((-float(scores[row, mentor]), row, mentor, k))
    heapq.heapify(heap)
    mentees: list[int] = []
    mentors: list[int] = []
    while heap:
        _, row, mentor, k = heapq.heappop(heap)
        if remaining[mentor] > 0:
            remaining[mentor] -= 1
            mentees.append(row)
            mentors.append(mentor)
            continue
        nxt = _next_open(k, row, ranked, pointer, remaining, scores, allowed, complete)
        if nxt >= 0:
            heapq.heappush(heap, (-float(scores[row, nxt]), row, nxt, k))
    return assemble(
        scores=scores,
        pins=pins,
        mentees=np.asarray(mentees, dtype=np.int64),
        mentors=np.asarray(mentors, dtype=np.int64),
        mode="greedy",
        method="greedy",
        started=started,
    )


def _next_open(
    k: int,
    row: int,
    ranked: list[IntArray],
    pointer: list[int],
    remaining: IntArray,
    scores: FloatArray,
    allowed: BoolArray,
    complete: list[bool],
) -> int:
    """The row's best mentor with a place left, or -1; widens to the full row once if needed."""
    while True:
        pointer[k] += 1
        if pointer[k] >= len(ranked[k]):
            if complete[k]:
                return -1
            ranked[k] = _ranked(
                scores, allowed, np.asarray([row], dtype=np.int64), scores.shape[1]
            )[0]
            complete[k] = True
            if pointer[k] >= len(ranked[k]):
                return -1
        mentor = int(ranked[k][pointer[k]])
        if remaining[mentor] > 0:
            return mentor
