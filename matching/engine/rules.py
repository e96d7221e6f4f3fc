"""Hard rules of reverse mentoring as boolean masks over (mentee, mentor) pairs.

Each rule is toggled per round and says which pairs it *forbids*:

- ``junior_mentor``: ``level(mentee) - level(mentor) < N`` (the mentor must be at least ``N``
  levels more junior; a higher level is more senior). Unknown levels pass unless
  ``allow_unknown_level`` is off.
- ``reporting_chain``: one is among the other's first ``k`` managers, in either direction.
- ``different_department``: both in the same (known) department.
- ``rotation``: the two people were paired before (either role).
- ``admin_blocks``: an administrator blocked the pair.
- ``shared_language``: they have no language in common (off by default; language is also a score).

Value rules (level, department, language) are compared vectorised; pair-list rules (chain,
rotation, blocks) are kept as index arrays and scattered into a block when needed, so the reasons
for any pair, row or column are computed on demand rather than stored for every pair.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from matching.engine.arrays import BoolArray, Index, IntArray
from matching.engine.errors import ConfigError, PinError
from matching.engine.pairs import Pairs, positions
from matching.engine.profiles import Cohort

RULES: tuple[str, ...] = (
    "junior_mentor",
    "reporting_chain",
    "different_department",
    "rotation",
    "admin_blocks",
    "shared_language",
)
DEFAULT_BLOCK_ELEMENTS = 1 << 23


@dataclass(frozen=True)
class HardRules:
    """Which rules apply in a round, with their parameters."""

    junior_mentor: bool = True
    level_gap: int = 1
    allow_unknown_level: bool = True
    reporting_chain: bool = True
    # The manager and the manager's manager. Three levels left a typical organisation's chief
    # executive with no allowed mentor at all (every junior is within three levels of them).
    chain_levels: int = 2
    different_department: bool = False
    rotation: bool = True
    admin_blocks: bool = True
    shared_language: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.level_gap <= 98:
            raise ConfigError("The level gap must be from 0 to 98.")
        if not 1 <= self.chain_levels <= 64:
            raise ConfigError("The reporting-chain depth must be from 1 to 64 levels.")

    @property
    def enabled(self) -> tuple[str, ...]:
        return tuple(rule for rule in RULES if getattr(self, rule))

    def label(self, rule: str) -> str:
        """What a rule requires, for messages."""
        return {
            "junior_mentor": f"the mentor must be at least {_levels(self.level_gap)} more junior",
            "reporting_chain": (
                f"neither may be in the other's reporting chain ({_levels(self.chain_levels)})"
            ),
            "different_department": "they must be in different departments",
            "rotation": "they must not have been paired before",
            "admin_blocks": "an administrator blocked this pair",
            "shared_language": "they must share a language",
        }[rule]


def _levels(count: int) -> str:
    return f"{count} level" + ("" if count == 1 else "s")


@dataclass(frozen=True)
class Constraints:
    """Round inputs beyond the profiles.

    ``previous_pairs`` are person ids ``(mentor, mentee)`` from earlier rounds (matched in either
    order); ``blocks`` and ``pins`` are enrolment ids ``(mentor, mentee)`` of this round.
    """

    previous_pairs: Collection[tuple[int, int]] = ()
    blocks: Collection[tuple[int, int]] = ()
    pins: Sequence[tuple[int, int]] = ()


def _lookup(keys: IntArray, query: IntArray) -> IntArray:
    """Row of each ``query`` value in ``keys`` (unique values), or -1."""
    out = np.full(len(query), -1, dtype=np.int64)
    if not len(keys) or not len(query):
        return out
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    spot = np.minimum(np.searchsorted(ranked, query), len(ranked) - 1)
    found = ranked[spot] == query
    out[found] = order[spot[found]]
    return out


class RuleSet:
    """The rules of one round evaluated over one cohort."""

    def __init__(
        self, cohort: Cohort, rules: HardRules, constraints: Constraints | None = None
    ) -> None:
        self.cohort, self.rules = cohort, rules
        self.constraints = constraints or Constraints()
        self.enabled = rules.enabled
        self._pair_lists: dict[str, tuple[IntArray, IntArray]] = {}
        if rules.reporting_chain:
            self._pair_lists["reporting_chain"] = self._chain_pairs()
        if rules.rotation:
            self._pair_lists["rotation"] = self._previous_pairs()
        if rules.admin_blocks:
            self._pair_lists["admin_blocks"] = self._blocked_pairs()

    @property
    def shape(self) -> tuple[int, int]:
        return self.cohort.mentees.size, self.cohort.mentors.size

    # --- Pair lists ----------------------------------------------------------------------------

    def _chain_pairs(self) -> tuple[IntArray, IntArray]:
        mentors, mentees = self.cohort.mentors, self.cohort.mentees
        depth = self.rules.chain_levels
        mentee_rows, mentor_rows = [], []
        # A mentee's managers who are mentors, and a mentor's managers who are mentees.
        above = mentees.ancestors[:, :depth]
        hit = _lookup(mentors.person_ids, above.ravel()).reshape(above.shape)
        rows, cols = np.nonzero(hit >= 0)
        mentee_rows.append(rows)
        mentor_rows.append(hit[rows, cols])
        above = mentors.ancestors[:, :depth]
        hit = _lookup(mentees.person_ids, above.ravel()).reshape(above.shape)
        rows, cols = np.nonzero(hit >= 0)
        mentor_rows.append(rows)
        mentee_rows.append(hit[rows, cols])
        return _unique_pairs(np.concatenate(mentee_rows), np.concatenate(mentor_rows))

    def _previous_pairs(self) -> tuple[IntArray, IntArray]:
        pairs = np.asarray(list(self.constraints.previous_pairs), dtype=np.int64).reshape(-1, 2)
        mentors, mentees = self.cohort.mentors, self.cohort.mentees
        both = np.concatenate([pairs, pairs[:, ::-1]])
        mentor = _lookup(mentors.person_ids, both[:, 0])
        mentee = _lookup(mentees.person_ids, both[:, 1])
        keep = (mentor >= 0) & (mentee >= 0)
        return _unique_pairs(mentee[keep], mentor[keep])

    def _blocked_pairs(self) -> tuple[IntArray, IntArray]:
        pairs = np.asarray(list(self.constraints.blocks), dtype=np.int64).reshape(-1, 2)
        mentor = _lookup(self.cohort.mentors.ids, pairs[:, 0])
        mentee = _lookup(self.cohort.mentees.ids, pairs[:, 1])
        keep = (mentor >= 0) & (mentee >= 0)  # people no longer in the round are ignored
        return _unique_pairs(mentee[keep], mentor[keep])

    # --- Masks ---------------------------------------------------------------------------------

    def forbidden(self, rule: str, mentees: Index, mentors: Index, *, outer: bool) -> BoolArray:
        """Pairs that ``rule`` forbids, outer ``(b, m)`` or aligned ``(k,)``."""
        pairs = Pairs(mentees, mentors, outer=outer)
        mentee_side, mentor_side = self.cohort.mentees, self.cohort.mentors
        if rule in self._pair_lists:
            return self._scatter(self._pair_lists[rule], pairs)
        if rule == "junior_mentor":
            a, b = pairs.e(mentee_side.level), pairs.m(mentor_side.level)
            known = (a >= 0) & (b >= 0)
            too_senior = known & (a - b < self.rules.level_gap)
            return too_senior if self.rules.allow_unknown_level else too_senior | ~known
        if rule == "different_department":
            a, b = pairs.e(mentee_side.department), pairs.m(mentor_side.department)
            return (a == b) & (a >= 0)
        if rule == "shared_language":
            shared = (pairs.e(mentee_side.languages) & pairs.m(mentor_side.languages)) != 0
            return ~shared.any(axis=-1)
        raise ConfigError(f"Unknown rule “{rule}”: use one of {', '.join(RULES)}.")

    def _scatter(self, pair_list: tuple[IntArray, IntArray], pairs: Pairs) -> BoolArray:
        listed_mentees, listed_mentors = pair_list
        n_mentees, n_mentors = self.shape
        if not pairs.outer:
            mentees = np.asarray(pairs.mentees, dtype=np.int64)
            mentors = np.asarray(pairs.mentors, dtype=np.int64)
            keys = listed_mentees * n_mentors + listed_mentors
            return np.isin(mentees * n_mentors + mentors, keys)
        mentee_at, mentee_rows = positions(pairs.mentees, n_mentees)
        mentor_at, mentor_rows = positions(pairs.mentors, n_mentors)
        out = np.zeros((len(mentee_rows), len(mentor_rows)), dtype=np.bool_)
        row, col = mentee_at[listed_mentees], mentor_at[listed_mentors]
        keep = (row >= 0) & (col >= 0)
        out[row[keep], col[keep]] = True
        return out

    def allowed_block(self, rows: Index) -> BoolArray:
        """Pairs of the mentees in ``rows`` with every mentor that no enabled rule forbids."""
        n_rows = len(positions(rows, self.shape[0])[1])
        allowed = np.ones((n_rows, self.shape[1]), dtype=np.bool_)
        for rule in self.enabled:
            allowed &= ~self.forbidden(rule, rows, slice(None), outer=True)
        return allowed

    def allowed_matrix(self, *, block_elements: int = DEFAULT_BLOCK_ELEMENTS) -> BoolArray:
        n_mentees, n_mentors = self.shape
        out = np.empty((n_mentees, n_mentors), dtype=np.bool_)
        step = max(1, block_elements // max(n_mentors, 1))
        for start in range(0, n_mentees, step):
            rows = slice(start, min(start + step, n_mentees))
            out[rows] = self.allowed_block(rows)
        return out

    # --- Reasons -------------------------------------------------------------------------------

    def rules_forbidding(self, mentee: int, mentor: int) -> list[str]:
        """The enabled rules that forbid one pair, in ``RULES`` order."""
        e, m = np.asarray([mentee], dtype=np.int64), np.asarray([mentor], dtype=np.int64)
        return [rule for rule in self.enabled if self.forbidden(rule, e, m, outer=False)[0]]

    def forbidden_for_mentee(self, mentee: int) -> dict[str, BoolArray]:
        """For each enabled rule, which mentors it forbids for this mentee."""
        row = slice(mentee, mentee + 1)
        return {
            rule: self.forbidden(rule, row, slice(None), outer=True)[0] for rule in self.enabled
        }

    def forbidden_for_mentor(self, mentor: int) -> dict[str, BoolArray]:
        """For each enabled rule, which mentees it forbids for this mentor."""
        col = slice(mentor, mentor + 1)
        return {
            rule: self.forbidden(rule, slice(None), col, outer=True)[:, 0] for rule in self.enabled
        }

    def pin_indices(self) -> list[tuple[int, int]]:
        """The round's pins as ``(mentee row, mentor row)``; :class:`PinError` when one is invalid:
        an unknown enrolment, a mentee pinned twice, more pins than a mentor's capacity, or a pin
        that breaks an enabled hard rule (the message names the rules)."""
        mentors, mentees = self.cohort.mentors, self.cohort.mentees
        out: list[tuple[int, int]] = []
        load = np.zeros(mentors.size, dtype=np.int64)
        pinned_mentees: set[int] = set()
        for mentor_id, mentee_id in self.constraints.pins:
            mentor, mentee = mentors.index_of(mentor_id), mentees.index_of(mentee_id)
            if mentor < 0:
                raise PinError(f"Cannot pin: enrolment {mentor_id} is not a mentor in this round.")
            if mentee < 0:
                raise PinError(f"Cannot pin: enrolment {mentee_id} is not a mentee in this round.")
            names = f"{mentors.names[mentor]} with {mentees.names[mentee]}"
            if mentee in pinned_mentees:
                raise PinError(f"Cannot pin {names}: {mentees.names[mentee]} is already pinned.")
            load[mentor] += 1
            if load[mentor] > mentors.capacity[mentor]:
                raise PinError(
                    f"Cannot pin {names}: {mentors.names[mentor]} takes at most "
                    f"{mentors.capacity[mentor]} mentee(s)."
                )
            broken = self.rules_forbidding(mentee, mentor)
            if broken:
                reasons = "; ".join(self.rules.label(rule) for rule in broken)
                raise PinError(f"Cannot pin {names}: it breaks a hard rule ({reasons}).")
            pinned_mentees.add(mentee)
            out.append((mentee, mentor))
        return out


def _unique_pairs(mentees: IntArray, mentors: IntArray) -> tuple[IntArray, IntArray]:
    stacked = np.unique(np.stack([mentees, mentors], axis=1).reshape(-1, 2), axis=0)
    return stacked[:, 0].astype(np.int64), stacked[:, 1].astype(np.int64)
