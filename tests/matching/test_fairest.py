"""The fairest mode: as many pairs as possible, then the highest lowest pair score, then the
highest total — checked against brute force on small random instances (with capacities, forbidden
pairs, ties and pins) and against networkx on larger ones."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from matching.engine import Mode, solve
from matching.engine.solver import apply_pins, bottleneck_threshold
from tests.matching.helpers import random_instance
from tests.matching.test_solver import assert_feasible, brute_force


@pytest.mark.parametrize(
    ("n_mentees", "n_mentors", "max_capacity", "forbid"),
    [(5, 5, 1, 0.35), (6, 4, 2, 0.35), (4, 6, 1, 0.5), (7, 3, 3, 0.2), (6, 6, 1, 0.0)],
)
@pytest.mark.parametrize("seed", range(40))
def test_fairest_matches_brute_force(seed, n_mentees, n_mentors, max_capacity, forbid):
    scores, allowed, capacity = random_instance(
        seed, n_mentees, n_mentors, max_capacity=max_capacity, forbid=forbid
    )
    result = solve(scores, allowed, capacity, mode=Mode.FAIREST)
    assert_feasible(result, allowed, capacity)
    pairs, lowest, total = brute_force(scores, allowed, capacity, mode=Mode.FAIREST)
    assert (result.matched, result.minimum) == (pairs, lowest)
    assert result.total == pytest.approx(total, abs=1e-6)


@pytest.mark.parametrize("seed", range(30))
def test_fairest_with_a_pin_matches_brute_force(seed):
    scores, allowed, capacity = random_instance(seed, 5, 4, max_capacity=2, forbid=0.3)
    rng = np.random.default_rng(1000 + seed)
    candidates = np.argwhere(allowed)
    assert len(candidates), "the instance must allow a pair to pin"
    mentee, mentor = (int(v) for v in candidates[rng.integers(len(candidates))])
    pins = [(mentee, mentor)]
    result = solve(scores, allowed, capacity, mode=Mode.FAIREST, pins=pins)
    assert_feasible(result, allowed, capacity)
    assert result.mentor_of()[mentee] == mentor
    pairs, lowest, total = brute_force(scores, allowed, capacity, mode=Mode.FAIREST, pins=pins)
    assert (result.matched, result.minimum) == (pairs, lowest)
    assert result.total == pytest.approx(total, abs=1e-6)


def _networkx_max_matching(scores, allowed, *, at_least: float | None = None, weighted: bool):
    graph = nx.Graph()
    for e, m in zip(*np.nonzero(allowed), strict=True):
        if at_least is None or scores[e, m] >= at_least:
            weight = int(scores[e, m]) * 1000 + 1 if weighted else 1
            graph.add_edge(("e", int(e)), ("m", int(m)), weight=weight)
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    return len(matching), sum(graph.edges[u, v]["weight"] // 1000 for u, v in matching)


@pytest.mark.parametrize("seed", range(4))
def test_fairest_matches_networkx_on_larger_instances(seed):
    """30 x 30: the same number of pairs as a maximum-cardinality matching; no matching of that
    size uses only pairs above our lowest score (so it cannot be raised); and our total is the best
    among matchings of that size whose pairs all reach it."""
    scores, allowed, capacity = random_instance(seed, 30, 30, forbid=0.7)
    result = solve(scores, allowed, capacity, mode=Mode.FAIREST)
    assert_feasible(result, allowed, capacity)
    most, _ = _networkx_max_matching(scores, allowed, weighted=False)
    assert result.matched == most
    above, _ = _networkx_max_matching(
        scores, allowed & (scores > result.minimum), at_least=None, weighted=False
    )
    assert above < most
    size, total = _networkx_max_matching(scores, allowed, at_least=result.minimum, weighted=True)
    assert size == most
    assert result.total == pytest.approx(total, abs=1e-6)


def test_fairest_gives_no_one_a_poor_partner_to_lift_the_total():
    # Highest total: Ana-Xi 100 + Bo-Yu 10 = 110. Fairest: Ana-Yu 60 + Bo-Xi 45 = 105, lowest 45.
    scores = np.asarray([[100.0, 60.0], [45.0, 10.0]])
    allowed = np.ones((2, 2), dtype=bool)
    capacity = np.ones(2, dtype=np.int64)
    highest = solve(scores, allowed, capacity, mode=Mode.SCORE_FIRST)
    fairest = solve(scores, allowed, capacity, mode=Mode.FAIREST)
    assert (highest.total, highest.minimum) == (110.0, 10.0)
    assert (fairest.total, fairest.minimum) == (105.0, 45.0)
    assert fairest.mentor_of().tolist() == [1, 0]
    assert fairest.mode == "fairest"


def test_fairest_then_takes_the_best_total_among_equally_fair_assignments():
    # Every full assignment here has lowest score 50; the total decides (50 + 90 beats 50 + 60).
    scores = np.asarray([[50.0, 50.0, 0.0], [90.0, 60.0, 0.0]])
    allowed = np.asarray([[True, True, False], [True, True, False]])
    result = solve(scores, allowed, np.ones(3, dtype=np.int64), mode=Mode.FAIREST)
    assert result.mentor_of().tolist() == [1, 0]
    assert (result.minimum, result.total) == (50.0, 140.0)


def test_fairest_never_drops_a_pair_to_raise_the_lowest_score():
    # Leaving Bo unmatched would make the lowest score 90; fairest still matches both.
    scores = np.asarray([[90.0, 80.0], [5.0, 0.0]])
    allowed = np.asarray([[True, True], [True, False]])
    result = solve(scores, allowed, np.ones(2, dtype=np.int64), mode=Mode.FAIREST)
    assert result.matched == 2
    assert result.minimum == 5.0


def test_threshold_is_none_when_nobody_can_be_matched():
    scores = np.full((2, 2), 50.0)
    allowed = np.zeros((2, 2), dtype=bool)
    capacity = np.ones(2, dtype=np.int64)
    remaining, free = apply_pins((), allowed, capacity)
    assert bottleneck_threshold(scores, allowed, remaining, free) is None
    assert solve(scores, allowed, capacity, mode=Mode.FAIREST).matched == 0
