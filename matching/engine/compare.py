"""What-if: two assignments of the same cohort (e.g. under two weight sets) side by side."""

from __future__ import annotations

from dataclasses import dataclass

from matching.engine.errors import MatchingError
from matching.engine.profiles import Cohort
from matching.engine.solver import Assignment


@dataclass(frozen=True)
class Figures:
    matched: int
    total: float
    mean: float
    minimum: float

    @classmethod
    def of(cls, assignment: Assignment) -> Figures:
        return cls(assignment.matched, assignment.total, assignment.mean, assignment.minimum)


@dataclass(frozen=True)
class PairChange:
    """A mentee whose mentor differs; ids are enrolment ids, ``None`` when unmatched."""

    mentee_id: int
    mentor_before: int | None
    mentor_after: int | None
    score_before: float | None
    score_after: float | None


@dataclass(frozen=True)
class Comparison:
    before: Figures
    after: Figures
    changes: tuple[PairChange, ...]

    @property
    def unchanged(self) -> int:
        return self.before.matched - sum(1 for c in self.changes if c.mentor_before is not None)


def compare(cohort: Cohort, before: Assignment, after: Assignment) -> Comparison:
    """Matched count, total, mean and minimum score of each, and every mentee whose pair changes.

    Each side's scores are under its own weights (that is the point of a what-if).
    """
    if (before.n_mentees, before.n_mentors) != (after.n_mentees, after.n_mentors):
        raise MatchingError("Only assignments of the same cohort can be compared.")
    mentor_ids, mentee_ids = cohort.mentors.ids, cohort.mentees.ids
    first, second = before.mentor_of(), after.mentor_of()
    score_first = dict(zip(before.mentees.tolist(), before.scores.tolist(), strict=True))
    score_second = dict(zip(after.mentees.tolist(), after.scores.tolist(), strict=True))
    changes = []
    for row in (first != second).nonzero()[0].tolist():
        a, b = int(first[row]), int(second[row])
        changes.append(
            PairChange(
                mentee_id=int(mentee_ids[row]),
                mentor_before=int(mentor_ids[a]) if a >= 0 else None,
                mentor_after=int(mentor_ids[b]) if b >= 0 else None,
                score_before=score_first.get(row),
                score_after=score_second.get(row),
            )
        )
    return Comparison(Figures.of(before), Figures.of(after), tuple(changes))
