"""A round end to end on a random cohort: every invariant at once, and progress reporting."""

from __future__ import annotations

import numpy as np
import pytest

from matching.engine import CRITERIA, Constraints, HardRules, Mode, ScoringConfig, greedy, run_round
from tests.matching.helpers import random_cohort


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("seed", range(4))
def test_round_invariants(seed, mode):
    pair = random_cohort(seed, 12, 15)
    stages: list[tuple[str, float]] = []
    result = run_round(
        pair,
        config=ScoringConfig(weights=dict.fromkeys(CRITERIA, 2)),
        rules=HardRules(level_gap=1, different_department=True),
        constraints=Constraints(blocks=[(pair.mentors.ids[0], pair.mentees.ids[0])]),
        mode=mode,
        progress=lambda stage, done: stages.append((stage, done)),
    )
    assignment, explanations = result.assignment, result.explanations
    assert explanations is not None
    assert stages == [("score", 0.25), ("rules", 0.5), ("solve", 0.75), ("explain", 1.0)]
    assert set(result.timings) == {"score", "rules", "solve", "explain"}
    assert result.allowed[assignment.mentees, assignment.mentors].all()
    assert (assignment.load() <= pair.mentors.capacity).all()
    assert len(explanations.pairs) == assignment.matched
    matched_mentors = np.unique(assignment.mentors).size
    assert len(explanations.unmatched) == (
        pair.mentees.size - assignment.matched + pair.mentors.size - matched_mentors
    )
    assert all(u.reason for u in explanations.unmatched)
    baseline = greedy(result.scores, result.allowed, pair.mentors.capacity)
    if mode == Mode.SCORE_FIRST:
        assert baseline.total <= assignment.total + 1e-9
    else:
        assert baseline.matched <= assignment.matched
