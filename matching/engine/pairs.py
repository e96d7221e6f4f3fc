"""Which (mentee, mentor) combinations one vectorised computation covers."""

from __future__ import annotations

from typing import Any

import numpy as np

from matching.engine.arrays import Float32Array, Index, IntArray


class Pairs:
    """Outer: every mentee of ``mentees`` against every mentor of ``mentors`` → ``(b, m)`` arrays.
    Aligned: ``mentees[k]`` with ``mentors[k]`` → ``(k,)`` arrays. One formula serves both, so a
    pair's value is the same float whichever way it was computed.
    """

    def __init__(self, mentees: Index, mentors: Index, *, outer: bool) -> None:
        self.mentees, self.mentors, self.outer = mentees, mentors, outer

    def e(self, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        picked = values[self.mentees]
        return picked[:, None] if self.outer else picked

    def m(self, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        picked = values[self.mentors]
        return picked[None, :] if self.outer else picked

    def dot(self, mentee_rows: Float32Array, mentor_rows: Float32Array) -> Float32Array:
        """Row dot products, exact: the engine only multiplies 0/1 values in float32."""
        a, b = mentee_rows[self.mentees], mentor_rows[self.mentors]
        if self.outer:
            return a @ b.T
        return np.einsum("ij,ij->i", a, b)

    def shape(self, n_mentees: int, n_mentors: int) -> tuple[int, ...]:
        rows = len(positions(self.mentees, n_mentees)[1])
        if not self.outer:
            return (rows,)
        return (rows, len(positions(self.mentors, n_mentors)[1]))


def positions(index: Index, n: int) -> tuple[IntArray, IntArray]:
    """``(where, chosen)``: ``where[k]`` is the position of row ``k`` in ``chosen``, or -1."""
    chosen = np.arange(n, dtype=np.int64)[index] if isinstance(index, slice) else index
    where = np.full(n, -1, dtype=np.int64)
    where[chosen] = np.arange(len(chosen), dtype=np.int64)
    return where, chosen
