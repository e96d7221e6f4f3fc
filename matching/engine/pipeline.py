"""One matching round end to end: score, rules, solve, explain — with the time of each stage.

This is what the round's Celery task calls after loading the cohort (``build_cohort``); the task
stores the proposals (``explanations.pairs``) and the figures. ``progress`` receives the name of
each finished stage and the fraction done, for the progress bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from matching.engine.arrays import BoolArray, FloatArray
from matching.engine.explain import Explanations, explain
from matching.engine.profiles import Cohort
from matching.engine.rules import Constraints, HardRules, RuleSet
from matching.engine.scoring import Scorer, ScoringConfig
from matching.engine.solver import Assignment, Mode, solve

Progress = Callable[[str, float], None]
STAGES: tuple[str, ...] = ("score", "rules", "solve", "explain")


@dataclass(eq=False)
class RoundResult:
    scorer: Scorer
    ruleset: RuleSet
    scores: FloatArray
    allowed: BoolArray
    assignment: Assignment
    explanations: Explanations | None
    timings: dict[str, float] = field(default_factory=dict)


def run_round(
    cohort: Cohort,
    *,
    config: ScoringConfig,
    rules: HardRules,
    constraints: Constraints | None = None,
    mode: Mode = Mode.SCORE_FIRST,
    with_explanations: bool = True,
    progress: Progress | None = None,
) -> RoundResult:
    """Raises a ``MatchingError`` (empty cohort, invalid pin, …) before any heavy work."""
    cohort.require_people()
    timings: dict[str, float] = {}

    def done(stage: str, started: float) -> None:
        timings[stage] = time.perf_counter() - started
        if progress is not None:
            progress(stage, (STAGES.index(stage) + 1) / len(STAGES))

    ruleset = RuleSet(cohort, rules, constraints)
    pins = ruleset.pin_indices()
    started = time.perf_counter()
    scorer = Scorer(cohort, config)
    scores = scorer.matrix()
    done("score", started)
    started = time.perf_counter()
    allowed = ruleset.allowed_matrix()
    done("rules", started)
    started = time.perf_counter()
    assignment = solve(scores, allowed, cohort.mentors.capacity, mode=mode, pins=pins)
    done("solve", started)
    explanations = None
    if with_explanations:
        started = time.perf_counter()
        explanations = explain(
            scorer=scorer, ruleset=ruleset, scores=scores, allowed=allowed, assignment=assignment
        )
        done("explain", started)
    return RoundResult(scorer, ruleset, scores, allowed, assignment, explanations, timings)
