"""The solver is optimal (checked against brute force and networkx) in every mode."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from matching.engine import Assignment, EmptyCohortError, Mode, PinError, greedy, solve
from tests.matching.helpers import random_instance


def assert_feasible(result: Assignment, allowed: np.ndarray, capacity: np.ndarray) -> None:
    assert len(set(result.mentees.tolist())) == result.matched, "a mentee was matched twice"
    assert allowed[result.mentees, result.mentors].all(), "a forbidden pair was proposed"
    assert (result.load() <= capacity).all(), "a mentor got more mentees than places"


def brute_force(scores, allowed, capacity, *, mode: Mode, pins=()) -> tuple[int, float, float]:
    """Best (pairs, lowest score, total) over every assignment of each mentee to an allowed mentor
    or nobody (pinned mentees: their pin only), ranked as the mode ranks them: total only; pairs
    then total; pairs, then the lowest score, then total."""
    n_mentees, n_mentors = scores.shape
    best: tuple[float, ...] = (-1, -1.0, -1.0)
    found = (0, 0.0, 0.0)
    pinned = dict(pins)
    options = [
        [pinned[e]] if e in pinned else [None, *[m for m in range(n_mentors) if allowed[e, m]]]
        for e in range(n_mentees)
    ]
    for choice in itertools.product(*options):
        chosen = [m for m in choice if m is not None]
        if any(chosen.count(m) > capacity[m] for m in set(chosen)):
            continue
        picked = [float(scores[e, m]) for e, m in enumerate(choice) if m is not None]
        total, lowest = sum(picked), min(picked, default=0.0)
        if mode == Mode.SCORE_FIRST:
            key: tuple[float, ...] = (0, 0.0, total)
        elif mode == Mode.MAX_MATCHED_FIRST:
            key = (len(chosen), 0.0, total)
        else:
            key = (len(chosen), lowest, total)
        if key > best:
            best, found = key, (len(chosen), lowest, total)
    return found


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize(
    ("n_mentees", "n_mentors", "max_capacity"), [(5, 5, 1), (6, 4, 2), (4, 6, 1)]
)
@pytest.mark.parametrize("seed", range(12))
def test_solver_matches_brute_force(seed, n_mentees, n_mentors, max_capacity, mode):
    scores, allowed, capacity = random_instance(
        seed, n_mentees, n_mentors, max_capacity=max_capacity, forbid=0.35
    )
    result = solve(scores, allowed, capacity, mode=mode)
    assert_feasible(result, allowed, capacity)
    best_pairs, best_lowest, best_total = brute_force(scores, allowed, capacity, mode=mode)
    if mode != Mode.SCORE_FIRST:
        assert result.matched == best_pairs
    if mode == Mode.FAIREST:
        assert result.minimum == best_lowest
    assert result.total == pytest.approx(best_total, abs=1e-6)


def min_cost_flow_optimum(scores, allowed, capacity, *, max_matched: bool) -> tuple[int, int]:
    """(pairs, total) from networkx network simplex: source → mentee → mentor → sink, plus a
    bypass per mentee (unmatched), which costs more than any pair in "most matched" mode."""
    n_mentees, n_mentors = scores.shape
    penalty = int(100 * (n_mentees + 1)) if max_matched else 0
    graph = nx.DiGraph()
    graph.add_node("s", demand=-n_mentees)
    graph.add_node("t", demand=n_mentees)
    for e in range(n_mentees):
        graph.add_edge("s", ("e", e), capacity=1, weight=0)
        graph.add_edge(("e", e), "t", capacity=1, weight=penalty)
        for m in range(n_mentors):
            if allowed[e, m]:
                graph.add_edge(("e", e), ("m", m), capacity=1, weight=-int(scores[e, m]))
    for m in range(n_mentors):
        graph.add_edge(("m", m), "t", capacity=int(capacity[m]), weight=0)
    flow = nx.min_cost_flow(graph)
    pairs = [
        (e, m) for e in range(n_mentees) for m in range(n_mentors) if flow[("e", e)].get(("m", m))
    ]
    return len(pairs), int(sum(scores[e, m] for e, m in pairs))


@pytest.mark.parametrize("mode", [Mode.SCORE_FIRST, Mode.MAX_MATCHED_FIRST])
@pytest.mark.parametrize("seed", range(6))
def test_solver_matches_min_cost_flow_with_capacities(seed, mode):
    scores, allowed, capacity = random_instance(seed, 40, 25, max_capacity=3, forbid=0.6)
    result = solve(scores, allowed, capacity, mode=mode)
    assert_feasible(result, allowed, capacity)
    pairs, total = min_cost_flow_optimum(
        scores, allowed, capacity, max_matched=mode == Mode.MAX_MATCHED_FIRST
    )
    if mode == Mode.MAX_MATCHED_FIRST:
        assert result.matched == pairs
    assert result.total == pytest.approx(total, abs=1e-6)


@pytest.mark.parametrize("mode", [Mode.SCORE_FIRST, Mode.MAX_MATCHED_FIRST])
@pytest.mark.parametrize("seed", range(4))
def test_solver_matches_networkx_max_weight_matching(seed, mode):
    scores, allowed, capacity = random_instance(seed, 30, 30, forbid=0.7)
    result = solve(scores, allowed, capacity, mode=mode)
    graph = nx.Graph()
    for e, m in zip(*np.nonzero(allowed), strict=True):
        # +1 so that a score-0 pair still counts as an edge worth taking, as in our solver
        graph.add_edge(("e", int(e)), ("m", int(m)), weight=int(scores[e, m]) * 1000 + 1)
    matching = nx.max_weight_matching(graph, maxcardinality=mode == Mode.MAX_MATCHED_FIRST)
    total = sum(graph.edges[u, v]["weight"] // 1000 for u, v in matching)
    if mode == Mode.MAX_MATCHED_FIRST:
        assert result.matched == len(matching)
    assert result.total == pytest.approx(total, abs=1e-6)


def test_greedy_is_provably_worse_on_a_crafted_instance():
    # Greedy takes the single best pair (10) and is left with 0; the optimum is 9 + 9.
    scores = np.asarray([[10.0, 9.0], [9.0, 0.0]])
    allowed = np.asarray([[True, True], [True, False]])
    capacity = np.ones(2, dtype=np.int64)
    ours = solve(scores, allowed, capacity)
    baseline = greedy(scores, allowed, capacity)
    assert (ours.total, ours.matched) == (18.0, 2)
    assert (baseline.total, baseline.matched) == (10.0, 1)


@pytest.mark.parametrize("seed", range(10))
def test_greedy_never_beats_the_optimum(seed):
    scores, allowed, capacity = random_instance(seed, 30, 20, max_capacity=2)
    baseline = greedy(scores, allowed, capacity, candidates=3)  # forces the widening path
    assert_feasible(baseline, allowed, capacity)
    assert baseline.total <= solve(scores, allowed, capacity).total + 1e-9


def test_greedy_takes_pairs_in_descending_score_order():
    scores = np.asarray([[5.0, 4.0, 3.0], [6.0, 1.0, 2.0], [7.0, 8.0, 0.5]])
    allowed = np.ones((3, 3), dtype=bool)
    result = greedy(scores, allowed, np.ones(3, dtype=np.int64), candidates=1)
    assert dict(zip(result.mentees.tolist(), result.mentors.tolist(), strict=True)) == {
        2: 1,  # 8 first
        1: 0,  # then 6
        0: 2,  # mentee 0's 5 and 4 are taken: 3
    }


def test_most_matched_first_trades_score_for_pairs():
    # Ana scores 100 with Xi and 1 with Yu; Bo can only take Xi (50).
    scores = np.asarray([[100.0, 1.0], [50.0, 0.0]])
    allowed = np.asarray([[True, True], [True, False]])
    capacity = np.ones(2, dtype=np.int64)
    score_first = solve(scores, allowed, capacity, mode=Mode.SCORE_FIRST)
    most = solve(scores, allowed, capacity, mode=Mode.MAX_MATCHED_FIRST)
    assert (score_first.matched, score_first.total) == (1, 100.0)
    assert (most.matched, most.total) == (2, 51.0)


def test_score_first_still_matches_allowed_pairs_of_score_zero():
    scores = np.zeros((2, 2))
    allowed = np.asarray([[True, False], [False, True]])
    result = solve(scores, allowed, np.ones(2, dtype=np.int64))
    assert result.matched == 2


def test_forbidden_pairs_are_never_proposed_even_when_nothing_is_allowed():
    scores = np.full((3, 3), 90.0)
    allowed = np.zeros((3, 3), dtype=bool)
    for mode in Mode:
        assert solve(scores, allowed, np.ones(3, dtype=np.int64), mode=mode).matched == 0


def test_capacity_is_respected_and_used():
    scores = np.asarray([[90.0, 10.0], [80.0, 10.0], [70.0, 10.0]])
    allowed = np.ones((3, 2), dtype=bool)
    result = solve(scores, allowed, np.asarray([2, 1]))
    assert result.load().tolist() == [2, 1]
    assert sorted(result.mentees[result.mentors == 0].tolist()) == [0, 1]


def test_pin_is_forced_and_uses_a_place():
    scores = np.asarray([[90.0, 10.0], [80.0, 70.0]])
    allowed = np.ones((2, 2), dtype=bool)
    capacity = np.ones(2, dtype=np.int64)
    result = solve(scores, allowed, capacity, pins=[(1, 0)])
    assert result.mentor_of().tolist() == [1, 0]
    assert result.pinned.tolist() == [False, True]
    assert result.total == 90.0


def test_pin_of_a_forbidden_pair_is_refused():
    allowed = np.asarray([[False, True]])
    with pytest.raises(PinError, match="breaks a rule"):
        solve(np.ones((1, 2)), allowed, np.ones(2, dtype=np.int64), pins=[(0, 0)])


def test_more_pins_than_places_are_refused():
    with pytest.raises(PinError, match="more pins than places"):
        solve(np.ones((2, 1)), np.ones((2, 1), bool), np.ones(1, np.int64), pins=[(0, 0), (1, 0)])


def test_empty_cohort_is_a_clear_error():
    with pytest.raises(EmptyCohortError, match="at least one mentor and one mentee"):
        solve(np.zeros((0, 3)), np.zeros((0, 3), bool), np.ones(3, dtype=np.int64))


def test_report_figures():
    scores = np.asarray([[60.0, 0.0], [0.0, 30.0]])
    result = solve(scores, np.ones((2, 2), bool), np.ones(2, np.int64))
    assert (result.matched, result.total, result.mean, result.minimum) == (2, 90.0, 45.0, 30.0)
    assert result.seconds >= 0
