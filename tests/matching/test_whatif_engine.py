"""The engine's what-if: a preview is the round a ``run_round`` with the same settings makes."""

from __future__ import annotations

import pytest

from matching.engine import ConfigError, Constraints, HardRules, Mode, ScoringConfig, run_round
from matching.engine.whatif import WhatIf
from tests.matching.helpers import cohort, person, random_cohort

SETTINGS = [
    ({"complementarity": 5, "interests": 2}, HardRules(), Mode.SCORE_FIRST),
    ({"availability": 3, "questions": 2, "diversity": 1}, HardRules(), Mode.MAX_MATCHED_FIRST),
    ({"time_zone": 1, "language": 4}, HardRules(junior_mentor=False), Mode.FAIREST),
    ({"focus": 2, "meeting_format": 1}, HardRules(level_gap=0, chain_levels=1), Mode.SCORE_FIRST),
]


@pytest.mark.parametrize("seed", range(4))
def test_every_preview_of_one_cohort_equals_its_round(seed):
    cohort = random_cohort(seed, 14, 17)
    whatif = WhatIf(cohort, Constraints())
    for weights, rules, mode in SETTINGS:
        config = ScoringConfig(weights=weights)
        preview = whatif.preview(config=config, rules=rules, mode=mode).assignment
        real = run_round(cohort, config=config, rules=rules, mode=mode, with_explanations=False)
        assert preview.matched == real.assignment.matched
        assert preview.total == pytest.approx(real.assignment.total, abs=1e-9)
        assert preview.minimum == pytest.approx(real.assignment.minimum, abs=1e-9)
        assert whatif.scores(config) == pytest.approx(real.scores, abs=1e-9)


def test_weights_that_apply_to_nothing_are_refused_like_a_round():
    whatif = WhatIf(cohort([person("Ana")], [person("Bo")]), Constraints())  # no focus topics
    with pytest.raises(ConfigError):
        whatif.preview(
            config=ScoringConfig(weights={"focus": 1}), rules=HardRules(), mode=Mode.SCORE_FIRST
        )
