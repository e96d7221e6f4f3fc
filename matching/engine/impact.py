"""What each hard rule removes, before a round runs: so that a rule set that leaves nobody to pair
is caught on the form, not after a run.

For every enabled rule on its own: how many of the possible (mentee, mentor) pairs it forbids, and
how many mentees (mentors) it leaves with no allowed partner. For the rules together: the pairs
still allowed, the people left with no allowed partner, and the most pairs any round could make
(a maximum-cardinality matching with the mentors' capacities, by Hopcroft-Karp on the allowed
pairs; left out above ``MOST_PAIRS_MAX_EDGES`` allowed mentee-place edges, where it would cost
more than the page is worth). Computed in row blocks, like :meth:`RuleSet.allowed_matrix`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.engine.arrays import BoolArray, IntArray
from matching.engine.rules import DEFAULT_BLOCK_ELEMENTS, RuleSet
from matching.engine.solver import max_pairs

MOST_PAIRS_MAX_EDGES = 5_000_000


@dataclass(frozen=True)
class RuleImpact:
    rule: str
    excluded: int
    mentees_without: int
    mentors_without: int


@dataclass(frozen=True)
class Impact:
    mentees: int
    mentors: int
    rules: tuple[RuleImpact, ...]
    allowed: int
    mentees_without: int
    mentors_without: int
    most_pairs: int | None

    @property
    def possible(self) -> int:
        return self.mentees * self.mentors

    def share(self, count: int) -> float:
        """``count`` as a fraction of the possible pairs (0 when there are none)."""
        return count / self.possible if self.possible else 0.0


def most_pairs(allowed: BoolArray, capacity: IntArray) -> int:
    """The largest number of mentees that can be matched at once (each mentor ``capacity``
    places): :func:`matching.engine.solver.max_pairs` over every mentee."""
    return max_pairs(allowed, capacity.astype(np.int64), np.ones(allowed.shape[0], dtype=np.bool_))


def rule_impact(
    ruleset: RuleSet, capacity: IntArray, *, block_elements: int = DEFAULT_BLOCK_ELEMENTS
) -> Impact:
    n_mentees, n_mentors = ruleset.shape
    rules = ruleset.enabled
    excluded = dict.fromkeys(rules, 0)
    mentee_has = {rule: np.zeros(n_mentees, dtype=np.bool_) for rule in rules}
    mentor_has = {rule: np.zeros(n_mentors, dtype=np.bool_) for rule in rules}
    allowed = np.ones((n_mentees, n_mentors), dtype=np.bool_)
    step = max(1, block_elements // max(n_mentors, 1))
    for start in range(0, n_mentees, step):
        rows = slice(start, min(start + step, n_mentees))
        for rule in rules:
            forbidden = ruleset.forbidden(rule, rows, slice(None), outer=True)
            excluded[rule] += int(forbidden.sum())
            mentee_has[rule][rows] = (~forbidden).any(axis=1)
            mentor_has[rule] |= (~forbidden).any(axis=0)
            allowed[rows] &= ~forbidden
    edges = int((allowed.sum(axis=0) * np.minimum(capacity, n_mentees)).sum())
    return Impact(
        mentees=n_mentees,
        mentors=n_mentors,
        rules=tuple(
            RuleImpact(
                rule=rule,
                excluded=excluded[rule],
                mentees_without=int((~mentee_has[rule]).sum()) if n_mentors else n_mentees,
                mentors_without=int((~mentor_has[rule]).sum()) if n_mentees else n_mentors,
            )
            for rule in rules
        ),
        allowed=int(allowed.sum()),
        mentees_without=int((~allowed.any(axis=1)).sum()),
        mentors_without=int((~allowed.any(axis=0)).sum()),
        most_pairs=most_pairs(allowed, capacity) if edges <= MOST_PAIRS_MAX_EDGES else None,
    )
