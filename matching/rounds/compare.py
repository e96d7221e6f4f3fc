"""What-if: two computed rounds of one program side by side (figures and the pairs that change)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from matching import engine
from matching.engine.compare import Figures
from matching.models import MatchingRound, ProposedPair, RoundStatus

COMPUTED = (RoundStatus.PROPOSED, RoundStatus.PUBLISHED)


def round_compare(*, round_a: MatchingRound, round_b: MatchingRound) -> engine.Comparison:
    if round_a.program_id != round_b.program_id:
        raise ValidationError({"with": "Compare rounds of the same program."})
    if round_a.status not in COMPUTED or round_b.status not in COMPUTED:
        raise ValidationError({"with": "Both rounds need proposals first."})
    before = dict(ProposedPair.objects.filter(round=round_a).values_list("mentee_id", "mentor_id"))
    after = dict(ProposedPair.objects.filter(round=round_b).values_list("mentee_id", "mentor_id"))
    score_before = dict(
        ProposedPair.objects.filter(round=round_a).values_list("mentee_id", "score")
    )
    score_after = dict(ProposedPair.objects.filter(round=round_b).values_list("mentee_id", "score"))
    changes = tuple(
        engine.PairChange(
            mentee_id=mentee,
            mentor_before=before.get(mentee),
            mentor_after=after.get(mentee),
            score_before=score_before.get(mentee),
            score_after=score_after.get(mentee),
        )
        for mentee in sorted(set(before) | set(after))
        if before.get(mentee) != after.get(mentee)
    )
    return engine.Comparison(_figures(round_a), _figures(round_b), changes)


def _figures(matching_round: MatchingRound) -> Figures:
    stats = matching_round.stats or {}
    return Figures(
        matched=int(stats.get("matched", 0)),
        total=float(stats.get("total", 0.0)),
        mean=float(stats.get("mean", 0.0)),
        minimum=float(stats.get("minimum", 0.0)),
    )
