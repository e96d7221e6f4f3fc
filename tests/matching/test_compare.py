"""What-if: the same cohort under two weight sets, compared."""

from __future__ import annotations

import pytest

from matching.engine import HardRules, MatchingError, ScoringConfig, compare, run_round
from tests.matching.helpers import cohort, person, random_cohort


def test_what_if_reports_figures_and_changed_pairs():
    teacher = person("Teacher", level=1, skills={1: 5}, languages=["French"])
    speaker = person("Speaker", level=1, languages=["English"])
    exec_ = person("Exec", level=9, skills={1: 5}, languages=["English"])
    pair = cohort([teacher, speaker], [exec_])
    skills = run_round(
        pair, config=ScoringConfig(weights={"complementarity": 1}), rules=HardRules()
    )
    language = run_round(pair, config=ScoringConfig(weights={"language": 1}), rules=HardRules())
    comparison = compare(pair, skills.assignment, language.assignment)
    assert (comparison.before.matched, comparison.after.matched) == (1, 1)
    assert comparison.before.total == pytest.approx(100 / 3)  # one wish of three: confidence 1/3
    assert (comparison.after.mean, comparison.after.minimum) == (100.0, 100.0)
    (change,) = comparison.changes
    assert (change.mentee_id, change.mentor_before, change.mentor_after) == (
        exec_.enrollment_id,
        teacher.enrollment_id,
        speaker.enrollment_id,
    )
    assert change.score_after == 100.0
    assert comparison.unchanged == 0


def test_same_weights_change_nothing():
    pair = random_cohort(1, 8, 8)
    config = ScoringConfig(weights={"complementarity": 3, "availability": 2})
    first = run_round(pair, config=config, rules=HardRules(), with_explanations=False)
    second = run_round(pair, config=config, rules=HardRules(), with_explanations=False)
    comparison = compare(pair, first.assignment, second.assignment)
    assert comparison.changes == ()
    assert comparison.unchanged == first.assignment.matched


def test_assignments_of_different_cohorts_cannot_be_compared():
    a, b = random_cohort(1, 4, 4), random_cohort(2, 5, 4)
    config = ScoringConfig(weights={"language": 1})
    first = run_round(a, config=config, rules=HardRules(), with_explanations=False)
    second = run_round(b, config=config, rules=HardRules(), with_explanations=False)
    with pytest.raises(MatchingError, match="same cohort"):
        compare(a, first.assignment, second.assignment)
