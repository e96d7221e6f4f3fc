"""A round's page: its progress while it runs (an htmx-polled partial), then its figures, proposals
(with why, the per-criterion breakdown and the runners-up) and unmatched people; re-run, and pin or
block a proposed pair for the next run."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from core.pages import paginate
from matching import selectors
from matching.engine.scoring import CRITERIA, CRITERION_LABELS
from matching.models import MatchingRound, ProposedPair, RoundStatus
from matching.rounds import use_cases
from matching.rounds.compare import COMPUTED
from matching.rounds.config import ROUND_PROGRAM_STATUSES
from matching.rounds.forms import RULE_LABELS
from matching.rounds.run import DISCARD_SWAPS, KEEP_SWAPS, STARTABLE, swapped_count
from matching.rounds.views.common import error_text, to_round
from organizations.http import OrgRequest

PROPOSALS_PER_PAGE = 25
UNMATCHED_PER_PAGE = 50
RUNNING = (RoundStatus.QUEUED, RoundStatus.RUNNING)


def _breakdown(matching_round: MatchingRound, proposal: ProposedPair) -> list[dict[str, Any]]:
    """Each weighted criterion's share of the pair's score (the shares add up to the score)."""
    return [
        {
            "label": CRITERION_LABELS[criterion],
            "weight": matching_round.weights.get(criterion, 0),
            "points": float(proposal.breakdown.get(criterion, 0.0)),
        }
        for criterion in CRITERIA
        if matching_round.weights.get(criterion, 0)
    ]


def _rules_in_force(matching_round: MatchingRound) -> list[str]:
    rules = matching_round.rules or {}
    return [label for rule, label in RULE_LABELS.items() if rules.get(rule)]


def round_context(request: OrgRequest, matching_round: MatchingRound) -> dict[str, Any]:
    context: dict[str, Any] = {
        "round": matching_round,
        "program": matching_round.program,
        "running": matching_round.status in RUNNING,
        "computed": matching_round.status in COMPUTED,
        "reviewable": matching_round.status == RoundStatus.PROPOSED,
        "rerunnable": matching_round.status in STARTABLE
        and matching_round.program.status in ROUND_PROGRAM_STATUSES,
        "stats": matching_round.stats or {},
        "swapped": swapped_count(matching_round),
        "rules_in_force": _rules_in_force(matching_round),
        "weights": [
            (CRITERION_LABELS[c], matching_round.weights.get(c, 0))
            for c in CRITERIA
            if matching_round.weights.get(c, 0)
        ],
    }
    if context["computed"]:
        page = paginate(
            request, selectors.proposal_list(matching_round=matching_round), PROPOSALS_PER_PAGE
        )
        context["page"] = page
        context["rows"] = [
            {"proposal": p, "breakdown": _breakdown(matching_round, p)} for p in page.object_list
        ]
        context["unmatched"] = Paginator(
            selectors.unmatched_list(matching_round=matching_round), UNMATCHED_PER_PAGE
        ).get_page(request.GET.get("unmatched_page"))
        context["other_rounds"] = list(
            MatchingRound.objects.filter(program_id=matching_round.program_id, status__in=COMPUTED)
            .exclude(pk=matching_round.pk)
            .only("pk", "number", "status", "created_at")[:50]
        )
    return context


def render_round(
    request: OrgRequest, matching_round: MatchingRound, error: str = "", status: int = 200
) -> HttpResponse:
    context = round_context(request, matching_round)
    context["error"] = error
    return render(request, "matching/rounds/round.html", context, status=status)


def _refused(request: OrgRequest, program_pk: int, pk: int, error: ValidationError) -> HttpResponse:
    """The round page again, with why the action was refused (400)."""
    matching_round = use_cases.view_round(
        actor=request.membership, round_id=pk, program_id=program_pk
    )
    return render_round(request, matching_round, error_text(error), status=400)


@require_GET
def round_detail(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    matching_round = use_cases.view_round(
        actor=request.membership, round_id=pk, program_id=program_pk
    )
    return render_round(request, matching_round)


@require_GET
def round_progress(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    """The progress partial that the round page polls; once the round is done it reloads the page
    (its figures and proposals appear). Without htmx, the page itself."""
    matching_round = use_cases.view_round(
        actor=request.membership, round_id=pk, program_id=program_pk
    )
    if request.headers.get("HX-Request") != "true":
        return to_round(matching_round, org_slug)
    running = matching_round.status in RUNNING
    response = render(
        request,
        "matching/rounds/round.html#round-progress",
        {"round": matching_round, "running": running},
    )
    if not running:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def round_run(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    """Run the round again (after a failure, or with the program's current pins and blocks); a
    round with swapped pairs needs ``swaps`` = "pin" or "discard" (the page offers both)."""
    swaps = request.POST.get("swaps", "")
    try:
        matching_round = use_cases.start_round(
            actor=request.membership, round_id=pk, program_id=program_pk, swaps=swaps
        )
    except ValidationError as error:
        return _refused(request, program_pk, pk, error)
    done = (
        f"Round {matching_round.number} is queued again with the program's current pins and blocks"
    )
    if swaps == KEEP_SWAPS:
        done += "; your swapped pairs are pinned, so it keeps them"
    elif swaps == DISCARD_SWAPS:
        done += "; your swaps were discarded"
    messages.success(request, f"{done}.")
    return to_round(matching_round, org_slug)


def _proposal_rule(
    request: OrgRequest, org_slug: str, program_pk: int, pk: int, proposal_pk: int, kind: str
) -> HttpResponse:
    add = use_cases.pin_proposal if kind == "pin" else use_cases.block_proposal
    try:
        proposal = add(
            actor=request.membership, round_id=pk, proposal_id=proposal_pk, program_id=program_pk
        )
    except ValidationError as error:
        return _refused(request, program_pk, pk, error)
    names = f"{proposal.mentor.person.full_name} with {proposal.mentee.person.full_name}"
    if kind == "pin":
        message = f"{names} is pinned: every round of the program proposes them."
    else:
        message = f"{names} is blocked: no round of the program proposes them."
    messages.success(request, f"{message} Re-run the round to apply it.")
    return to_round(proposal.round, org_slug)


@require_POST
def proposal_pin(
    request: OrgRequest, org_slug: str, program_pk: int, pk: int, proposal_pk: int
) -> HttpResponse:
    return _proposal_rule(request, org_slug, program_pk, pk, proposal_pk, "pin")


@require_POST
def proposal_block(
    request: OrgRequest, org_slug: str, program_pk: int, pk: int, proposal_pk: int
) -> HttpResponse:
    return _proposal_rule(request, org_slug, program_pk, pk, proposal_pk, "block")
