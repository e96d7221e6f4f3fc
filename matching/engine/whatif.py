"""Live what-if: the proposals a round would make under other weights, rules or mode, without
running (or storing) a round.

:class:`WhatIf` holds one cohort ready for many previews. What does not depend on the settings is
computed once: each criterion's points for every pair at a unit coefficient (a round's score matrix
is linear in the coefficients, so any weights are one weighted sum of these), and each rule set
asked for with its pins and allowed pairs (the last few kept). A preview then re-scores (the weighted sum),
re-solves (``solve``, pruned and proved exact like a round) and reports the figures a round would
report. The weighted sum adds the same criterion values in another grouping than
``Scorer.matrix``: a pair's score agrees with a round's to ~1e-12 points.

Cohorts above ``MAX_KEPT_CELLS`` criterion cells (9 criteria at 1,500 x 1,500) are not kept per
criterion: each preview scores the matrix as a round does.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from matching.engine.arrays import BoolArray, FloatArray
from matching.engine.profiles import Cohort
from matching.engine.rules import Constraints, HardRules, RuleSet
from matching.engine.scoring import (
    CRITERIA,
    DEFAULT_BLOCK_ELEMENTS,
    Scorer,
    ScoringConfig,
    criterion_coefficients,
)
from matching.engine.solver import Assignment, Mode, solve

MAX_KEPT_CELLS = 20_250_000
RULE_SETS_KEPT = 4
_UNIT_WEIGHTS = dict.fromkeys(CRITERIA, 1.0)


@dataclass(frozen=True)
class Preview:
    """What a round with these settings would propose (rows into the cohort's sides)."""

    assignment: Assignment
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class _Rules:
    pins: list[tuple[int, int]]
    allowed: BoolArray


class WhatIf:
    """One cohort (and its round constraints: previous pairs, blocks, pins) ready for previews.

    Thread-safe: previews of one cohort may run on several threads of a web worker."""

    def __init__(self, cohort: Cohort, constraints: Constraints | None = None) -> None:
        cohort.require_people()
        self.cohort = cohort
        self.constraints = constraints or Constraints()
        self._lock = threading.Lock()
        self._units: dict[str, FloatArray] | None = None
        self._rules: OrderedDict[HardRules, _Rules] = OrderedDict()

    @property
    def keeps_criteria(self) -> bool:
        n_mentees, n_mentors = self.cohort.mentees.size, self.cohort.mentors.size
        return n_mentees * n_mentors * len(CRITERIA) <= MAX_KEPT_CELLS

    def _unit_scores(self) -> dict[str, FloatArray]:
        """Each applicable criterion's points for every pair with a coefficient of 1."""
        with self._lock:
            if self._units is not None:
                return self._units
            scorer = Scorer(self.cohort, ScoringConfig(weights=_UNIT_WEIGHTS))
            n_mentees, n_mentors = scorer.shape
            coefficient = dict(zip(CRITERIA, scorer.coefficients.tolist(), strict=True))
            units = {name: np.empty((n_mentees, n_mentors)) for name in scorer.active}
            step = max(1, DEFAULT_BLOCK_ELEMENTS // max(n_mentors, 1))
            for start in range(0, n_mentees, step):
                rows = slice(start, min(start + step, n_mentees))
                for name, points in scorer.criterion_blocks(rows):
                    np.divide(points, coefficient[name], out=units[name][rows])
            self._units = units
            return units

    def scores(self, config: ScoringConfig) -> FloatArray:
        """The score matrix under ``config``'s weights (the criteria that apply, in ``CRITERIA``
        order), from the kept criterion scores when the cohort is small enough."""
        if not self.keeps_criteria:
            return Scorer(self.cohort, config).matrix()
        _, coefficients = criterion_coefficients(self.cohort, config)
        units = self._unit_scores()
        out: FloatArray | None = None
        for name, coefficient in zip(CRITERIA, coefficients.tolist(), strict=True):
            if not coefficient:
                continue
            if out is None:
                out = units[name] * coefficient
            else:
                out += units[name] * coefficient
        assert out is not None  # criterion_coefficients refuses weights that apply to nothing
        return out

    def rules(self, rules: HardRules) -> _Rules:
        """The rule set's pins (validated: ``PinError``) and allowed pairs, kept per rule set."""
        with self._lock:
            found = self._rules.get(rules)
            if found is not None:
                self._rules.move_to_end(rules)
                return found
        ruleset = RuleSet(self.cohort, rules, self.constraints)
        computed = _Rules(ruleset.pin_indices(), ruleset.allowed_matrix())
        with self._lock:
            self._rules[rules] = computed
            while len(self._rules) > RULE_SETS_KEPT:
                self._rules.popitem(last=False)
        return computed

    def preview(self, *, config: ScoringConfig, rules: HardRules, mode: Mode) -> Preview:
        """The assignment a round with these settings would make; raises the round's
        ``MatchingError``s (a pin that breaks these rules, weights that apply to nothing)."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        kept = self.rules(rules)
        timings["rules"] = time.perf_counter() - started
        started = time.perf_counter()
        scores = self.scores(config)
        timings["score"] = time.perf_counter() - started
        started = time.perf_counter()
        assignment = solve(
            scores, kept.allowed, self.cohort.mentors.capacity, mode=mode, pins=kept.pins
        )
        timings["solve"] = time.perf_counter() - started
        return Preview(assignment=assignment, timings=timings)
