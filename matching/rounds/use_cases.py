"""One function per action on a program's matching rounds, shared by the pages and the API (and
usable from a shell): the actor's membership and plain ids in, plain results out.

Each use case

1. resolves the ids it is given inside the organisation through the policy
   (:mod:`matching.rounds.access`). A member is refused (403) whatever the id. Ids that name the
   thing acted on (``round_id``, ``pin_id``, ``proposal_id``, and ``program_id`` when it narrows
   them: a URL's) are a 404 when the actor cannot see them. Ids that arrive in a form or a JSON
   body (the program of a new round or pin, the enrolments of a pin, the pairs of a swap, the
   round to compare with) are a field error instead (DESIGN.md §3);
2. requires the action's permission (``Forbidden``: a 403 with the policy's reason, in the same
   words on a page and in the API);
3. calls the services in one transaction. They validate (``ValidationError``: a 400 with field
   messages) and check the policy again, so a forbidden call fails alike from anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from matching import engine
from matching.models import (
    MatchingBlock,
    MatchingPin,
    MatchingRound,
    Pair,
    ProgramPairRule,
    ProposedPair,
    RoundMode,
    RoundStatus,
)
from matching.rounds import access, compare, config, editing, publish, run, whatif
from organizations.models import Membership
from participants.models import Enrollment
from programs.models import Program

UNKNOWN_PROGRAM = "Unknown program."
UNKNOWN_ENROLLMENT = "Unknown enrolment in this program."
UNKNOWN_PAIR = "Unknown pair of this round."
COMPARE_WITH = "Choose a computed round of this program to compare with."
ONLY_UNPUBLISHED = "Only the pairs of an unpublished round can change."


# --- Reading ------------------------------------------------------------------------------------


def view_matching(*, actor: Membership, program_id: int) -> Program:
    """A program's matching (its rounds, pins and blocks); ``program_id`` from the URL."""
    program = access.program_for(actor, program_id)
    access.access_for(actor, program).require(access.VIEW)
    return program


def view_round(*, actor: Membership, round_id: int, program_id: int | None = None) -> MatchingRound:
    """A round with its program (of ``program_id`` when the URL names one)."""
    matching_round = access.round_for(actor, round_id, program_id=program_id)
    access.access_for(actor, matching_round).require(access.VIEW)
    return matching_round


@dataclass(frozen=True)
class RoundComparison:
    """``before`` is the earlier of the two rounds and ``after`` the later, whichever page the
    comparison was opened from: every difference reads "later minus earlier"."""

    round: MatchingRound
    other: MatchingRound
    before: MatchingRound
    after: MatchingRound
    comparison: engine.Comparison


def compare_rounds(
    *, actor: Membership, round_id: int, other_id: int, program_id: int | None = None
) -> RoundComparison:
    """The round beside another computed round of its program (``other_id`` from the query)."""
    matching_round = view_round(actor=actor, round_id=round_id, program_id=program_id)
    other = MatchingRound.objects.filter(program_id=matching_round.program_id, pk=other_id).first()
    if other is None:
        raise ValidationError({"with": COMPARE_WITH})
    before, after = sorted((matching_round, other), key=lambda r: (r.number, r.pk))
    comparison = compare.round_compare(round_a=before, round_b=after)
    return RoundComparison(
        round=matching_round, other=other, before=before, after=after, comparison=comparison
    )


def check_rules(
    *,
    actor: Membership,
    program_id: int,
    rules: Mapping[str, Any],
    program_in_body: bool = False,
) -> config.Impact | None:
    """What each hard rule would remove in the program's next round, before it runs (the round
    form's table and the API's ``rounds/impact``). ``program_id`` from the URL (the page: unknown
    is a 404) or from the body (``program_in_body``, the API: unknown is a field error)."""
    if program_in_body:
        program = _program_in_body(actor, program_id)
        access.access_for(actor, program).require(access.VIEW)
    else:
        program = view_matching(actor=actor, program_id=program_id)
    return config.rules_impact(program, rules)


def preview_round(
    *,
    actor: Membership,
    program_id: int,
    weights: Mapping[str, Any],
    rules: Mapping[str, Any] | None = None,
    mode: str = RoundMode.SCORE_FIRST,
    program_in_url: bool = False,
) -> whatif.Summary:
    """What a round with this config would propose, beside the program's latest round, without
    storing anything: whoever may run a round may preview one. ``program_id`` from the page's URL
    (``program_in_url``: 404 when not seen) or from the API's body (a field error)."""
    if program_in_url:
        program = access.program_for(actor, program_id)
    else:
        program = _program_in_body(actor, program_id)
    access.access_for(actor, program).require(access.RUN)
    scoring = config.scoring_config(weights)
    hard = config.hard_rules(rules or {})
    chosen = config.round_mode(mode)
    if program.status not in config.ROUND_PROGRAM_STATUSES:
        raise ValidationError(
            {"program": "Move the program to its matching phase to preview a round."}
        )
    try:
        return whatif.preview(program=program, config=scoring, rules=hard, mode=chosen)
    except engine.MatchingError as error:
        raise ValidationError(str(error)) from None


# --- Running ------------------------------------------------------------------------------------


def _user(actor: Membership) -> User:
    return actor.user


def _program_in_body(actor: Membership, program_id: int) -> Program:
    program = access.visible_programs(actor).filter(pk=program_id).first()
    if program is None:
        raise ValidationError({"program": UNKNOWN_PROGRAM})
    return program


@transaction.atomic
def create_round(
    *,
    actor: Membership,
    program_id: int,
    weights: Mapping[str, Any],
    rules: Mapping[str, Any] | None = None,
    mode: str = RoundMode.SCORE_FIRST,
) -> MatchingRound:
    """A draft round of the program with this config (``program_id`` from the body)."""
    program = _program_in_body(actor, program_id)
    access.access_for(actor, program).require(access.RUN)
    return config.round_create(
        program=program, actor=_user(actor), weights=weights, rules=rules, mode=mode
    )


@transaction.atomic
def run_new_round(
    *,
    actor: Membership,
    program_id: int,
    weights: Mapping[str, Any],
    rules: Mapping[str, Any] | None = None,
    mode: str = RoundMode.SCORE_FIRST,
) -> MatchingRound:
    """Create a round and queue it, in one transaction: a round that cannot be queued (another
    one of the program is running) is not left behind as a draft."""
    matching_round = create_round(
        actor=actor, program_id=program_id, weights=weights, rules=rules, mode=mode
    )
    return run.round_start(matching_round=matching_round, actor=_user(actor))


@transaction.atomic
def start_round(
    *, actor: Membership, round_id: int, program_id: int | None = None, swaps: str = ""
) -> MatchingRound:
    """Queue a draft round, or run a failed or proposed one again (with the current pins and
    blocks). ``swaps`` ("pin" or "discard") says what becomes of pairs swapped in the round;
    without it a round with swaps is refused with the question."""
    matching_round = access.round_for(actor, round_id, program_id=program_id)
    access.access_for(actor, matching_round).require(access.RUN)
    if swaps == run.KEEP_SWAPS:
        access.access_for(actor, matching_round).require(access.EDIT)
    return run.round_start(matching_round=matching_round, actor=_user(actor), swaps=swaps)


# --- Pins and blocks ----------------------------------------------------------------------------

PairRuleCreate = Callable[..., ProgramPairRule]


def _enrollment_in_body(program: Program, field: str, enrollment_id: int) -> Enrollment:
    enrollment = (
        Enrollment.objects.filter(program=program, pk=enrollment_id)
        .select_related("person")
        .first()
    )
    if enrollment is None:
        raise ValidationError({field: UNKNOWN_ENROLLMENT})
    return enrollment


def _add_pair_rule(
    create: PairRuleCreate, actor: Membership, program_id: int, mentor_id: int, mentee_id: int
) -> Any:
    program = _program_in_body(actor, program_id)
    access.access_for(actor, program).require(access.EDIT)
    mentor = _enrollment_in_body(program, "mentor", mentor_id)
    mentee = _enrollment_in_body(program, "mentee", mentee_id)
    return create(program=program, actor=_user(actor), mentor=mentor, mentee=mentee)


@transaction.atomic
def pin_pair(*, actor: Membership, program_id: int, mentor_id: int, mentee_id: int) -> MatchingPin:
    """Every later round of the program proposes this pair (ids from the body)."""
    pin: MatchingPin = _add_pair_rule(editing.pin_create, actor, program_id, mentor_id, mentee_id)
    return pin


@transaction.atomic
def block_pair(
    *, actor: Membership, program_id: int, mentor_id: int, mentee_id: int
) -> MatchingBlock:
    """No later round of the program proposes this pair (ids from the body)."""
    block: MatchingBlock = _add_pair_rule(
        editing.block_create, actor, program_id, mentor_id, mentee_id
    )
    return block


def _pair_rule[R: ProgramPairRule](
    rules: QuerySet[R], rule_id: int, program_id: int | None, what: str
) -> R:
    if program_id is not None:
        rules = rules.filter(program_id=program_id)
    rule = rules.filter(pk=rule_id).first()
    if rule is None:
        raise Http404(f"No such {what}.")
    return rule


@transaction.atomic
def remove_pin(*, actor: Membership, pin_id: int, program_id: int | None = None) -> MatchingPin:
    """Remove a pin; returns it (with both people) for the confirmation."""
    pin = _pair_rule(access.visible_pins(actor), pin_id, program_id, "pin")
    access.access_for(actor, pin).require(access.EDIT)
    editing.pin_delete(pin=pin, actor=_user(actor))
    return pin


@transaction.atomic
def remove_block(
    *, actor: Membership, block_id: int, program_id: int | None = None
) -> MatchingBlock:
    """Remove a block; returns it (with both people) for the confirmation."""
    block = _pair_rule(access.visible_blocks(actor), block_id, program_id, "block")
    access.access_for(actor, block).require(access.EDIT)
    editing.block_delete(block=block, actor=_user(actor))
    return block


def _proposal_rule(
    create: PairRuleCreate,
    actor: Membership,
    round_id: int,
    proposal_id: int,
    program_id: int | None,
) -> ProposedPair:
    matching_round = access.round_for(actor, round_id, program_id=program_id)
    access.access_for(actor, matching_round).require(access.EDIT)
    proposal = access.proposal_for(matching_round, proposal_id)
    if matching_round.status != RoundStatus.PROPOSED:
        raise ValidationError(ONLY_UNPUBLISHED)
    create(
        program=matching_round.program,
        actor=_user(actor),
        mentor=proposal.mentor,
        mentee=proposal.mentee,
    )
    return proposal


@transaction.atomic
def pin_proposal(
    *, actor: Membership, round_id: int, proposal_id: int, program_id: int | None = None
) -> ProposedPair:
    """Pin a pair the round proposes, for the program's next runs; returns the proposal."""
    return _proposal_rule(editing.pin_create, actor, round_id, proposal_id, program_id)


@transaction.atomic
def block_proposal(
    *, actor: Membership, round_id: int, proposal_id: int, program_id: int | None = None
) -> ProposedPair:
    """Block a pair the round proposes, for the program's next runs; returns the proposal."""
    return _proposal_rule(editing.block_create, actor, round_id, proposal_id, program_id)


# --- Reviewing and publishing -------------------------------------------------------------------


@dataclass(frozen=True)
class SwapOutcome:
    delta: float
    applied: bool


@transaction.atomic
def swap_partners(
    *,
    actor: Membership,
    round_id: int,
    pair_a_id: int,
    pair_b_id: int,
    apply: bool,
    program_id: int | None = None,
) -> SwapOutcome:
    """Exchange the mentors of two proposed pairs of the round (ids from the body); with
    ``apply=False`` only what it would change in the round's total score."""
    matching_round = access.round_for(actor, round_id, program_id=program_id)
    access.access_for(actor, matching_round).require(access.EDIT)
    proposals = ProposedPair.objects.filter(round=matching_round)
    found: list[ProposedPair] = []
    for field, pair_id in (("pair_a", pair_a_id), ("pair_b", pair_b_id)):
        pair = proposals.filter(pk=pair_id).first()
        if pair is None:
            raise ValidationError({field: UNKNOWN_PAIR})
        found.append(pair)
    delta = editing.swap(
        matching_round=matching_round,
        pair_a=found[0],
        pair_b=found[1],
        actor=_user(actor),
        apply=apply,
    )
    return SwapOutcome(delta=delta, applied=apply)


@dataclass(frozen=True)
class Publication:
    round: MatchingRound
    pairs: list[Pair]


@transaction.atomic
def publish_round(
    *, actor: Membership, round_id: int, program_id: int | None = None
) -> Publication:
    """The round's proposals become pairs; both people of each are emailed why and what next."""
    matching_round = access.round_for(actor, round_id, program_id=program_id)
    access.access_for(actor, matching_round).require(access.PUBLISH)
    pairs = publish.round_publish(matching_round=matching_round, actor=_user(actor))
    return Publication(round=matching_round, pairs=pairs)
