"""Matching API: rounds and their actions, pins, blocks and pairs."""

from __future__ import annotations

from typing import Any

from matching import services
from matching.models import Pair, ProposedPair
from tests.conftest import Tenant
from tests.matching.test_rounds_builders import matching_cohort, proposed_round
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    # A published pair in one program; rounds, pins and blocks in another whose people are all
    # still free (a round leaves out people who already have an open pair).
    paired = matching_cohort(tenant, 1)
    published = proposed_round(tenant, paired)
    with tenant.scope():
        services.round_publish(matching_round=published, actor=tenant.admin.user)
        pair = Pair.objects.filter(source_round=published).first()
        assert pair is not None
    cohort = matching_cohort(tenant, 2)
    with tenant.scope():
        pin = services.pin_create(
            program=cohort.program,
            actor=tenant.admin.user,
            mentor=cohort.mentors[1],
            mentee=cohort.mentees[0],
        )
        block = services.block_create(
            program=cohort.program,
            actor=tenant.admin.user,
            mentor=cohort.mentors[0],
            mentee=cohort.mentees[1],
        )
    review = proposed_round(tenant, cohort, rules={"rotation": False})
    with tenant.scope():
        assert ProposedPair.objects.filter(round=review).exists()
    return {
        "matching_round": review.pk,
        "matching_pin": pin.pk,
        "matching_block": block.pk,
        "matching_pair": pair.pk,
    }


ROUTES: dict[str, Route] = {
    "api-matching-round-list": Route(("GET", "POST")),
    "api-matching-round-detail": Route(("GET",), ids_of("matching_round")),
    # The program is named in the body ({} here): org A's slug is 404 to org B before that.
    "api-matching-round-impact": Route(("POST",)),
    "api-matching-round-start": Route(("POST",), ids_of("matching_round")),
    "api-matching-round-publish": Route(("POST",), ids_of("matching_round")),
    "api-matching-round-what-if": Route(("POST",)),
    "api-matching-round-compare": Route(("GET",), ids_of("matching_round"), owner_get_status=400),
    "api-matching-round-proposals": Route(("GET",), ids_of("matching_round")),
    "api-matching-round-unmatched": Route(("GET",), ids_of("matching_round")),
    "api-matching-round-swap": Route(("POST",), ids_of("matching_round")),
    "api-matching-pin-list": Route(("GET", "POST")),
    "api-matching-pin-detail": Route(("GET", "DELETE"), ids_of("matching_pin")),
    "api-matching-block-list": Route(("GET", "POST")),
    "api-matching-block-detail": Route(("GET", "DELETE"), ids_of("matching_block")),
    "api-pair-list": Route(("GET",)),
    "api-pair-detail": Route(("GET",), ids_of("matching_pair")),
    "api-pair-end": Route(("POST",), ids_of("matching_pair")),
    "api-matching-rematch-list": Route(("POST",)),
}
