"""Writes on matching: keyword-only, typed, atomic, validated, audited.

The engine (``matching.engine``) does the maths; these services validate a round's config, queue
it, store what the engine proposes, let an administrator pin, block and swap, and publish pairs.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from matching import engine, signals
from matching.engine.explain import mentee_runner_ups, mentor_runner_ups
from matching.engine.explain import rationale as pair_rationale
from matching.engine.scoring import breakdown_totals
from matching.loading import LoadedCohort, free_places, load_cohort, open_pair_counts
from matching.models import (
    MatchingBlock,
    MatchingPin,
    MatchingRound,
    Pair,
    PairStatus,
    ProposedPair,
    RoundMode,
    RoundStatus,
    UnmatchedEntry,
)
from organizations.audit import log_action
from organizations.tasks import enqueue_on_commit
from participants.models import CharterAcceptance, Enrollment, EnrollmentRole, EnrollmentStatus
from programs.models import Program, ProgramStatus
from programs.selectors import current_charter

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_SECONDS = 0.5
STALE_RUN_AFTER = timedelta(minutes=30)
RULE_FLAGS = frozenset(f.name for f in fields(engine.HardRules) if f.type in ("bool", bool))
RULE_NUMBERS = frozenset(f.name for f in fields(engine.HardRules)) - RULE_FLAGS


# --- Config --------------------------------------------------------------------------------------


def scoring_config(weights: Mapping[str, Any]) -> engine.ScoringConfig:
    try:
        return engine.ScoringConfig(weights=dict(weights))
    except engine.ConfigError as exc:
        raise ValidationError({"weights": str(exc)}) from None


def hard_rules(rules: Mapping[str, Any]) -> engine.HardRules:
    unknown = sorted(set(rules) - RULE_FLAGS - RULE_NUMBERS)
    if unknown:
        raise ValidationError(
            {"rules": f"Unknown rule setting “{unknown[0]}”: use one of {', '.join(engine.RULES)}."}
        )
    for name, value in rules.items():
        if name in RULE_FLAGS and not isinstance(value, bool):
            raise ValidationError({"rules": f"“{name}” must be true or false."})
        if name in RULE_NUMBERS and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationError({"rules": f"“{name}” must be a whole number."})
    try:
        return engine.HardRules(**rules)
    except engine.ConfigError as exc:
        raise ValidationError({"rules": str(exc)}) from None


def round_mode(mode: str) -> engine.Mode:
    if mode not in RoundMode.values:
        raise ValidationError({"mode": f"Choose one of: {', '.join(RoundMode.values)}."})
    return engine.Mode(mode)


ROUND_PROGRAM_STATUSES = (ProgramStatus.MATCHING, ProgramStatus.ACTIVE)


def _require_people(program: Program, rematch_for: Enrollment | None = None) -> None:
    """Someone on each side is still free to match (refused up front, not as a failed round)."""
    accepted = Enrollment.objects.filter(program=program, status=EnrollmentStatus.ACCEPTED)
    roles = set(accepted.values_list("role", flat=True).distinct())
    if not roles:
        raise ValidationError("The program has no accepted mentors or mentees: accept some first.")
    if EnrollmentRole.MENTOR not in roles:
        raise ValidationError("The program has no accepted mentors: accept at least one mentor.")
    if EnrollmentRole.MENTEE not in roles:
        raise ValidationError("The program has no accepted mentees: accept at least one mentee.")
    paired_mentees, mentor_load = open_pair_counts(program)
    free_mentees = accepted.filter(role=EnrollmentRole.MENTEE).exclude(pk__in=paired_mentees)
    free_mentors = [
        mentor
        for mentor in accepted.filter(role=EnrollmentRole.MENTOR)
        if free_places(mentor, program, mentor_load.get(mentor.pk, 0)) > 0
    ]
    if rematch_for is not None:
        name = rematch_for.person.full_name
        if rematch_for.program_id != program.pk or rematch_for.status != EnrollmentStatus.ACCEPTED:
            raise ValidationError(
                {"enrollment": "Choose an accepted mentor or mentee of this program."}
            )
        if rematch_for.role == EnrollmentRole.MENTEE:
            if rematch_for.pk in paired_mentees:
                raise ValidationError(
                    {"enrollment": f"{name} has an open pair: end it before a re-match."}
                )
            if not free_mentors:
                raise ValidationError(
                    {"enrollment": f"No mentor has a free place for {name}: every one is full."}
                )
        else:
            if rematch_for not in free_mentors:
                raise ValidationError(
                    {"enrollment": f"{name} has no free place: every mentee place is taken."}
                )
            if not free_mentees.exists():
                raise ValidationError(
                    {"enrollment": f"Every mentee already has a pair: nobody is free for {name}."}
                )
        return
    if not free_mentees.exists():
        raise ValidationError("Every accepted mentee already has an open pair: nobody to match.")
    if not free_mentors:
        raise ValidationError("No mentor has a free place: every mentor's places are taken.")


# --- Rounds --------------------------------------------------------------------------------------


def round_create(
    *,
    program: Program,
    actor: User | None,
    weights: Mapping[str, Any],
    rules: Mapping[str, Any] | None = None,
    mode: str = RoundMode.SCORE_FIRST,
    rematch_for: Enrollment | None = None,
) -> MatchingRound:
    """A draft round with a validated config, over the program's people who are still free.

    The program must be matching or active (a round in a running program matches the rest);
    ``rematch_for`` makes it a re-match of that one person.
    """
    config = scoring_config(weights)
    rule_set = hard_rules(rules or {})
    round_mode(mode)
    if program.status not in ROUND_PROGRAM_STATUSES:
        raise ValidationError(
            {"program": "Move the program to its matching phase before running a round."}
        )
    _require_people(program, rematch_for)
    with transaction.atomic():
        matching_round = MatchingRound.objects.create(
            organization_id=program.organization_id,
            program=program,
            weights=config.clean_weights,
            rules={f.name: getattr(rule_set, f.name) for f in fields(engine.HardRules)},
            mode=mode,
            created_by=actor,
            rematch_for=rematch_for,
        )
        log_action(
            actor=actor,
            action="matching.round_create",
            target=matching_round,
            data={
                "program": program.pk,
                "mode": mode,
                "rematch_for": rematch_for.pk if rematch_for is not None else None,
            },
        )
    return matching_round


def round_start(*, matching_round: MatchingRound, actor: User | None) -> MatchingRound:
    """Queue the round's task. The database refuses a second queued or running round."""
    from matching import tasks

    with transaction.atomic():
        locked = (
            MatchingRound.objects.select_for_update(of=("self",))
            .select_related("program")
            .get(pk=matching_round.pk)
        )
        if locked.program.status not in ROUND_PROGRAM_STATUSES:
            raise ValidationError("The program is no longer matching or active: no round can run.")
        if locked.status not in (RoundStatus.DRAFT, RoundStatus.FAILED, RoundStatus.PROPOSED):
            raise ValidationError(f"A {locked.get_status_display().lower()} round cannot be run.")
        try:
            with transaction.atomic():
                MatchingRound.objects.filter(pk=locked.pk).update(
                    status=RoundStatus.QUEUED,
                    progress=0,
                    progress_message="Waiting for a worker",
                    error="",
                    started_at=None,
                    finished_at=None,
                )
        except IntegrityError:
            raise ValidationError(
                "Another round of this program is already queued or running. Wait for it to finish."
            ) from None
        log_action(actor=actor, action="matching.round_start", target=locked)
        enqueue_on_commit(
            tasks.run_round, organization_id=locked.organization_id, round_id=locked.pk
        )
    matching_round.refresh_from_db()
    return matching_round


def _alternatives(items: tuple[engine.Alternative, ...]) -> list[dict[str, Any]]:
    return [{"enrollment_id": a.enrollment_id, "name": a.name, "score": a.score} for a in items]


def run_round(*, round_id: int) -> str:
    """Task body: claim the queued round, run the engine, store the proposals. Idempotent: a round
    that is no longer queued (claimed by a live worker, finished or published) is left alone."""
    now = timezone.now()
    # A round left "running" by a worker that died long ago may be claimed again (the message is
    # redelivered: acks_late); the old worker, if it ever wakes up, no longer matches ``mine``.
    claimable = Q(status=RoundStatus.QUEUED) | Q(
        status=RoundStatus.RUNNING, started_at__lt=now - STALE_RUN_AFTER
    )
    claimed = MatchingRound.objects.filter(claimable, pk=round_id).update(
        status=RoundStatus.RUNNING, started_at=now, progress=1, progress_message="Loading profiles"
    )
    if not claimed:
        return "skipped"
    matching_round = MatchingRound.objects.select_related("program", "rematch_for").get(pk=round_id)
    mine = MatchingRound.objects.filter(pk=round_id, status=RoundStatus.RUNNING, started_at=now)
    last_write = [0.0]

    def progress(stage: str, fraction: float) -> None:
        moment = time.monotonic()
        if fraction < 1 and moment - last_write[0] < PROGRESS_INTERVAL_SECONDS:
            return
        last_write[0] = moment
        mine.update(progress=10 + int(80 * fraction), progress_message=f"Finished: {stage}")

    try:
        loaded = load_cohort(matching_round.program, rematch_for=matching_round.rematch_for)
        mine.update(progress=10, progress_message="Scoring")
        result = engine.run_round(
            loaded.cohort,
            config=engine.ScoringConfig(weights=matching_round.weights),
            rules=engine.HardRules(**matching_round.rules),
            constraints=loaded.constraints,
            mode=engine.Mode(matching_round.mode),
            progress=progress,
        )
    except engine.MatchingError as exc:
        mine.update(
            status=RoundStatus.FAILED, error=str(exc), progress=100, finished_at=timezone.now()
        )
        return "failed"
    except Exception:
        logger.exception("matching round %s failed", round_id)
        mine.update(
            status=RoundStatus.FAILED,
            error="The round could not be computed. Try again or contact support.",
            progress=100,
            finished_at=timezone.now(),
        )
        raise
    assert result.explanations is not None
    _store(matching_round, result, mine)
    return "proposed"


def _stats(scores: list[float], unmatched: int, timings: dict[str, float]) -> dict[str, Any]:
    total = float(sum(scores))
    return {
        "matched": len(scores),
        "unmatched": unmatched,
        "total": total,
        "mean": total / len(scores) if scores else 0.0,
        "minimum": min(scores) if scores else 0.0,
        "timings": timings,
    }


def _store(matching_round: MatchingRound, result: engine.RoundResult, mine: Any) -> None:
    explanations = result.explanations
    assert explanations is not None
    organization_id = matching_round.organization_id
    with transaction.atomic():
        if not mine.select_for_update().exists():
            return  # another worker took the round over; its result wins
        ProposedPair.objects.filter(round=matching_round).delete()
        UnmatchedEntry.objects.filter(round=matching_round).delete()
        ProposedPair.objects.bulk_create(
            ProposedPair(
                organization_id=organization_id,
                round=matching_round,
                mentor_id=pair.mentor_id,
                mentee_id=pair.mentee_id,
                score=pair.score,
                breakdown=pair.contributions,
                rationale=pair.rationale,
                alternatives={
                    "mentee": _alternatives(pair.mentee_alternatives),
                    "mentor": _alternatives(pair.mentor_alternatives),
                },
                pinned=pair.pinned,
            )
            for pair in explanations.pairs
        )
        UnmatchedEntry.objects.bulk_create(
            UnmatchedEntry(
                organization_id=organization_id,
                round=matching_round,
                enrollment_id=entry.enrollment_id,
                reason_code=entry.code,
                reason=entry.reason,
            )
            for entry in explanations.unmatched
        )
        mine.update(
            status=RoundStatus.PROPOSED,
            stats=_stats(
                [pair.score for pair in explanations.pairs],
                len(explanations.unmatched),
                result.timings,
            ),
            progress=100,
            progress_message="Proposals ready",
            finished_at=timezone.now(),
        )
        log_action(
            actor=None,
            action="matching.round_proposed",
            target=matching_round,
            data={"matched": len(explanations.pairs), "unmatched": len(explanations.unmatched)},
        )


def round_compare(*, round_a: MatchingRound, round_b: MatchingRound) -> engine.Comparison:
    """What-if: two computed rounds of one program side by side (figures and changed pairs)."""
    if round_a.program_id != round_b.program_id:
        raise ValidationError({"with": "Compare rounds of the same program."})
    done = (RoundStatus.PROPOSED, RoundStatus.PUBLISHED)
    if round_a.status not in done or round_b.status not in done:
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


def _figures(matching_round: MatchingRound) -> Any:
    from matching.engine.compare import Figures

    stats = matching_round.stats or {}
    return Figures(
        matched=int(stats.get("matched", 0)),
        total=float(stats.get("total", 0.0)),
        mean=float(stats.get("mean", 0.0)),
        minimum=float(stats.get("minimum", 0.0)),
    )


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
    with transaction.atomic():
        log_action(
            actor=actor,
            action="matching.block_delete",
            target=block,
            data={"mentor": block.mentor_id, "mentee": block.mentee_id},
        )
        block.delete()


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
        mentor_id: _alternatives(mentor_runner_ups(scorer, ruleset, ids[mentor_id], rows))
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
            pair.score = score
            pair.breakdown = dict(zip(engine.CRITERIA, contributions[row].tolist(), strict=True))
            pair.rationale = pair_rationale(loaded.cohort, mentee_row, mentor_row)
            runner_ups = mentee_runner_ups(scorer, ruleset, mentee_row, exclude={mentor_row})
            pair.alternatives = {**(pair.alternatives or {}), "mentee": _alternatives(runner_ups)}
        ProposedPair.objects.bulk_update(
            [pair_a, pair_b], ["mentor", "score", "breakdown", "rationale", "alternatives"]
        )
        _refresh_mentor_runner_ups(matching_round, loaded, scorer, ruleset, {mentor_a, mentor_b})
        scores = list(
            ProposedPair.objects.filter(round=matching_round).values_list("score", flat=True)
        )
        stats = matching_round.stats or {}
        matching_round.stats = {
            **_stats(scores, int(stats.get("unmatched", 0)), stats.get("timings", {})),
        }
        matching_round.save(update_fields=["stats"])
        log_action(
            actor=actor,
            action="matching.swap",
            target=matching_round,
            data={"pairs": [pair_a.pk, pair_b.pk], "delta": delta},
        )
    return delta


# --- Publish -----------------------------------------------------------------------------------

NEXT_STEPS = (
    "Next steps:\n"
    "1. Read and accept your program's confidentiality charter.\n"
    "2. Complete the program's training.\n"
    "3. Agree on a time for your first session within the next two weeks."
)


def _pair_email(
    program: Program, to: Enrollment, partner: Enrollment, why: str
) -> tuple[str, str, None, list[str]]:
    role = "mentee" if partner.role == EnrollmentRole.MENTEE else "mentor"
    body = (
        f"Hello {to.person.full_name},\n\n"
        f"In {program.name}, your {role} is {partner.person.full_name} "
        f"({partner.person.email}).\n\n"
        f"Why we paired you: {why}\n\n{NEXT_STEPS}\n"
    )
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your {program.name} pair"
    return (subject, body, None, [to.person.email])


def charter_ready_ids(program: Program, enrollment_ids: Iterable[int]) -> set[int]:
    """Which of these enrolments accepted the program's current charter (two queries)."""
    charter = current_charter(program=program)
    if charter is None:
        return set()
    return set(
        CharterAcceptance.objects.filter(
            charter_version=charter, enrollment_id__in=list(enrollment_ids)
        ).values_list("enrollment_id", flat=True)
    )


def opening_status(mentor_id: int, mentee_id: int, ready: set[int]) -> str:
    """A new pair is active at once when both already accepted the charter, else pending."""
    both = mentor_id in ready and mentee_id in ready
    return PairStatus.ACTIVE if both else PairStatus.PENDING


def _check_still_free(program: Program, proposals: list[ProposedPair]) -> None:
    """Pairs published since this round ran may have taken its people: refuse, do not overbook."""
    paired_mentees, mentor_load = open_pair_counts(program)
    for proposal in proposals:
        if proposal.mentee_id in paired_mentees:
            raise ValidationError(
                f"{proposal.mentee.person.full_name} has had an open pair since this round ran: "
                "run the round again."
            )
    wanted = Counter(proposal.mentor_id for proposal in proposals)
    for proposal in proposals:
        mentor = proposal.mentor
        if free_places(mentor, program, mentor_load.get(mentor.pk, 0)) < wanted[mentor.pk]:
            raise ValidationError(
                f"{mentor.person.full_name} no longer has {wanted[mentor.pk]} free place(s): "
                "run the round again."
            )


def round_publish(*, matching_round: MatchingRound, actor: User | None) -> list[Pair]:
    """Create the round's pairs, email both people the rationale and next steps, audit it."""
    with transaction.atomic():
        locked = (
            MatchingRound.objects.select_for_update()
            .select_related("program")
            .get(pk=matching_round.pk)
        )
        if locked.status == RoundStatus.PUBLISHED:
            raise ValidationError("This round is already published.")
        if locked.status != RoundStatus.PROPOSED:
            raise ValidationError("Only a round with proposals can be published.")
        proposals = list(
            ProposedPair.objects.filter(round=locked).select_related(
                "mentor__person", "mentee__person"
            )
        )
        if not proposals:
            raise ValidationError("The round proposes no pairs.")
        program = locked.program
        _check_still_free(program, proposals)
        ready = charter_ready_ids(
            program, {p.mentor_id for p in proposals} | {p.mentee_id for p in proposals}
        )
        now = timezone.now()
        try:
            with transaction.atomic():
                pairs = Pair.objects.bulk_create(
                    Pair(
                        organization_id=locked.organization_id,
                        program=program,
                        mentor_id=proposal.mentor_id,
                        mentee_id=proposal.mentee_id,
                        source_round=locked,
                        score=proposal.score,
                        rationale=proposal.rationale,
                        status=opening_status(proposal.mentor_id, proposal.mentee_id, ready),
                        activated_at=(
                            now
                            if proposal.mentor_id in ready and proposal.mentee_id in ready
                            else None
                        ),
                    )
                    for proposal in proposals
                )
        except IntegrityError:
            raise ValidationError(
                "A mentee of this round already has an open pair: end it before publishing."
            ) from None
        locked.status = RoundStatus.PUBLISHED
        locked.published_at = now
        locked.save(update_fields=["status", "published_at"])
        log_action(
            actor=actor,
            action="matching.round_publish",
            target=locked,
            data={"pairs": len(pairs), "program": program.pk},
        )
        messages = []
        for proposal in proposals:
            messages.append(
                _pair_email(program, proposal.mentor, proposal.mentee, proposal.rationale)
            )
            messages.append(
                _pair_email(program, proposal.mentee, proposal.mentor, proposal.rationale)
            )
        transaction.on_commit(lambda: send_mass_mail(messages))
        active = [pair.pk for pair in pairs if pair.status == PairStatus.ACTIVE]
        if active:
            signals.pairs_published.send(
                sender=Pair, organization_id=locked.organization_id, pair_ids=active
            )
    matching_round.refresh_from_db()
    return pairs
