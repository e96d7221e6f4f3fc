"""Matching pages: the program's matching page, pins and blocks, a round and its review actions."""

from __future__ import annotations

from typing import Any

from matching import services
from matching.models import ProposedPair
from tests.conftest import Tenant
from tests.matching.test_rounds_builders import matching_cohort, proposed_round
from tests.tenancy.routes import Route


def build(tenant: Tenant) -> dict[str, Any]:
    cohort = matching_cohort(tenant, 2)
    matching_round = proposed_round(tenant, cohort)
    with tenant.scope():
        proposal = ProposedPair.objects.filter(round=matching_round).order_by("id").first()
        assert proposal is not None
        pin = services.pin_create(
            program=cohort.program,
            actor=tenant.admin.user,
            mentor=proposal.mentor,
            mentee=proposal.mentee,
        )
        other_mentor = next(m for m in cohort.mentors if m.pk != proposal.mentor_id)
        block = services.block_create(
            program=cohort.program,
            actor=tenant.admin.user,
            mentor=other_mentor,
            mentee=proposal.mentee,
        )
    return {
        "pages_program": cohort.program.pk,
        "pages_round": matching_round.pk,
        "pages_proposal": proposal.pk,
        "pages_pin": pin.pk,
        "pages_block": block.pk,
    }


def _program(ids: dict[str, Any]) -> dict[str, Any]:
    return {"program_pk": ids["pages_program"]}


def _program_and(key: str) -> Any:
    return lambda ids: {"program_pk": ids["pages_program"], "pk": ids[key]}


def _proposal(ids: dict[str, Any]) -> dict[str, Any]:
    return {
        "program_pk": ids["pages_program"],
        "pk": ids["pages_round"],
        "proposal_pk": ids["pages_proposal"],
    }


ROUTES: dict[str, Route] = {
    "matching_home": Route(("GET", "POST"), _program),
    "matching_what_if": Route(("POST",), _program),
    "matching_pin_add": Route(("POST",), _program),
    "matching_pin_remove": Route(("POST",), _program_and("pages_pin")),
    "matching_block_add": Route(("POST",), _program),
    "matching_block_remove": Route(("POST",), _program_and("pages_block")),
    "matching_round": Route(("GET",), _program_and("pages_round")),
    # Without HX-Request the progress URL sends the browser to the round page.
    "matching_round_progress": Route(("GET",), _program_and("pages_round"), owner_get_status=302),
    "matching_round_run": Route(("POST",), _program_and("pages_round")),
    "matching_round_compare": Route(("GET",), _program_and("pages_round")),
    "matching_round_publish": Route(("GET", "POST"), _program_and("pages_round")),
    "matching_proposal_pin": Route(("POST",), _proposal),
    "matching_proposal_block": Route(("POST",), _proposal),
    "matching_proposal_swap": Route(("GET", "POST"), _proposal),
}
