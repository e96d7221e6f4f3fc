"""Large rounds scored in row blocks, without the matrix: the block scores are the matrix's, the
ranking keeps each side's best, and the pruned solve over the ranking (its proof checked for
every pair, rows scored again only when their floor could break it) gives the dense optimum, or
falls back to the dense solve when it cannot prove it."""

from __future__ import annotations

import numpy as np
import pytest

import matching.engine.pipeline as pipeline
from matching.engine import CRITERIA, Constraints, HardRules, Mode, RuleSet, ScoringConfig, solve
from matching.engine.blocked import RowScores, rank, solve_ranked
from matching.engine.ranking import rank_matrix
from matching.engine.scoring import Scorer
from tests.matching.helpers import random_cohort, random_instance
from tests.matching.test_solver import assert_feasible, brute_force

BLOCKED_MODES = [Mode.SCORE_FIRST, Mode.MAX_MATCHED_FIRST]


class MatrixRows:
    """The interface of :class:`RowScores` over given matrices, in blocks of ``step`` rows, and
    which rows were scored again (any instance of scores and rules, adversarial ones too)."""

    def __init__(self, scores: np.ndarray, allowed: np.ndarray, step: int = 3) -> None:
        self.scores, self.allowed, self.step = scores, allowed, step
        self.scorer = self
        self.rescored: list[int] = []

    @property
    def shape(self) -> tuple[int, int]:
        return self.scores.shape

    def of(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        return self.scores[mentees, mentors]

    def blocks(self, rows=None):
        chosen_rows = np.arange(len(self.scores)) if rows is None else rows
        if rows is not None:
            self.rescored += rows.tolist()
        for start in range(0, len(chosen_rows), self.step):
            chosen = chosen_rows[start : start + self.step]
            yield start, self.scores[chosen].copy(), self.allowed[chosen]

    def allowed_pairs(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        return self.allowed[mentees, mentors]


def _config() -> ScoringConfig:
    return ScoringConfig(weights=dict.fromkeys(CRITERIA, 2))


@pytest.mark.parametrize("seed", range(4))
def test_block_scores_of_any_rows_and_aligned_pairs_equal_the_matrix_exactly(seed):
    cohort = random_cohort(seed, 17, 23)
    scorer = Scorer(cohort, _config())
    matrix = scorer.matrix()
    rows = np.asarray([5, 0, 22, 5, 9])
    assert np.array_equal(scorer.block(rows), matrix[rows])
    mentees, mentors = np.meshgrid(np.arange(23), np.arange(17), indexing="ij")
    assert np.array_equal(scorer.of(mentees.ravel(), mentors.ravel()), matrix.ravel())


@pytest.mark.parametrize("seed", range(6))
def test_the_ranking_from_blocks_equals_the_ranking_of_the_matrix(seed):
    cohort = random_cohort(seed, 14, 19)
    ruleset = RuleSet(cohort, HardRules(level_gap=1, different_department=True))
    scorer = Scorer(cohort, _config())
    capacity = cohort.mentors.capacity
    source = RowScores(scorer, ruleset, block_elements=14 * 4)
    blocked = rank(source, capacity, [], alternatives=3, row_keep=5)
    dense = rank_matrix(
        scorer.matrix(),
        ruleset.allowed_matrix(),
        row_keep=5,
        column_keep=3 + int(capacity.max()),
        open_mentors=capacity > 0,
        free_mentees=np.ones(19, dtype=np.bool_),
    )
    for name in ("row_rows", "row_cols", "row_values", "row_floor", "column_rows", "column_cols"):
        assert np.array_equal(getattr(blocked, name), getattr(dense, name)), name
    assert np.array_equal(blocked.mentee_open, dense.mentee_open)
    assert np.array_equal(blocked.mentor_free, dense.mentor_free)


@pytest.mark.parametrize("seed", range(10))
def test_the_ranking_keeps_each_rows_best_and_a_floor_above_every_pair_left_out(seed):
    scores, allowed, capacity = random_instance(seed, 13, 11, max_capacity=2, forbid=0.3)
    scores = np.floor(scores / 20) * 20  # many ties
    pins = [(0, int(np.flatnonzero(allowed[0])[0]))] if allowed[0].any() else []
    ranking = rank(MatrixRows(scores, allowed), capacity, pins, alternatives=1, row_keep=4)
    for row in range(13):
        best = sorted(np.flatnonzero(allowed[row]).tolist(), key=lambda c: (-scores[row, c], c))
        at = ranking.row_rows == row
        assert ranking.row_cols[at].tolist() == best[:4]
        left_out = best[4:]
        if left_out:
            assert ranking.row_floor[row] >= max(scores[row, c] for c in left_out)
        else:
            assert ranking.row_floor[row] == -np.inf
    remaining = capacity.copy()
    for _, mentor in pins:
        remaining[mentor] -= 1
    assert ranking.mentee_open.tolist() == (allowed & (remaining > 0)).sum(axis=1).tolist()
    free = np.ones(13, dtype=np.bool_)
    free[[e for e, _ in pins]] = False
    assert ranking.mentor_free.tolist() == (allowed & free[:, None]).sum(axis=0).tolist()


@pytest.mark.parametrize("mode", BLOCKED_MODES)
@pytest.mark.parametrize("seed", range(30))
def test_the_ranked_solve_equals_the_dense_solve_on_random_instances(seed, mode):
    n_mentees, n_mentors = 10 + seed % 9, 7 + seed % 8
    scores, allowed, capacity = random_instance(
        seed, n_mentees, n_mentors, max_capacity=1 + seed % 3, forbid=0.3
    )
    if seed % 3 == 0:
        scores = np.floor(scores / 25) * 25  # many ties
    pins = []
    for mentee in range(0, n_mentees, 5):
        options = np.flatnonzero(allowed[mentee])
        if len(options) and sum(m == options[0] for _, m in pins) < capacity[options[0]]:
            pins.append((mentee, int(options[0])))
    source = MatrixRows(scores, allowed)
    ranking = rank(source, capacity, pins, alternatives=1, row_keep=2 + seed % 3)
    ranked = solve_ranked(source, ranking, capacity, mode=mode, pins=pins, candidates=1)
    dense = solve(scores, allowed, capacity, mode=mode, pins=pins, candidates=0)
    assert ranked is not None
    assert ranked.method.startswith("pruned") or ranked.method == "empty"
    assert_feasible(ranked, allowed, capacity)
    assert ranked.matched == dense.matched
    assert ranked.total == pytest.approx(dense.total, abs=1e-6)
    assert set(pins) <= set(zip(ranked.mentees.tolist(), ranked.mentors.tolist(), strict=True))


@pytest.mark.parametrize("mode", BLOCKED_MODES)
@pytest.mark.parametrize("seed", range(8))
def test_the_ranked_solve_matches_brute_force_on_tiny_instances(seed, mode):
    scores, allowed, capacity = random_instance(seed, 5, 5, max_capacity=2, forbid=0.3)
    source = MatrixRows(scores, allowed, step=2)
    ranking = rank(source, capacity, [], alternatives=1, row_keep=2)
    ranked = solve_ranked(source, ranking, capacity, mode=mode, candidates=1)
    assert ranked is not None
    assert_feasible(ranked, allowed, capacity)
    pairs, _, total = brute_force(scores, allowed, capacity, mode=mode)
    if mode == Mode.MAX_MATCHED_FIRST:
        assert ranked.matched == pairs
    assert ranked.total == pytest.approx(total, abs=1e-6)


def _needs_a_pair_left_out() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Mentees 0-2 like mentors 0 and 1 best, and the optimum gives mentor 2 to mentee 2, a pair
    # that keeping two mentors per mentee leaves out; mentor 2's own best is mentee 3 (who gets
    # mentor 3), so keeping each mentor's best mentee does not bring it in either.
    scores = np.asarray(
        [
            [90.0, 89.0, 10.0, 0.0],
            [88.0, 87.0, 0.0, 5.0],
            [86.0, 85.0, 40.0, 1.0],
            [0.0, 0.0, 45.0, 95.0],
        ]
    )
    return scores, np.ones_like(scores, dtype=np.bool_), np.ones(4, dtype=np.int64)


def test_a_row_whose_floor_could_break_the_proof_is_scored_again_and_its_pair_added():
    scores, allowed, capacity = _needs_a_pair_left_out()
    source = MatrixRows(scores, allowed)
    ranking = rank(source, capacity, [], alternatives=0, row_keep=2)
    assert ranking.row_floor.tolist() == [89.0, 87.0, 85.0, 45.0]
    ranked = solve_ranked(source, ranking, capacity, candidates=2)
    assert ranked is not None
    assert ranked.method == "pruned+1"
    assert ranked.total == solve(scores, allowed, capacity, candidates=0).total == 90 + 87 + 40 + 95
    assert 2 in source.rescored


def test_a_proof_that_does_not_settle_gives_none_and_the_round_falls_back_to_dense(monkeypatch):
    scores, allowed, capacity = _needs_a_pair_left_out()
    source = MatrixRows(scores, allowed)
    ranking = rank(source, capacity, [], alternatives=0, row_keep=2)
    assert solve_ranked(source, ranking, capacity, candidates=2, proof_rounds=1) is None
    # A round in blocks whose proof fails solves the whole problem: the dense optimum.
    cohort = random_cohort(3, 9, 12)
    monkeypatch.setattr(pipeline, "solve_ranked", lambda *args, **kwargs: None)
    kwargs = {"config": _config(), "rules": HardRules(level_gap=1)}
    fallback = pipeline.run_round(cohort, blocks=True, **kwargs)
    dense = pipeline.run_round(cohort, blocks=False, **kwargs)
    assert fallback.assignment.method == "dense"
    assert fallback.assignment.total == pytest.approx(dense.assignment.total, abs=1e-9)
    assert fallback.scores is not None


@pytest.mark.parametrize("mode", BLOCKED_MODES)
@pytest.mark.parametrize("seed", range(4))
def test_a_round_in_blocks_gives_the_dense_rounds_result_and_explanations(seed, mode):
    cohort = random_cohort(seed, 15, 21)
    pinned_mentee, pinned_mentor = cohort.mentees.ids[3], cohort.mentors.ids[2]
    rules = HardRules(level_gap=1, different_department=True)
    constraints = Constraints(
        blocks=[(cohort.mentors.ids[0], cohort.mentees.ids[0])],
        pins=[(pinned_mentor, pinned_mentee)]
        if not RuleSet(cohort, rules).rules_forbidding(3, 2)
        else [],
    )
    kwargs = {"config": _config(), "rules": rules, "constraints": constraints, "mode": mode}
    blocked = pipeline.run_round(cohort, blocks=True, **kwargs)
    dense = pipeline.run_round(cohort, blocks=False, **kwargs)
    assert blocked.scores is None
    assert blocked.allowed is None
    a, b = blocked.assignment, dense.assignment
    assert a.method.startswith("pruned")
    assert a.matched == b.matched
    assert a.total == pytest.approx(b.total, abs=1e-9)
    allowed = dense.allowed
    assert allowed is not None
    assert allowed[a.mentees, a.mentors].all()
    for mentor_id, mentee_id in constraints.pins:
        e, m = cohort.mentees.index_of(mentee_id), cohort.mentors.index_of(mentor_id)
        assert (e, m) in set(zip(a.mentees.tolist(), a.mentors.tolist(), strict=True))
    assert blocked.explanations is not None
    assert dense.explanations is not None
    if np.array_equal(a.mentees, b.mentees) and np.array_equal(a.mentors, b.mentors):
        assert blocked.explanations == dense.explanations
