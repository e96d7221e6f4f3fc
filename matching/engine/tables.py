"""Criteria that depend only on a few categorical keys per person, as lookup tables.

Time zone, language, meeting format, diversity and registration answers take few distinct values
per side (a cohort has a handful of UTC offsets, language sets, formats, …). Each person gets the
code of their distinct key; the points for every pair of distinct keys are computed once; a block
of pairs is then one gather. For the matrix, several criteria share one table (their points
added), as long as the table stays small; the per-pair breakdown reads one table per criterion.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.engine.arrays import FloatArray, Int32Array, IntArray
from matching.engine.pairs import Pairs

KeyArray = np.ndarray[Any, np.dtype[np.int64]]
# formula(mentee keys (..., f), mentor keys (..., f)) -> criterion values in [0, 1], broadcast.
Formula = Callable[[KeyArray, KeyArray], FloatArray]
MAX_TABLE_ENTRIES = 1 << 22


@dataclass(frozen=True, eq=False)
class Categorical:
    """One criterion: ``(n, f)`` integer keys per side, its formula and its coefficient."""

    mentee_keys: KeyArray
    mentor_keys: KeyArray
    formula: Formula
    coefficient: float

    def points(self, mentee_keys: KeyArray, mentor_keys: KeyArray) -> FloatArray:
        return self.formula(mentee_keys, mentor_keys) * np.float64(self.coefficient)


@dataclass(frozen=True, eq=False)
class Table:
    """Points per pair of distinct keys (flattened) and each person's offset/code into it."""

    mentee_offsets: Int32Array
    mentor_codes: Int32Array
    values: FloatArray

    def gather(self, pairs: Pairs) -> FloatArray:
        values: FloatArray = self.values[pairs.e(self.mentee_offsets) + pairs.m(self.mentor_codes)]
        return values


@dataclass(frozen=True, eq=False)
class Direct:
    """A criterion evaluated pair by pair, when its table would be too large."""

    part: Categorical

    def gather(self, pairs: Pairs) -> FloatArray:
        return self.part.points(pairs.e(self.part.mentee_keys), pairs.m(self.part.mentor_keys))


def _distinct(keys: KeyArray) -> tuple[KeyArray, IntArray]:
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    return unique, inverse.reshape(-1).astype(np.int64)


def _keys(parts: Sequence[Categorical]) -> tuple[KeyArray, KeyArray]:
    return (
        np.concatenate([p.mentee_keys for p in parts], axis=1),
        np.concatenate([p.mentor_keys for p in parts], axis=1),
    )


def _entries(parts: Sequence[Categorical]) -> int:
    mentee_keys, mentor_keys = _keys(parts)
    return len(np.unique(mentee_keys, axis=0)) * len(np.unique(mentor_keys, axis=0))


def build(parts: Sequence[Categorical]) -> Table | Direct:
    """One table holding the points of ``parts`` added in order (a ``Direct`` evaluation for a
    single criterion with too many distinct keys)."""
    mentee_keys, mentor_keys = _keys(parts)
    mentee_unique, mentee_codes = _distinct(mentee_keys)
    mentor_unique, mentor_codes = _distinct(mentor_keys)
    if len(mentee_unique) * len(mentor_unique) > MAX_TABLE_ENTRIES:
        if len(parts) > 1:
            raise ValueError("group the criteria with group() first")
        return Direct(parts[0])
    shape = (len(mentee_unique), len(mentor_unique))
    values = np.zeros(shape, dtype=np.float64)
    start = 0
    for part in parts:
        columns = slice(start, start + part.mentee_keys.shape[1])
        start = columns.stop
        values += part.points(mentee_unique[:, None, columns], mentor_unique[None, :, columns])
    # int32 codes halve the index traffic of a gather; tables are far below 2**31 entries.
    return Table(
        mentee_offsets=(mentee_codes * shape[1]).astype(np.int32),
        mentor_codes=mentor_codes.astype(np.int32),
        values=values.ravel(),
    )


def group(parts: Sequence[Categorical]) -> list[Table | Direct]:
    """Consecutive criteria merged into as few tables as fit in ``MAX_TABLE_ENTRIES`` each."""
    groups: list[list[Categorical]] = []
    for part in parts:
        if groups and _entries([*groups[-1], part]) <= MAX_TABLE_ENTRIES:
            groups[-1].append(part)
        else:
            groups.append([part])
    return [build(members) for members in groups]
