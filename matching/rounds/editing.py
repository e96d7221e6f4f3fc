"""An administrator's edits around a program's rounds: pins (a pair every round proposes), blocks
(a pair no round proposes) and swapping the mentors of two proposed pairs."""

from __future__ import annotations

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from matching import engine
from matching.engine.explain import mentee_runner_ups, mentor_runner_ups
from matching.engine.explain import rationale as pair_rationale
from matching.engine.scoring import breakdown_totals
from matching.loading import LoadedCohort, free_places, load_cohort, open_pair_counts
from matching.models import MatchingBlock, MatchingPin, MatchingRound, ProposedPair, RoundStatus
from matching.rounds import access
from matching.rounds.run import alternatives_payload, round_stats
from organizations.audit import log_action
from participants.models import Enrollment, EnrollmentRole
from programs.models import Program

# --- Pins and blocks ---------------------------------------------------------------------------


def _check_pair_of_program(program: Program, mentor: Enrollment, mentee: Enrollment) -> None:
    errors: dict[str, str] = {}
    if mentor.program_id != program.pk or mentor.role != EnrollmentRole.MENTOR:
        errors["mentor"] = "Choose a mentor enrolled in this program."
    if mentee.program_id != program.pk or mentee.role != EnrollmentRole.MENTEE:
        errors["mentee"] = "Choose a mentee enrolled in this program."
    if errors:
        raise ValidationError(errors)


def _program_rules(program: Program) -> engine.HardRules:
    """The latest round's rules (what the next round most likely uses), else the defaults."""
    latest = MatchingRound.objects.filter(program=program).order_by("-created_at", "-id").first()
    return engine.HardRules(**latest.rules) if latest is not None else engine.HardRules()


def pin_create(
    *, program: Program, actor: User | None, mentor: Enrollment, mentee: Enrollment
) -> MatchingPin:
    """Force a pair in the program's rounds; refused when it breaks a hard rule or a capacity."""
    access.require(actor, program, access.EDIT)
    _check_pair_of_program(program, mentor, mentee)
    paired_mentees, mentor_load = open_pair_counts(program)
    if mentee.pk in paired_mentees:
        raise ValidationError(
            {"mentee": f"{mentee.person.full_name} already has an open pair: end it first."}
        )
    if free_places(mentor, program, mentor_load.get(mentor.pk, 0)) < 1:
        raise ValidationError(
            {"mentor": f"{mentor.person.full_name} has no free place for another mentee."}
        )
    with transaction.atomic():
        loaded = load_cohort(program)
        constraints = engine.Constraints(
            previous_pairs=loaded.constraints.previous_pairs,
            blocks=loaded.constraints.blocks,
            pins=[*loaded.constraints.pins, (mentor.pk, mentee.pk)],
        )
        try:
            engine.RuleSet(loaded.cohort, _program_rules(program), constraints).pin_indices()
        except engine.PinError as exc:
            raise ValidationError(str(exc)) from None
        pin = MatchingPin.objects.create(
            organization_id=program.organization_id,
            program=program,
            mentor=mentor,
            mentee=mentee,
            created_by=actor,
        )
        log_action(
            actor=actor,
            action="matching.pin_create",
            target=pin,
            data={"mentor": mentor.pk, "mentee": mentee.pk},
        )
    return pin


def pin_delete(*, pin: MatchingPin, actor: User | None) -> None:
    access.require(actor, pin, access.EDIT)
    with transaction.atomic():
        log_action(
            actor=actor,
            action="matching.pin_delete",
            target=pin,
            data={"mentor": pin.mentor_id, "mentee": pin.mentee_id},
        )
        pin.delete()


def block_create(
    *, program: Program, actor: User | None, mentor: Enrollment, mentee: Enrollment
) -> MatchingBlock:
    access.require(actor, program, access.EDIT)
    _check_pair_of_program(program, mentor, mentee)
    if MatchingPin.objects.filter(program=program, mentor=mentor, mentee=mentee).exists():
        raise ValidationError("This pair is pinned: remove the pin before blocking it.")
    with transaction.atomic():
        block, created = MatchingBlock.objects.get_or_create(
            organization_id=program.organization_id,
            program=program,
            mentor=mentor,
            mentee=mentee,
            defaults={"created_by": actor},
        )
        if created:
            log_action(
                actor=actor,
                action="matching.block_create",
                target=block,
                data={"mentor": mentor.pk, "mentee": mentee.pk},
            )
    return block


def block_delete(*, block: MatchingBlock, actor: User | None) -> None:
    access.require(actor, block, access.EDIT)
    with transaction.atomic():
        log_action(
            actor=actor,
            action="matching.block_delete",
            target=block,
            data={"mentor": block.mentor_id, "mentee": block.mentee_id},
        )
        block.delete()


def pin_swapped(*, matching_round: MatchingRound, actor: User | None) -> list[MatchingPin]:
    """Pin every pair an administrator swapped in this round, so that a re-run keeps them (each
    pin checked like any other: rules and places). Refused, pinning none, when a swapped mentee
    is already pinned to someone else."""
    access.require(actor, matching_round.program, access.EDIT)
    program = matching_round.program
    swapped = ProposedPair.objects.filter(round=matching_round, swapped=True).select_related(
        "mentor__person", "mentee__person"
    )
    pins: list[MatchingPin] = []
    with transaction.atomic():
        for proposal in swapped.order_by("id"):
            existing = (
                MatchingPin.objects.filter(program=program, mentee_id=proposal.mentee_id)
                .select_related("mentor__person")
                .first()
            )
            if existing is not None and existing.mentor_id == proposal.mentor_id:
                continue
            if existing is not None:
                raise ValidationError(
                    {
                        "swaps": f"{proposal.mentee.person.full_name} is already pinned to "
                        f"{existing.mentor.person.full_name}: remove that pin on the matching "
                        "page, or discard the swaps."
                    }
                )
            pins.append(
                pin_create(
                    program=program, actor=actor, mentor=proposal.mentor, mentee=proposal.mentee
                )
            )
    return pins


# --- Swap --------------------------------------------------------------------------------------


def _rows(loaded: LoadedCohort, pair: ProposedPair) -> tuple[int, int]:
    mentee = loaded.cohort.mentees.index_of(pair.mentee_id)
    mentor = loaded.cohort.mentors.index_of(pair.mentor_id)
    if mentee < 0 or mentor < 0:
        raise ValidationError(
            "An enrolment of this pair changed since the round ran: run it again."
        )
    return mentee, mentor


def _refresh_mentor_runner_ups(
    matching_round: MatchingRound,
    loaded: LoadedCohort,
    scorer: engine.Scorer,
    ruleset: engine.RuleSet,
    mentor_rows: set[int],
) -> None:
    """After a swap, every proposal of the two mentors lists their best mentees besides the ones
    the round now gives them."""
    mentors, mentees = loaded.cohort.mentors, loaded.cohort.mentees
    ids = {int(mentors.ids[row]): row for row in mentor_rows}
    proposals = list(ProposedPair.objects.filter(round=matching_round, mentor_id__in=ids))
    theirs: dict[int, set[int]] = {}
    for proposal in proposals:
        theirs.setdefault(proposal.mentor_id, set()).add(mentees.index_of(proposal.mentee_id))
    # Once per mentor (each scores the whole cohort), not once per proposal.
    listed = {
        mentor_id: alternatives_payload(mentor_runner_ups(scorer, ruleset, ids[mentor_id], rows))
        for mentor_id, rows in theirs.items()
    }
    for proposal in proposals:
        proposal.alternatives = {
            **(proposal.alternatives or {}),
            "mentor": listed[proposal.mentor_id],
        }
    ProposedPair.objects.bulk_update(proposals, ["alternatives"])


def swap(
    *,
    matching_round: MatchingRound,
    pair_a: ProposedPair,
    pair_b: ProposedPair,
    actor: User | None,
    apply: bool = True,
) -> float:
    """Exchange the mentors of two proposed pairs; returns the change in the round's total score.

    Refused when either pair is pinned or a new pair breaks one of the round's hard rules. With
    ``apply=False`` nothing is written (the review page's preview of the cost).
    """
    access.require(actor, matching_round, access.EDIT)
    if matching_round.status != RoundStatus.PROPOSED:
        raise ValidationError("Only a round with proposals that are not yet published can change.")
    if pair_a.round_id != matching_round.pk or pair_b.round_id != matching_round.pk:
        raise ValidationError({"pair_b": "Choose two pairs of this round."})
    if pair_a.pk == pair_b.pk or pair_a.mentor_id == pair_b.mentor_id:
        raise ValidationError({"pair_b": "Choose two pairs with different mentors."})
    if pair_a.pinned or pair_b.pinned:
        raise ValidationError("A pinned pair cannot be swapped: remove the pin first.")
    rules = engine.HardRules(**matching_round.rules)
    loaded = load_cohort(matching_round.program, rematch_for=matching_round.rematch_for)
    ruleset = engine.RuleSet(loaded.cohort, rules, loaded.constraints)
    mentee_a, mentor_a = _rows(loaded, pair_a)
    mentee_b, mentor_b = _rows(loaded, pair_b)
    broken = ruleset.rules_forbidding(mentee_a, mentor_b) + ruleset.rules_forbidding(
        mentee_b, mentor_a
    )
    if broken:
        reasons = "; ".join(dict.fromkeys(rules.label(rule) for rule in broken))
        raise ValidationError(f"This swap breaks a hard rule: {reasons}.")
    scorer = engine.Scorer(loaded.cohort, engine.ScoringConfig(weights=matching_round.weights))
    contributions = scorer.breakdown(
        np.asarray([mentee_a, mentee_b], dtype=np.int64),
        np.asarray([mentor_b, mentor_a], dtype=np.int64),
    )
    score_a, score_b = breakdown_totals(contributions).tolist()
    delta = (score_a + score_b) - (pair_a.score + pair_b.score)
    if not apply:
        return delta
    with transaction.atomic():
        for pair, mentor_id, score, row, mentee_row, mentor_row in (
            (pair_a, pair_b.mentor_id, score_a, 0, mentee_a, mentor_b),
            (pair_b, pair_a.mentor_id, score_b, 1, mentee_b, mentor_a),
        ):
            pair.mentor_id = mentor_id
            pair.swapped = True
            pair.score = score
            pair.breakdown = dict(zip(engine.CRITERIA, contributions[row].tolist(), strict=True))
            pair.rationale = pair_rationale(loaded.cohort, mentee_row, mentor_row)
            runner_ups = mentee_runner_ups(scorer, ruleset, mentee_row, exclude={mentor_row})
            pair.alternatives = {
                **(pair.alternatives or {}),
                "mentee": alternatives_payload(runner_ups),
            }
        ProposedPair.objects.bulk_update(
            [pair_a, pair_b],
            ["mentor", "swapped", "score", "breakdown", "rationale", "alternatives"],
        )
        _refresh_mentor_runner_ups(matching_round, loaded, scorer, ruleset, {mentor_a, mentor_b})
        scores = list(
            ProposedPair.objects.filter(round=matching_round).values_list("score", flat=True)
        )
        stats = matching_round.stats or {}
        matching_round.stats = {
            **round_stats(scores, int(stats.get("unmatched", 0)), stats.get("timings", {})),
        }
        matching_round.save(update_fields=["stats"])
        log_action(
            actor=actor,
            action="matching.swap",
            target=matching_round,
            data={"pairs": [pair_a.pk, pair_b.pk], "delta": delta},
        )
    return delta
