"""Reads on matching, always through the programs a member may manage (or their own pairs)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from matching.access import visible_pairs
from matching.models import (
    MatchingBlock,
    MatchingPin,
    MatchingRound,
    Pair,
    ProposedPair,
    UnmatchedEntry,
)
from organizations.models import Membership
from programs.access import managed_programs


def round_list(*, membership: Membership) -> QuerySet[MatchingRound]:
    return MatchingRound.objects.filter(program__in=managed_programs(membership)).select_related(
        "program"
    )


def proposal_list(*, matching_round: MatchingRound) -> QuerySet[ProposedPair]:
    return (
        ProposedPair.objects.filter(round=matching_round)
        .select_related("mentor__person", "mentee__person")
        .order_by("-score", "id")
    )


def unmatched_list(*, matching_round: MatchingRound) -> QuerySet[UnmatchedEntry]:
    return UnmatchedEntry.objects.filter(round=matching_round).select_related("enrollment__person")


def pin_list(*, membership: Membership) -> QuerySet[MatchingPin]:
    return MatchingPin.objects.filter(program__in=managed_programs(membership)).select_related(
        "mentor__person", "mentee__person"
    )


def block_list(*, membership: Membership) -> QuerySet[MatchingBlock]:
    return MatchingBlock.objects.filter(program__in=managed_programs(membership)).select_related(
        "mentor__person", "mentee__person"
    )


def pair_list(*, membership: Membership, user: User) -> QuerySet[Pair]:
    """Pairs of the programs one manages, plus one's own pairs (the rule: ``matching.access``)."""
    return visible_pairs(membership=membership, user=user).select_related(
        "program", "mentor__person", "mentee__person"
    )
