"""One matching round end to end: score, rules, solve, explain — with the time of each stage.

This is what the round's Celery task calls after loading the cohort (``build_cohort``); the task
stores the proposals (``explanations.pairs``) and the figures. ``progress`` receives the name of
each finished stage and the fraction done, for the progress bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from matching.engine.arrays import BoolArray, FloatArray
from matching.engine.blocked import RowScores, rank, solve_ranked
from matching.engine.explain import MAX_LISTED, Explanations, explain, explanation_ranking
from matching.engine.profiles import Cohort
from matching.engine.ranking import Ranking
from matching.engine.rules import Constraints, HardRules, RuleSet
from matching.engine.scoring import Scorer, ScoringConfig
from matching.engine.solver import PRUNE_FROM_CELLS, Assignment, Mode, solve

Progress = Callable[[str, float], None]
STAGES: tuple[str, ...] = ("score", "rules", "solve", "explain")


@dataclass(eq=False)
class RoundResult:
    """``scores`` and ``allowed`` are the full matrices when the round built them (small rounds,
    the fairest mode, a dense fallback), else ``None``; ``ranking``: what the explanations read
    (``None`` without explanations on a round that built the matrices)."""

    scorer: Scorer
    ruleset: RuleSet
    scores: FloatArray | None
    allowed: BoolArray | None
    ranking: Ranking | None
    assignment: Assignment
    explanations: Explanations | None
    timings: dict[str, float] = field(default_factory=dict)


def in_blocks(cohort: Cohort, pins: list[tuple[int, int]], mode: Mode) -> bool:
    """Whether the round is scored in row blocks without the matrix: large enough for the
    pruned solve (``PRUNE_FROM_CELLS`` mentee x place cells), and not the fairest mode (its
    threshold search reads every score)."""
    if mode == Mode.FAIREST:
        return False
    capacity = cohort.mentors.capacity.astype(np.int64).copy()
    np.subtract.at(capacity, [m for _, m in pins], 1)
    free_mentees = cohort.mentees.size - len(pins)
    places = int(np.minimum(np.maximum(capacity, 0), free_mentees).sum())
    return free_mentees * places >= PRUNE_FROM_CELLS


def run_round(
    cohort: Cohort,
    *,
    config: ScoringConfig,
    rules: HardRules,
    constraints: Constraints | None = None,
    mode: Mode = Mode.SCORE_FIRST,
    with_explanations: bool = True,
    progress: Progress | None = None,
    blocks: bool | None = None,
) -> RoundResult:
    """Raises a ``MatchingError`` (empty cohort, invalid pin, …) before any heavy work.
    ``blocks`` forces (or forbids) scoring in row blocks; by default :func:`in_blocks`."""
    cohort.require_people()
    timings: dict[str, float] = {}

    def done(stage: str, started: float, seconds: float | None = None) -> None:
        timings[stage] = time.perf_counter() - started if seconds is None else seconds
        if progress is not None:
            progress(stage, (STAGES.index(stage) + 1) / len(STAGES))

    ruleset = RuleSet(cohort, rules, constraints)
    pins = ruleset.pin_indices()
    capacity = cohort.mentors.capacity
    use_blocks = in_blocks(cohort, pins, mode) if blocks is None else blocks
    scores: FloatArray | None = None
    allowed: BoolArray | None = None
    ranking: Ranking | None = None
    if use_blocks:
        started = time.perf_counter()
        source = RowScores(Scorer(cohort, config), ruleset)
        scorer = source.scorer
        ranking = rank(source, capacity, pins, alternatives=MAX_LISTED)
        # Scores and rules are computed block by block in one pass; the ranking's own work is
        # counted with the scores.
        ranked = time.perf_counter() - started
        done("score", started, ranked - source.seconds["rules"])
        done("rules", started, source.seconds["rules"])
        started = time.perf_counter()
        assignment = solve_ranked(source, ranking, capacity, mode=mode, pins=pins)
        if assignment is None:  # the proof failed: the whole problem
            scores, allowed = scorer.matrix(), ruleset.allowed_matrix()
            assignment = solve(scores, allowed, capacity, mode=mode, pins=pins, candidates=0)
        done("solve", started)
    else:
        started = time.perf_counter()
        scorer = Scorer(cohort, config)
        scores = scorer.matrix()
        done("score", started)
        started = time.perf_counter()
        allowed = ruleset.allowed_matrix()
        done("rules", started)
        started = time.perf_counter()
        assignment = solve(scores, allowed, capacity, mode=mode, pins=pins)
        done("solve", started)
    explanations = None
    if with_explanations:
        started = time.perf_counter()
        if ranking is None:
            assert scores is not None
            assert allowed is not None
            ranking = explanation_ranking(scores, allowed, assignment, capacity)
        explanations = explain(
            scorer=scorer, ruleset=ruleset, assignment=assignment, ranking=ranking
        )
        done("explain", started)
    return RoundResult(scorer, ruleset, scores, allowed, ranking, assignment, explanations, timings)
