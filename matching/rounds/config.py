"""A round's config (weights, hard rules, mode), validated with field messages, and the draft round
that freezes it over the program's people who are still free to match."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from matching import engine
from matching.engine.impact import Impact, rule_impact
from matching.loading import free_places, load_cohort, open_pair_counts
from matching.models import MatchingRound, RoundMode
from matching.rounds import access
from organizations.audit import log_action
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus
from programs.models import Program, ProgramStatus

RULE_FLAGS = frozenset(f.name for f in fields(engine.HardRules) if f.type in ("bool", bool))
RULE_NUMBERS = frozenset(f.name for f in fields(engine.HardRules)) - RULE_FLAGS
ROUND_PROGRAM_STATUSES = (ProgramStatus.MATCHING, ProgramStatus.ACTIVE)


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


def rules_impact(program: Program, rules: Mapping[str, Any]) -> Impact | None:
    """What each of these hard rules removes among the program's people still free to match,
    with the program's blocks and earlier pairs; ``None`` when one side has nobody."""
    rule_set = hard_rules(rules)
    loaded = load_cohort(program)
    cohort = loaded.cohort
    if not cohort.mentees.size or not cohort.mentors.size:
        return None
    constraints = engine.Constraints(
        previous_pairs=loaded.constraints.previous_pairs, blocks=loaded.constraints.blocks
    )
    ruleset = engine.RuleSet(cohort, rule_set, constraints)
    return rule_impact(ruleset, cohort.mentors.capacity)


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
    access.require(actor, program, access.RUN)
    config = scoring_config(weights)
    rule_set = hard_rules(rules or {})
    round_mode(mode)
    if program.status not in ROUND_PROGRAM_STATUSES:
        raise ValidationError(
            {"program": "Move the program to its matching phase before running a round."}
        )
    _require_people(program, rematch_for)
    with transaction.atomic():
        # Numbers are per program (``MatchingRound.save``): two rounds created at once wait here.
        list(Program.objects.select_for_update().filter(pk=program.pk).values_list("pk"))
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
