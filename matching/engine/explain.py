"""Why each pair was proposed, who else came close, and why someone is left unmatched.

- A pair's **contributions** are :meth:`Scorer.breakdown` (they add up to its score exactly).
- Its **rationale** is assembled from the profiles: skills the mentor can teach that the mentee
  wants to learn (strongest first), focus topics among them, shared interests, time-zone
  difference, shared availability, language or format problems, and whether the pair bridges
  departments or generations.
- **Runner-up alternatives**: the best other allowed partners of each side by score.
- An **unmatched** person's reason comes from the masks: no mentor (mentee) with a place left; a
  hard rule that excludes every candidate on its own (e.g. "every mentor with a free place is in
  one reporting line with Ana Silva"); several rules together (with counts); or every compatible partner is taken by
  pairs that score higher overall — in an optimal assignment, the only remaining case.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.engine.arrays import BoolArray, FloatArray, IntArray
from matching.engine.profiles import FORMAT_NAMES, SLOT_MINUTES, Cohort
from matching.engine.ranking import Ranking, rank_matrix
from matching.engine.rules import RuleSet
from matching.engine.scoring import CRITERIA, Scorer, breakdown_totals
from matching.engine.solver import Assignment, Mode

MAX_LISTED = 3
_BLOCK_ELEMENTS = 1 << 21


@dataclass(frozen=True)
class Alternative:
    enrollment_id: int
    name: str
    score: float


@dataclass(frozen=True)
class PairExplanation:
    mentor_id: int
    mentee_id: int
    score: float
    contributions: dict[str, float]
    rationale: str
    mentee_alternatives: tuple[Alternative, ...]  # other mentors for this mentee
    mentor_alternatives: tuple[Alternative, ...]  # other mentees for this mentor
    pinned: bool


@dataclass(frozen=True)
class UnmatchedExplanation:
    enrollment_id: int
    name: str
    role: str
    code: str
    reason: str


@dataclass(frozen=True)
class Explanations:
    pairs: tuple[PairExplanation, ...]
    unmatched: tuple[UnmatchedExplanation, ...]


def listing(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _hours(minutes: float) -> str:
    return f"{minutes / 60:g} h"


# --- Rationale -------------------------------------------------------------------------------


def rationale(cohort: Cohort, mentee: int, mentor: int, *, pinned: bool = False) -> str:
    """A plain-language summary of one pair, from their profiles."""
    one = np.asarray([mentee], dtype=np.int64), np.asarray([mentor], dtype=np.int64)
    return rationales(cohort, *one, np.asarray([pinned], dtype=np.bool_))[0]


def _per_pair(mask: BoolArray, order_by: IntArray | None = None) -> list[list[int]]:
    """The columns set in each row of ``mask``, ascending (or by ``order_by`` descending, then
    column)."""
    rows, cols = np.nonzero(mask)
    if order_by is not None:
        order = np.lexsort((cols, -order_by[rows, cols], rows))
        rows, cols = rows[order], cols[order]
    bounds = np.searchsorted(rows, np.arange(len(mask) + 1)).tolist()
    flat = cols.tolist()
    return [flat[bounds[k] : bounds[k + 1]] for k in range(len(mask))]


def rationales(
    cohort: Cohort, mentees: IntArray, mentors: IntArray, pinned: BoolArray
) -> list[str]:
    """:func:`rationale` of aligned pairs, the profile comparisons made for all of them at once."""
    mentor_side, mentee_side = cohort.mentors, cohort.mentees
    teach, learn = mentor_side.skills[mentors], mentee_side.skills[mentees]
    depth = np.minimum(teach, learn).astype(np.int64)
    common_topics = _per_pair((teach > 0) & (learn > 0), depth)
    shared_interests = _per_pair(mentor_side.interests[mentors] & mentee_side.interests[mentees])
    overlaps = (mentor_side.availability[mentors] & mentee_side.availability[mentees]).sum(axis=1)
    languages = (mentor_side.languages[mentors] & mentee_side.languages[mentees]).any(axis=1)
    names, focus = cohort.topic_names, cohort.focus.tolist()
    out: list[str] = []
    for k, (mentee, mentor) in enumerate(zip(mentees.tolist(), mentors.tolist(), strict=True)):
        mentor_name, mentee_name = mentor_side.names[mentor], mentee_side.names[mentee]
        common = common_topics[k]
        parts: list[str] = []
        if common:
            listed = [names[t] for t in common]
            shown = listed[:MAX_LISTED] + (
                [f"{len(listed) - MAX_LISTED} more"] if len(listed) > MAX_LISTED else []
            )
            parts.append(
                f"{mentor_name} can teach {listing(shown)} that {mentee_name} wants to learn"
            )
            in_focus = [names[t] for t in common if focus[t]][:MAX_LISTED]
            if in_focus:
                verb = "is a focus topic" if len(in_focus) == 1 else "are focus topics"
                parts.append(f"{listing(in_focus)} {verb} of the program")
        else:
            parts.append(f"{mentor_name} lists no skill that {mentee_name} wants to learn")
        shared = shared_interests[k]
        if shared:
            parts.append("both care about " + listing([names[t] for t in shared[:MAX_LISTED]]))
        parts.append(
            _time_zone_text(
                int(mentor_side.utc_offset[mentor]), int(mentee_side.utc_offset[mentee])
            )
        )
        overlap = int(overlaps[k])
        parts.append(
            f"{_hours(overlap * SLOT_MINUTES)} of shared weekly availability"
            if overlap
            else "no shared weekly availability yet"
        )
        if not languages[k]:
            parts.append("no common language listed")
        formats = int(mentor_side.meeting_format[mentor]), int(mentee_side.meeting_format[mentee])
        if {0, 1} == set(formats):
            parts.append(
                f"meeting formats differ ({FORMAT_NAMES[formats[0]]} vs {FORMAT_NAMES[formats[1]]})"
            )
        departments = int(mentor_side.department[mentor]), int(mentee_side.department[mentee])
        if min(departments) >= 0:
            parts.append(
                "same department" if departments[0] == departments[1] else "different departments"
            )
        generations = int(mentor_side.generation[mentor]), int(mentee_side.generation[mentee])
        if min(generations) >= 0 and generations[0] != generations[1]:
            parts.append("bridges generations")
        if pinned[k]:
            parts.append("pinned by an administrator")
        out.append("; ".join(parts))
    return out


def _time_zone_text(a: int, b: int) -> str:
    distance = abs(a - b) % (24 * 60)
    distance = min(distance, 24 * 60 - distance)
    return "same time zone" if not distance else f"{_hours(distance)} time-zone difference"


# --- Alternatives ----------------------------------------------------------------------------


def _open_and_free(assignment: Assignment, capacity: IntArray) -> tuple[BoolArray, BoolArray]:
    """Mentors with a place left after the pins, and mentees not pinned."""
    pin_load = np.bincount(assignment.mentors[assignment.pinned], minlength=assignment.n_mentors)
    free = np.ones(assignment.n_mentees, dtype=np.bool_)
    free[assignment.mentees[assignment.pinned]] = False
    return (capacity - pin_load) > 0, free


def _top_in_rows(
    scores: FloatArray, allowed: BoolArray, rows: IntArray, exclude: list[set[int]], k: int
) -> list[list[tuple[int, float]]]:
    """For each of ``rows``, the ``k`` best allowed columns not in ``exclude``, best first (ties:
    the lower column first), read from full matrices."""
    keep = k + max((len(e) for e in exclude), default=0)
    ranking = rank_matrix(
        scores,
        allowed,
        row_keep=keep,
        column_keep=0,
        open_mentors=np.ones(scores.shape[1], dtype=np.bool_),
        free_mentees=np.ones(scores.shape[0], dtype=np.bool_),
        block_elements=_BLOCK_ELEMENTS,
    )
    return ranking.best_mentors(rows, exclude, k)


def _top_in_columns(
    scores: FloatArray, allowed: BoolArray, cols: IntArray, exclude: list[set[int]], k: int
) -> list[list[tuple[int, float]]]:
    """Like :func:`_top_in_rows` for columns (ties: the lower row first)."""
    keep = k + max((len(e) for e in exclude), default=0)
    ranking = rank_matrix(
        scores,
        allowed,
        row_keep=1,
        column_keep=keep,
        open_mentors=np.ones(scores.shape[1], dtype=np.bool_),
        free_mentees=np.ones(scores.shape[0], dtype=np.bool_),
        block_elements=_BLOCK_ELEMENTS,
    )
    return ranking.best_mentees(cols, exclude, k)


def _best(
    scores: FloatArray, allowed: BoolArray, exclude: set[int], k: int
) -> list[tuple[int, float]]:
    order = np.lexsort((np.arange(len(scores)), -scores))
    return [
        (int(i), float(scores[i]))
        for i in order
        if allowed[i] and np.isfinite(scores[i]) and int(i) not in exclude
    ][:k]


def mentee_runner_ups(
    scorer: Scorer, ruleset: RuleSet, mentee: int, exclude: set[int], k: int = MAX_LISTED
) -> tuple[Alternative, ...]:
    """One mentee's best allowed mentors outside ``exclude`` (rows), scored without the matrix:
    what a proposal lists after an administrator changed its mentor."""
    mentors = scorer.cohort.mentors
    columns = np.arange(mentors.size, dtype=np.int64)
    scores = breakdown_totals(
        scorer.breakdown(np.full(mentors.size, mentee, dtype=np.int64), columns)
    )
    forbidden = ruleset.forbidden_for_mentee(mentee).values()
    allowed = ~np.logical_or.reduce(list(forbidden)) if forbidden else np.ones(mentors.size, bool)
    return tuple(
        Alternative(int(mentors.ids[c]), mentors.names[c], s)
        for c, s in _best(scores, allowed, exclude, k)
    )


def mentor_runner_ups(
    scorer: Scorer, ruleset: RuleSet, mentor: int, exclude: set[int], k: int = MAX_LISTED
) -> tuple[Alternative, ...]:
    """One mentor's best allowed mentees outside ``exclude`` (rows)."""
    mentees = scorer.cohort.mentees
    rows = np.arange(mentees.size, dtype=np.int64)
    scores = breakdown_totals(scorer.breakdown(rows, np.full(mentees.size, mentor, dtype=np.int64)))
    forbidden = ruleset.forbidden_for_mentor(mentor).values()
    allowed = ~np.logical_or.reduce(list(forbidden)) if forbidden else np.ones(mentees.size, bool)
    return tuple(
        Alternative(int(mentees.ids[r]), mentees.names[r], s)
        for r, s in _best(scores, allowed, exclude, k)
    )


# --- Unmatched ---------------------------------------------------------------------------------

# Reasons read by the administrator: they name the person and speak of both sides, never "you".
_MENTEE_RULE_TEXT = {
    "junior_mentor": "no mentor with a free place is at least {gap} more junior than {name}",
    "reporting_chain": (
        "every mentor with a free place is in one reporting line with {name} (one manages the "
        "other, within {depth})"
    ),
    "different_department": "every mentor with a free place works in {name}'s department",
    "rotation": "{name} has already been paired with every mentor with a free place",
    "admin_blocks": "an administrator blocked {name} with every mentor with a free place",
    "shared_language": "no mentor with a free place shares a language with {name}",
}
_MENTOR_RULE_TEXT = {
    "junior_mentor": "no mentee is at least {gap} more senior than {name}",
    "reporting_chain": (
        "every mentee is in one reporting line with {name} (one manages the other, within {depth})"
    ),
    "different_department": "every mentee works in {name}'s department",
    "rotation": "{name} has already been paired with every mentee",
    "admin_blocks": "an administrator blocked {name} with every mentee",
    "shared_language": "no mentee shares a language with {name}",
}
_RULE_COUNT_TEXT = {
    "junior_mentor": "{n} not {gap} apart in level",
    "reporting_chain": "{n} in one reporting line with {name}",
    "different_department": "{n} in {name}'s department",
    "rotation": "{n} paired with {name} before",
    "admin_blocks": "{n} blocked with {name} by an administrator",
    "shared_language": "{n} without a language in common with {name}",
}


def _rule_reason(
    forbidden: dict[str, BoolArray],
    candidates: BoolArray,
    texts: dict[str, str],
    words: dict[str, str],
    other: str,
) -> tuple[str, str]:
    for rule, mask in forbidden.items():
        if mask[candidates].all():
            return f"rule:{rule}", texts[rule].format(**words)
    counts = [
        _RULE_COUNT_TEXT[rule].format(n=int(mask[candidates].sum()), **words)
        for rule, mask in forbidden.items()
        if mask[candidates].any()
    ]
    return "rules", f"no {other} passes the hard rules together ({listing(counts)})"


def _unmatched(
    ruleset: RuleSet, ranking: Ranking, assignment: Assignment
) -> list[UnmatchedExplanation]:
    cohort = ruleset.cohort
    mentors, mentees = cohort.mentors, cohort.mentees
    gap = f"{ruleset.rules.level_gap} level" + ("" if ruleset.rules.level_gap == 1 else "s")
    depth = f"{ruleset.rules.chain_levels} level" + ("" if ruleset.rules.chain_levels == 1 else "s")
    open_mentors, free_mentees = _open_and_free(assignment, mentors.capacity)
    score_first = assignment.mode == Mode.SCORE_FIRST
    cost = "the lowest pair score" if assignment.mode == Mode.FAIREST else "the total score"
    out: list[UnmatchedExplanation] = []
    # Compatible partners counted by the ranking's pass over the rows (with the same pins).
    compatible_mentors, compatible_mentees = ranking.mentee_open, ranking.mentor_free
    for row in assignment.unmatched_mentees().tolist():
        compatible = int(compatible_mentors[row])
        if not open_mentors.any():
            code, reason = "no_places", "every mentor's places are taken by pinned pairs"
        elif not compatible:
            words = {"gap": gap, "depth": depth, "name": mentees.names[row]}
            code, reason = _rule_reason(
                ruleset.forbidden_for_mentee(row), open_mentors, _MENTEE_RULE_TEXT, words, "mentor"
            )
        else:
            code = "taken"
            reason = (
                f"all {compatible} compatible mentor(s) are at capacity with better-scoring pairs"
                if score_first
                else f"all {compatible} compatible mentor(s) are at capacity: pairing "
                f"{mentees.names[row]} would "
                f"leave another mentee unmatched or lower {cost}"
            )
        out.append(
            UnmatchedExplanation(int(mentees.ids[row]), mentees.names[row], "mentee", code, reason)
        )
    for col in assignment.unmatched_mentors().tolist():
        compatible = int(compatible_mentees[col])
        if not free_mentees.any():
            code, reason = "no_places", "every mentee is pinned to another mentor"
        elif not compatible:
            words = {"gap": gap, "depth": depth, "name": mentors.names[col]}
            code, reason = _rule_reason(
                ruleset.forbidden_for_mentor(col), free_mentees, _MENTOR_RULE_TEXT, words, "mentee"
            )
        else:
            code = "taken"
            reason = f"all {compatible} compatible mentee(s) are matched with mentors who score higher overall"
        out.append(
            UnmatchedExplanation(int(mentors.ids[col]), mentors.names[col], "mentor", code, reason)
        )
    return out


# --- Entry point -------------------------------------------------------------------------------


def explanation_ranking(
    scores: FloatArray,
    allowed: BoolArray,
    assignment: Assignment,
    capacity: IntArray,
    *,
    alternatives: int = MAX_LISTED,
) -> Ranking:
    """The ranking :func:`explain` needs, from full matrices: ``alternatives`` runners-up per
    side beside the assignment's own pairs, and the counts under its pins."""
    open_mentors, free_mentees = _open_and_free(assignment, capacity)
    most_taken = int(assignment.load().max()) if assignment.matched else 0
    return rank_matrix(
        scores,
        allowed,
        row_keep=alternatives + 1,
        column_keep=alternatives + most_taken,
        open_mentors=open_mentors,
        free_mentees=free_mentees,
        block_elements=_BLOCK_ELEMENTS,
    )


def explain(
    *,
    scorer: Scorer,
    ruleset: RuleSet,
    assignment: Assignment,
    scores: FloatArray | None = None,
    allowed: BoolArray | None = None,
    ranking: Ranking | None = None,
    alternatives: int = MAX_LISTED,
) -> Explanations:
    """Explanations for every proposed pair and every unmatched person of one assignment, from
    a ``ranking`` made with the assignment's pins (its lists long enough for ``alternatives``
    runners-up), or else from full ``scores`` and ``allowed`` matrices."""
    cohort = scorer.cohort
    mentors, mentees = cohort.mentors, cohort.mentees
    if ranking is None:
        if scores is None or allowed is None:
            raise ValueError("Explanations need a ranking or the score and allowed matrices.")
        ranking = explanation_ranking(
            scores, allowed, assignment, mentors.capacity, alternatives=alternatives
        )
    contributions = scorer.breakdown(assignment.mentees, assignment.mentors)
    # The score shown is the in-order sum of the shares shown (equal to the matrix value up to
    # float rounding), so a breakdown always adds up to its score.
    totals = breakdown_totals(contributions).tolist()
    mentor_of = assignment.mentor_of()
    taken_by: list[set[int]] = [set() for _ in range(mentors.size)]
    for mentee, mentor in zip(
        assignment.mentees.tolist(), assignment.mentors.tolist(), strict=True
    ):
        taken_by[mentor].add(mentee)
    mentee_alts = ranking.best_mentors(
        assignment.mentees, [{int(mentor_of[e])} for e in assignment.mentees], alternatives
    )
    used = np.unique(assignment.mentors)
    mentor_alts = dict(
        zip(
            used.tolist(),
            ranking.best_mentees(used, [taken_by[m] for m in used.tolist()], alternatives),
            strict=True,
        )
    )
    texts = rationales(cohort, assignment.mentees, assignment.mentors, assignment.pinned)
    mentor_ids, mentee_ids = mentors.ids.tolist(), mentees.ids.tolist()
    shares = contributions.tolist()
    pinned = assignment.pinned.tolist()
    pairs = []
    for k, (mentee, mentor) in enumerate(
        zip(assignment.mentees.tolist(), assignment.mentors.tolist(), strict=True)
    ):
        pairs.append(
            PairExplanation(
                mentor_id=mentor_ids[mentor],
                mentee_id=mentee_ids[mentee],
                score=totals[k],
                contributions=dict(zip(CRITERIA, shares[k], strict=True)),
                rationale=texts[k],
                mentee_alternatives=tuple(
                    Alternative(mentor_ids[c], mentors.names[c], s) for c, s in mentee_alts[k]
                ),
                mentor_alternatives=tuple(
                    Alternative(mentee_ids[r], mentees.names[r], s) for r, s in mentor_alts[mentor]
                ),
                pinned=pinned[k],
            )
        )
    return Explanations(
        pairs=tuple(pairs), unmatched=tuple(_unmatched(ruleset, ranking, assignment))
    )
