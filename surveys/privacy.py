"""The privacy floor of survey results: no aggregate over fewer than k people, and no way around it
by narrowing filters or subtracting two results (DESIGN.md §4, §5).

k is the organisation's ``min_aggregate_size`` (default 5). The rule, applied by every page, API
body and export of results (``surveys/results/``):

1. **Floor.** An aggregate (a question's distribution, mean and median; a breakdown cell; a paired
   change) is shown only if it is computed over at least k respondents (k pairs for a change).
   Otherwise it reads "too few answers to show" and carries no figure at all, not even its n.
2. **Differencing.** A result filtered by a set of conditions F (role, department, level,
   demographic group; a breakdown cell is its filters plus one more condition) is shown only if,
   for **every coarser query** (F with any subset of its conditions removed, down to no condition
   at all), the difference in respondents is 0 or at least k. Otherwise someone who sees both
   results could subtract them and learn the answers of fewer than k people. Example: 12 people
   answered; the filter "department = Sales" selects 10; the difference is 2 < 5, so the Sales
   result is suppressed although 10 ≥ 5 — the other 2 people's answers could be derived from the
   whole survey minus Sales.
3. The rule is applied to the respondents of each aggregate (those who answered that question, or
   both waves of that anchor item), so an optional question left out by a few people cannot be
   differenced either.

Response rates are not under the floor: they count invitations ("answered" / invited), which the
program's staff see per person anyway; they say nothing about what anyone answered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from organizations.models import Organization

DEFAULT_K = 5
TOO_FEW = "too few answers to show"


def floor_of(organization: Organization) -> int:
    return max(1, int(organization.min_aggregate_size or DEFAULT_K))


@dataclass(frozen=True)
class Decision:
    shown: bool
    reason: str = ""  # why not, for the help text and the tests ("" when shown)


def decide(count_for: Callable[[frozenset[str]], int], filters: frozenset[str], k: int) -> Decision:
    """Whether the result over ``filters`` may be shown, given ``count_for(conditions)``: the number
    of respondents of the same aggregate under any subset of the conditions."""
    n = count_for(filters)
    if n < k:
        return Decision(False, f"fewer than {k} respondents")
    names = sorted(filters)
    for size in range(len(names)):
        for kept in combinations(names, size):
            difference = count_for(frozenset(kept)) - n
            if 0 < difference < k:
                return Decision(False, f"differs from a wider result by fewer than {k} respondents")
    return Decision(True)


class Masks:
    """Boolean masks of the respondents of one aggregate, one per filter condition, so that every
    coarser query's count is one numpy reduction (at most 2⁴ of them for four filters)."""

    def __init__(self, base: np.ndarray, conditions: Mapping[str, np.ndarray]) -> None:
        self.base = base
        self.conditions = dict(conditions)
        self._counts: dict[frozenset[str], int] = {}

    def mask(self, names: frozenset[str]) -> np.ndarray:
        mask = self.base
        for name in names:
            mask = mask & self.conditions[name]
        return mask

    def count(self, names: frozenset[str]) -> int:
        if names not in self._counts:
            self._counts[names] = int(np.count_nonzero(self.mask(names)))
        return self._counts[names]

    def decide(self, k: int, names: frozenset[str] | None = None) -> Decision:
        return decide(self.count, frozenset(self.conditions) if names is None else names, k)
