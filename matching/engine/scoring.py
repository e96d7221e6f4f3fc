"""Compatibility scores: nine criteria, each in [0, 1] per (mentee, mentor) pair, weighted to 0-100.

For mentee ``e`` and mentor ``m`` (``L`` = mentee learn levels, ``T`` = mentor teach levels, 0-5 per
topic; ``I`` = interest sets; ``A`` = UTC half-hour slots):

- **complementarity** = ``Σ_t min(T_mt, L_et) / Σ_t L_et * min(1, n_e / N0)``: the share of what the
  mentee wants to learn (each topic weighted by the level wanted) that the mentor can teach up to
  that level, times a confidence factor for mentees listing fewer than ``N0`` topics, so a profile
  with one wish cannot outrank a detailed one by being easy to cover. ``Σ_t min(T, L)`` is one
  matrix product: ``min(a, b) = Σ_{k=1..5} [a ≥ k][b ≥ k]``.
- **interests** = ``|I_e ∩ I_m| / (|I_e| + |I_m| - |I_e ∩ I_m| + κ)``: Jaccard shrunk by ``κ`` (one shared interest
  out of one scores 1/2 with κ = 1; three out of four scores 3/5).
- **focus** = ``Σ_{t ∈ F} min(T, L) / max(Σ_t min(T, L), φ)``: how much of the pair's teach/learn
  overlap lies in the program's focus topics ``F``; the floor ``φ`` keeps a tiny overlap from
  scoring 1.
- **availability** = ``min(|A_e ∩ A_m|, S) / S``: shared weekly half hours (in UTC), full marks from
  ``S`` slots (default 4 = 2 hours a week).
- **time_zone** = ``(1 + cos(π d / 12)) / 2`` with ``d`` the circular offset distance in hours
  (1 at 0 h, 0.5 at 6 h, 0 at 12 h), read from a table of quarter hours.
- **language** = 1 when they share at least one language, else 0.
- **meeting_format** = 0 for in person vs video, else 1.
- **diversity** = ``(g [generations differ] + d [departments differ]) / (g + d)``; unknowns count
  as "not different".
- **questions** = the mean over matching questions of: *similar* choice answers → Jaccard of the
  chosen options, scale answers → ``1 - |a - b| / (max - min)``; *different* → one minus that.
  An unanswered question scores 0 (no evidence).

**Total** = ``Σ_c (100 w_c / Σ w) x_c`` over the criteria that apply to the cohort (focus needs
focus topics, questions need matching questions, diversity needs g + d > 0). The sum is linear, so
:meth:`Scorer.breakdown` gives each criterion's exact share of a pair's score: the same formulas
(products of small integers are exact in float32), so the shares add up to the matrix value up to
float64 rounding (the matrix adds the categorical criteria through merged lookup tables). An
explanation reports as the pair's score the in-order sum of its shares, so what is shown adds up.

Speed: the matrix is built in row blocks (16 MB each); the four topic/slot
criteria are matrix products (availability a sparse one), the five categorical criteria one or two
gathers from small tables (``tables.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from matching.engine.arrays import (
    BoolArray,
    Float32Array,
    FloatArray,
    Index,
    IntArray,
    UInt8Array,
)
from matching.engine.errors import ConfigError
from matching.engine.pairs import Pairs
from matching.engine.profiles import MAX_LEVEL, Cohort, Side
from matching.engine.tables import Categorical, Formula, KeyArray, build, group

CRITERIA: tuple[str, ...] = (
    "complementarity",
    "interests",
    "focus",
    "availability",
    "time_zone",
    "language",
    "meeting_format",
    "diversity",
    "questions",
)
CRITERION_LABELS: dict[str, str] = {
    "complementarity": "Skills to learn",
    "interests": "Shared interests",
    "focus": "Focus topics",
    "availability": "Availability",
    "time_zone": "Time zones",
    "language": "Language",
    "meeting_format": "Meeting format",
    "diversity": "Diversity",
    "questions": "Registration answers",
}
MAX_WEIGHT = 10.0
# A starting point for a program's first round: what an executive wants to learn leads; language
# and time zones keep pairs practical.
DEFAULT_WEIGHTS: dict[str, float] = {
    "complementarity": 5.0,
    "interests": 3.0,
    "focus": 3.0,
    "availability": 2.0,
    "time_zone": 2.0,
    "language": 2.0,
    "meeting_format": 1.0,
    "diversity": 1.0,
    "questions": 1.0,
}
QUARTERS_PER_DAY = 96
# Quarter-hour distance 0..48 -> (1 + cos(pi d / 48)) / 2, computed once so every path reads the
# same float (vectorised cos need not round like the scalar one).
TIME_ZONE_TABLE: FloatArray = np.asarray(
    [(1 + math.cos(math.pi * q / 48)) / 2 for q in range(QUARTERS_PER_DAY // 2 + 1)]
)
# Meeting format codes: 0 in person, 1 video, 2 either.
FORMAT_TABLE: FloatArray = np.asarray([1, 0, 1, 0, 1, 1, 1, 1, 1], dtype=np.float64)
DEFAULT_BLOCK_ELEMENTS = 1 << 21


def validate_weights(weights: Mapping[str, Any]) -> dict[str, float]:
    """Every criterion's weight (missing ones are 0); raises :class:`ConfigError` when invalid."""
    unknown = sorted(set(weights) - set(CRITERIA))
    if unknown:
        raise ConfigError(f"Unknown criterion “{unknown[0]}”: use one of {', '.join(CRITERIA)}.")
    clean: dict[str, float] = {}
    for name in CRITERIA:
        value = weights.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"The weight of “{name}” must be a number from 0 to 10.")
        if not 0 <= value <= MAX_WEIGHT:  # NaN fails this test too
            raise ConfigError(f"The weight of “{name}” must be from 0 to 10 (got {value}).")
        clean[name] = float(value)
    if not any(clean.values()):
        raise ConfigError("Give at least one criterion a weight above 0.")
    return clean


@dataclass(frozen=True)
class ScoringConfig:
    """Per-round weights (0-10 each, at least one above 0) and the formulas' constants."""

    weights: Mapping[str, float]
    full_confidence_entries: int = 3
    interest_shrinkage: float = 1.0
    focus_floor: float = 3.0
    availability_target_slots: int = 4
    diversity_generation: float = 1.0
    diversity_department: float = 1.0
    clean_weights: dict[str, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "clean_weights", validate_weights(self.weights))
        if not 1 <= self.full_confidence_entries <= 50:
            raise ConfigError("Full confidence needs between 1 and 50 listed topics.")
        if not 0 <= self.interest_shrinkage <= 10:
            raise ConfigError("Interest shrinkage must be from 0 to 10.")
        if not 1 <= self.focus_floor <= 50:
            raise ConfigError("The focus floor must be from 1 to 50.")
        if not 1 <= self.availability_target_slots <= 336:
            raise ConfigError("The availability target must be from 1 to 336 half hours.")
        for name in ("diversity_generation", "diversity_department"):
            if not 0 <= getattr(self, name) <= 1:
                raise ConfigError(f"“{name}” must be from 0 to 1.")


def criterion_coefficients(cohort: Cohort, config: ScoringConfig) -> tuple[FloatArray, FloatArray]:
    """The weights of the criteria that apply to the cohort (focus needs focus topics, questions
    need matching questions, diversity needs g + d > 0; others weigh 0), and each criterion's
    coefficient ``100 w / Σ w``. :class:`ConfigError` when no weighted criterion applies."""
    weights = np.asarray([config.clean_weights[name] for name in CRITERIA])
    applies = np.ones(len(CRITERIA), dtype=np.bool_)
    applies[CRITERIA.index("focus")] = bool(cohort.focus.any())
    applies[CRITERIA.index("questions")] = bool(cohort.questions)
    applies[CRITERIA.index("diversity")] = (
        config.diversity_generation + config.diversity_department > 0
    )
    weights = np.where(applies, weights, 0.0)
    if not weights.any():
        raise ConfigError(
            "None of the weighted criteria applies to this cohort (no focus topics, no "
            "matching questions or no diversity goal): weight another criterion."
        )
    coefficients: FloatArray = 100.0 * weights / weights.sum()
    return weights, coefficients


def _level_stack(levels: UInt8Array, columns: BoolArray | None = None) -> Float32Array:
    """``[level ≥ k]`` for k = 1..5 side by side: a dot product of two stacks is Σ min(a, b)."""
    chosen = levels if columns is None else levels[:, columns]
    return np.concatenate([chosen >= k for k in range(1, MAX_LEVEL + 1)], axis=1).astype(np.float32)


class Scorer:
    """Scores of one cohort under one configuration: the full matrix, or aligned pairs.

    Every criterion yields its contribution in points (coefficient included) as a fresh float64
    array; the total adds them in ``CRITERIA`` order.
    """

    def __init__(self, cohort: Cohort, config: ScoringConfig) -> None:
        cohort.require_people()
        self.cohort, self.config = cohort, config
        mentors, mentees = cohort.mentors, cohort.mentees
        self.weights, self.coefficients = criterion_coefficients(cohort, config)
        self.active: tuple[str, ...] = tuple(
            name for name, c in zip(CRITERIA, self.coefficients, strict=True) if c
        )
        coefficient = dict(zip(CRITERIA, self.coefficients.tolist(), strict=True))
        learn, teach = mentees.skills, mentors.skills
        self._learn, self._teach = _level_stack(learn), _level_stack(teach)
        self._learn_focus = _level_stack(learn, cohort.focus)
        self._teach_focus = _level_stack(teach, cohort.focus)
        # With focus topics, the overlap is the focus topics' plus the others' (exact: small
        # integers in float32), so the focus product is not computed twice.
        self._split_focus = bool(cohort.focus.any())
        self._learn_other = _level_stack(learn, ~cohort.focus)
        self._teach_other = _level_stack(teach, ~cohort.focus)
        entries = (learn > 0).sum(axis=1)
        confidence = np.minimum(1.0, entries / config.full_confidence_entries)
        # complementarity points = overlap * coefficient * confidence / Σ L (one factor per mentee)
        self._learn_factor: FloatArray = (
            coefficient["complementarity"]
            * confidence
            / np.maximum(learn.sum(axis=1, dtype=np.int64), 1)
        )
        self._interests = (
            mentees.interests.astype(np.float32),
            mentors.interests.astype(np.float32),
        )
        self._interest_counts = (
            (mentees.interests.sum(axis=1) + config.interest_shrinkage).astype(np.float32),
            mentors.interests.sum(axis=1).astype(np.float32),
        )
        self._slots = (
            mentees.availability.astype(np.float32),
            mentors.availability.astype(np.float32),
        )
        self._slots_sparse = sparse.csr_array(mentees.availability.astype(np.float32))
        # The mentors' slots as (slots, mentors), contiguous: the sparse product of a block would
        # otherwise copy the transposed view every time.
        self._mentor_slots_t = np.ascontiguousarray(self._slots[1].T)
        self._coefficient = coefficient
        parts = {
            name: Categorical(*keys, formula, coefficient[name])
            for name, (keys, formula) in self._categorical().items()
            if name in self.active
        }
        self._tables = {name: build([part]) for name, part in parts.items()}
        self._groups = group(list(parts.values()))

    def _categorical(self) -> dict[str, tuple[tuple[KeyArray, KeyArray], Formula]]:
        mentees, mentors = self.cohort.mentees, self.cohort.mentors
        return {
            "time_zone": ((_quarters(mentees), _quarters(mentors)), _time_zone),
            "language": (
                (mentees.languages.view(np.int64), mentors.languages.view(np.int64)),
                _shared_language,
            ),
            "meeting_format": (
                (mentees.meeting_format[:, None], mentors.meeting_format[:, None]),
                _format,
            ),
            "diversity": (
                (
                    np.stack([mentees.generation, mentees.department], axis=1),
                    np.stack([mentors.generation, mentors.department], axis=1),
                ),
                self._diversity_formula(),
            ),
            "questions": (
                (_answer_keys(mentees, self.cohort), _answer_keys(mentors, self.cohort)),
                self._question_formula(),
            ),
        }

    def _diversity_formula(self) -> Formula:
        g, d = self.config.diversity_generation, self.config.diversity_department
        generation_share, department_share = (g / (g + d), d / (g + d)) if g + d else (0.0, 0.0)

        def formula(a: KeyArray, b: KeyArray) -> FloatArray:
            differ = (a != b) & (a >= 0) & (b >= 0)
            return differ[..., 0] * generation_share + differ[..., 1] * department_share

        return formula

    def _question_formula(self) -> Formula:
        questions = self.cohort.questions

        def formula(a: KeyArray, b: KeyArray) -> FloatArray:
            total: FloatArray = np.zeros(np.broadcast_shapes(a.shape, b.shape)[:-1])
            for q, question in enumerate(questions):
                x, y = a[..., q], b[..., q]
                if question.kind == "scale":
                    similar = 1.0 - np.abs(x - y) / (question.scale_max - question.scale_min)
                    answered = (x >= 0) & (y >= 0)
                else:
                    shared = np.bitwise_count(x & y).astype(np.float64)
                    union = np.bitwise_count(x | y).astype(np.float64)
                    similar = shared / np.maximum(union, 1.0)
                    answered = (x != 0) & (y != 0)
                value = 1.0 - similar if question.use == "different" else similar
                total = total + np.where(answered, value, 0.0)
            return total / len(questions)

        return formula

    @property
    def shape(self) -> tuple[int, int]:
        return self.cohort.mentees.size, self.cohort.mentors.size

    # --- Contributions -------------------------------------------------------------------------

    def _contributions(self, pairs: Pairs, *, grouped: bool) -> Iterator[FloatArray]:
        """Fresh points arrays: one per numeric criterion, then one per categorical table
        (``grouped``: the matrix's merged tables; otherwise one per criterion, in order)."""
        active = self.active
        overlap: Float32Array | None = None
        focus: Float32Array | None = None
        if "complementarity" in active or "focus" in active:
            if self._split_focus:
                focus = pairs.dot(self._learn_focus, self._teach_focus)
                overlap = pairs.dot(self._learn_other, self._teach_other)
                overlap += focus
            else:
                overlap = pairs.dot(self._learn, self._teach)
        if "complementarity" in active and overlap is not None:
            yield overlap * pairs.e(self._learn_factor)
        if "interests" in active:
            shared = pairs.dot(*self._interests)
            union = pairs.e(self._interest_counts[0]) + pairs.m(self._interest_counts[1])
            union -= shared
            np.maximum(union, np.float32(1.0), out=union)
            points = shared * np.float64(self._coefficient["interests"])
            points /= union
            yield points
        if "focus" in active and overlap is not None:
            if focus is None:
                focus = pairs.dot(self._learn_focus, self._teach_focus)
            points = focus * np.float64(self._coefficient["focus"])
            points /= np.maximum(overlap, np.float32(self.config.focus_floor))
            yield points
        if "availability" in active:
            shared = self._slot_overlap(pairs)
            target = np.float32(self.config.availability_target_slots)
            np.minimum(shared, target, out=shared)
            # The coefficient in float64 (a float32 target would round it to float32).
            yield shared * (np.float64(self._coefficient["availability"]) / np.float64(target))
        for table in self._groups if grouped else self._tables.values():
            yield table.gather(pairs)

    def _slot_overlap(self, pairs: Pairs) -> Float32Array:
        """Shared half hours: a sparse product for blocks (a person is free ~4 % of the week)."""
        if not pairs.outer:
            return pairs.dot(*self._slots)
        rows = self._slots_sparse[pairs.mentees]
        if isinstance(pairs.mentors, slice) and pairs.mentors == slice(None):
            mentor_slots = self._mentor_slots_t
        else:
            mentor_slots = np.ascontiguousarray(self._slots[1][pairs.mentors].T)
        overlap: Float32Array = np.asarray(rows @ mentor_slots)
        return overlap

    # --- Matrix and breakdown ------------------------------------------------------------------

    def block(self, rows: Index, out: FloatArray | None = None) -> FloatArray:
        """Scores of the mentees in ``rows`` against every mentor: ``(rows, n_mentors)``."""
        return self._total(Pairs(rows, slice(None), outer=True), out)

    def of(self, mentees: IntArray, mentors: IntArray) -> FloatArray:
        """Scores of aligned pairs: the same floats as the matrix's (same formulas, added in the
        same grouping and order), without building it."""
        return self._total(Pairs(np.asarray(mentees), np.asarray(mentors), outer=False), None)

    def _total(self, pairs: Pairs, out: FloatArray | None) -> FloatArray:
        total: FloatArray | None = None
        for points in self._contributions(pairs, grouped=True):
            if total is None:
                total = points if out is None else out
                if out is not None:
                    np.copyto(out, points)
            else:
                total += points
        assert total is not None
        return total

    def matrix(
        self, *, block_elements: int = DEFAULT_BLOCK_ELEMENTS, workers: int = 1
    ) -> FloatArray:
        """The ``(n_mentees, n_mentors)`` float64 score matrix, built in row blocks, optionally on
        several threads (numpy releases the GIL; on the 2-core machine, where BLAS already uses
        both cores, one thread measured as fast or faster)."""
        n_mentees, n_mentors = self.shape
        out = np.empty((n_mentees, n_mentors), dtype=np.float64)
        step = max(1, block_elements // max(n_mentors, 1))
        blocks = [slice(start, min(start + step, n_mentees)) for start in range(0, n_mentees, step)]
        if workers <= 1 or len(blocks) <= 1:
            for rows in blocks:
                self.block(rows, out[rows])
            return out
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda rows: self.block(rows, out[rows]), blocks))
        return out

    def criterion_blocks(self, rows: slice) -> Iterator[tuple[str, FloatArray]]:
        """Each active criterion's points (coefficient included) for the mentees in ``rows``
        against every mentor, one criterion at a time (the what-if keeps them per criterion)."""
        pairs = Pairs(rows, slice(None), outer=True)
        yield from zip(self.active, self._contributions(pairs, grouped=False), strict=True)

    def breakdown(self, mentees: IntArray, mentors: IntArray) -> FloatArray:
        """Per-criterion points ``(k, len(CRITERIA))`` of aligned pairs (0 for inactive ones).

        They add up to the pair's matrix value up to float64 rounding (~1e-13 points): the same
        formulas, only added in another grouping.
        """
        pairs = Pairs(np.asarray(mentees), np.asarray(mentors), outer=False)
        out = np.zeros((len(mentees), len(CRITERIA)), dtype=np.float64)
        columns = [CRITERIA.index(name) for name in self.active]
        for column, points in zip(columns, self._contributions(pairs, grouped=False), strict=True):
            out[:, column] = points
        return out


def breakdown_totals(contributions: FloatArray) -> FloatArray:
    """Each pair's total from its contributions, added in criterion order."""
    return np.cumsum(contributions, axis=1)[:, -1]


def _quarters(side: Side) -> KeyArray:
    return np.rint(side.utc_offset / 15).astype(np.int64)[:, None]


def _time_zone(a: KeyArray, b: KeyArray) -> FloatArray:
    distance = np.abs(a - b)[..., 0] % QUARTERS_PER_DAY
    return TIME_ZONE_TABLE[np.minimum(distance, QUARTERS_PER_DAY - distance)]


def _shared_language(a: KeyArray, b: KeyArray) -> FloatArray:
    return ((a & b) != 0).any(axis=-1).astype(np.float64)


def _format(a: KeyArray, b: KeyArray) -> FloatArray:
    return FORMAT_TABLE[(a * 3 + b)[..., 0]]


def _answer_keys(side: Side, cohort: Cohort) -> KeyArray:
    """One integer per question: chosen options as bits (0 = none), or scale value - min (-1)."""
    keys = side.choice_answers.view(np.int64).copy()
    for q, question in enumerate(cohort.questions):
        if question.kind == "scale":
            values = side.scale_answers[:, q]
            keys[:, q] = np.where(
                np.isnan(values), -1, np.rint(np.nan_to_num(values) - question.scale_min)
            )
    return keys
