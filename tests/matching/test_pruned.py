"""The pruned solve (each mentee's best few mentors, proved optimal by the dual) gives the dense
solve's optimum in every mode, adds the pairs that break the proof, and falls back to the dense
solve when it cannot prove its result."""

from __future__ import annotations

import numpy as np
import pytest

from matching.engine import Mode, solve
from matching.engine.solver import best_candidates, solve_sparse, violations
from tests.matching.helpers import random_instance
from tests.matching.test_solver import assert_feasible, brute_force


def assert_same_optimum(dense, pruned, mode: Mode) -> None:
    assert pruned.matched == dense.matched
    assert pruned.total == pytest.approx(dense.total, abs=1e-6)
    if mode == Mode.FAIREST:
        assert pruned.minimum == dense.minimum


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("seed", range(40))
def test_pruned_equals_dense_on_random_instances(seed, mode):
    n_mentees, n_mentors = 10 + seed % 13, 8 + seed % 11
    scores, allowed, capacity = random_instance(
        seed, n_mentees, n_mentors, max_capacity=1 + seed % 3, forbid=0.3
    )
    if seed % 4 == 0:
        scores = np.floor(scores / 25) * 25  # many ties
    dense = solve(scores, allowed, capacity, mode=mode, candidates=0)
    pruned = solve(scores, allowed, capacity, mode=mode, candidates=1 + seed % 3)
    assert dense.method == "dense"
    assert pruned.method.startswith("pruned") or pruned.method == "dense"
    assert_feasible(pruned, allowed, capacity)
    assert_same_optimum(dense, pruned, mode)


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("seed", range(8))
def test_pruned_matches_brute_force_on_tiny_instances(seed, mode):
    scores, allowed, capacity = random_instance(seed, 5, 5, max_capacity=2, forbid=0.3)
    pruned = solve(scores, allowed, capacity, mode=mode, candidates=1)
    assert_feasible(pruned, allowed, capacity)
    pairs, lowest, total = brute_force(scores, allowed, capacity, mode=mode)
    if mode != Mode.SCORE_FIRST:
        assert pruned.matched == pairs
    if mode == Mode.FAIREST:
        assert pruned.minimum == lowest
    assert pruned.total == pytest.approx(total, abs=1e-6)


def test_a_pair_left_out_that_the_optimum_needs_breaks_the_proof_and_is_added():
    # Both mentees like mentor 0 best; the optimum gives mentor 0 to mentee 1 (who has no
    # other good mentor) and mentor 1 to mentee 0, a pair that keeping one candidate leaves out.
    scores = np.asarray([[90.0, 80.0, 0.0], [85.0, 10.0, 5.0]])
    allowed = np.ones_like(scores, dtype=np.bool_)
    capacity = np.ones(3, dtype=np.int64)
    rows, mentors = np.arange(2), np.arange(3)
    kept = best_candidates(scores, allowed, rows, mentors, 1)
    assert sorted(zip(kept.rows.tolist(), kept.cols.tolist(), strict=True)) == [(0, 0), (1, 0)]
    solution = solve_sparse(kept, 2, capacity, 0.0)
    assert solution.proved
    broken = violations(scores, allowed, rows, mentors, solution, kept.floor, 0.0)
    assert (0, 1) in set(zip(broken.rows.tolist(), broken.cols.tolist(), strict=True))
    result = solve(scores, allowed, capacity, candidates=1)
    assert result.method == "pruned+1"
    assert result.total == 165.0
    assert dict(zip(result.mentees.tolist(), result.mentors.tolist(), strict=True)) == {0: 1, 1: 0}


def test_an_optimal_pruned_solution_is_proved_at_once():
    scores = np.asarray([[90.0, 10.0, 0.0], [10.0, 85.0, 5.0], [0.0, 5.0, 70.0]])
    allowed = np.ones_like(scores, dtype=np.bool_)
    result = solve(scores, allowed, np.ones(3, dtype=np.int64), candidates=1)
    assert result.method == "pruned"
    assert result.total == 245.0


@pytest.mark.parametrize("mode", [Mode.SCORE_FIRST, Mode.MAX_MATCHED_FIRST])
def test_when_everyone_wants_the_same_mentors_the_dense_solve_takes_over(mode):
    # Adversarial: every mentee's best two mentors are the same two, so the pruned problem matches
    # two mentees and nearly every other allowed pair breaks the proof. With one sparse solve
    # allowed, the proof fails and the dense solve answers; with the default rounds, widening the
    # candidates settles it.
    rng = np.random.default_rng(3)
    n = 30
    scores = rng.integers(0, 60, size=(n, n)).astype(np.float64)
    scores[:, :2] = 100.0 - np.arange(n)[:, None] * 0.5
    allowed = np.ones((n, n), dtype=np.bool_)
    capacity = np.ones(n, dtype=np.int64)
    fallback = solve(scores, allowed, capacity, mode=mode, candidates=2, proof_rounds=1)
    widened = solve(scores, allowed, capacity, mode=mode, candidates=2)
    dense = solve(scores, allowed, capacity, mode=mode, candidates=0)
    assert fallback.method == "dense"
    assert widened.method.startswith("pruned+")
    assert_same_optimum(dense, fallback, mode)
    assert_same_optimum(dense, widened, mode)


@pytest.mark.parametrize("mode", list(Mode))
def test_large_instances_are_pruned_by_default_and_stay_exact(mode):
    rng = np.random.default_rng(5)
    n = 1100
    scores = np.round(rng.random((n, n)) * 100, 3)
    allowed = rng.random((n, n)) > 0.3
    capacity = rng.integers(1, 3, size=n).astype(np.int64)
    default = solve(scores, allowed, capacity, mode=mode)
    dense = solve(scores, allowed, capacity, mode=mode, candidates=0)
    assert default.method.startswith("pruned")
    assert_feasible(default, allowed, capacity)
    assert_same_optimum(dense, default, mode)


@pytest.mark.parametrize("seed", range(12))
def testrow_top_is_each_rows_best_values_with_ties_by_column(seed):
    from matching.engine.solver import row_top

    rng = np.random.default_rng(seed)
    n_rows, width, k = 7, 40 + seed * 13, 1 + seed % 6
    masked = np.floor(rng.random((n_rows, width)) * (3 + seed)).astype(np.float64)  # many ties
    masked[rng.random((n_rows, width)) < 0.4] = -np.inf
    masked[0] = -np.inf  # a row with nothing allowed
    masked[1, 3:] = -np.inf  # a row with fewer than k allowed
    rows, cols, values = row_top(masked, k)
    expected = []
    for row in range(n_rows):
        finite = [c for c in range(width) if np.isfinite(masked[row, c])]
        best = sorted(finite, key=lambda c: (-masked[row, c], c))[:k]
        expected += [(row, c, masked[row, c]) for c in best]
    assert list(zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True)) == expected


@pytest.mark.parametrize("seed", range(6))
def test_the_square_sparse_matching_has_the_dense_optimum(seed):
    # The sparse solve with every pair kept is the whole problem: its cost is the dense one's.
    scores, allowed, capacity = random_instance(seed, 12, 9, max_capacity=3, forbid=0.4)
    rows, mentors = np.arange(12), np.arange(9)
    kept = best_candidates(scores, allowed, rows, mentors, 9)
    solution = solve_sparse(kept, 12, capacity, 1e-6)
    assert solution.proved
    sparse_total = scores[solution.pair_rows, solution.pair_cols].sum()
    dense = solve(scores, allowed, capacity, candidates=0)
    assert sparse_total == pytest.approx(dense.total, abs=1e-6)
    assert (np.bincount(solution.pair_cols, minlength=9) <= capacity).all()
    assert allowed[solution.pair_rows, solution.pair_cols].all()


def test_near_violations_add_the_pairs_close_to_breaking_the_proof():
    from matching.engine.solver import near_violations

    scores = np.asarray([[90.0, 80.0, 0.0], [85.0, 10.0, 5.0]])
    allowed = np.ones_like(scores, dtype=np.bool_)
    capacity = np.ones(3, dtype=np.int64)
    rows, mentors = np.arange(2), np.arange(3)
    kept = best_candidates(scores, allowed, rows, mentors, 1)
    solution = solve_sparse(kept, 2, capacity, 0.0)
    strict = violations(scores, allowed, rows, mentors, solution, kept.floor, 0.0)
    found, breaking = near_violations(
        scores, allowed, rows, mentors, solution, kept.floor, 0.0, margin=1000.0
    )
    pairs = set(zip(found.rows.tolist(), found.cols.tolist(), strict=True))
    broken = set(zip(found.rows[breaking].tolist(), found.cols[breaking].tolist(), strict=True))
    assert broken == set(zip(strict.rows.tolist(), strict.cols.tolist(), strict=True))
    # With a wide margin every left-out pair of a row that could matter comes along.
    assert broken < pairs
    # A budget of no near pairs keeps only the breaking ones.
    capped, capped_breaking = near_violations(
        scores, allowed, rows, mentors, solution, kept.floor, 0.0, margin=1000.0, max_pairs=0
    )
    assert capped_breaking.all()
    assert set(zip(capped.rows.tolist(), capped.cols.tolist(), strict=True)) == broken


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("seed", range(10))
def test_pins_that_fill_mentors_leave_them_out_of_the_pruned_solve(seed, mode):
    # A pinned mentor with no place left is not open: the pruned passes read whole rows and must
    # never offer it, nor count its pairs against the proof.
    scores, allowed, capacity = random_instance(seed, 16, 12, max_capacity=1, forbid=0.2)
    pins = []
    for mentee in range(16):
        mentor = int(np.flatnonzero(allowed[mentee])[0]) if allowed[mentee].any() else -1
        if mentor >= 0 and all(m != mentor for _, m in pins) and len(pins) < 3:
            pins.append((mentee, mentor))
    dense = solve(scores, allowed, capacity, mode=mode, pins=pins, candidates=0)
    pruned = solve(scores, allowed, capacity, mode=mode, pins=pins, candidates=1 + seed % 2)
    assert_feasible(pruned, allowed, capacity)
    assert_same_optimum(dense, pruned, mode)
    pinned_mentors = {m for _, m in pins}
    solved = pruned.mentors[~pruned.pinned]
    assert not pinned_mentors & set(solved.tolist())
