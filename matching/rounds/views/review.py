"""Reviewing a round before publishing: swap two partners after seeing the cost, compare with
another round of the program, and publish (with a confirmation step)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from core.pages import add_form_errors
from matching.engine.compare import Comparison
from matching.models import MatchingRound, ProposedPair, RoundStatus
from matching.rounds import access, use_cases
from matching.rounds.compare import COMPUTED
from matching.rounds.forms import SwapForm
from matching.rounds.views.common import error_text, query_id, to_round
from organizations.http import OrgRequest
from participants.models import Enrollment

CHANGES_PER_PAGE = 50


def _points(value: float) -> str:
    return f"{value:+.1f}"


@require_http_methods(["GET", "POST"])
def proposal_swap(
    request: OrgRequest, org_slug: str, program_pk: int, pk: int, proposal_pk: int
) -> HttpResponse:
    """GET: choose the other pair; with ``?pair_b=`` the preview of what the swap costs.
    POST: apply it."""
    matching_round = use_cases.view_round(
        actor=request.membership, round_id=pk, program_id=program_pk
    )
    access.access_for(request.membership, matching_round).require(access.EDIT)
    pair_a = access.proposal_for(matching_round, proposal_pk)
    data = request.POST if request.method == "POST" else request.GET
    form = SwapForm(data if "pair_b" in data else None, pair_a=pair_a)
    context: dict[str, Any] = {
        "round": matching_round,
        "program": matching_round.program,
        "pair_a": pair_a,
        "form": form,
        "reviewable": matching_round.status == RoundStatus.PROPOSED,
    }
    if form.is_bound and form.is_valid():
        pair_b: ProposedPair = form.cleaned_data["pair_b"]
        apply = request.method == "POST"
        try:
            outcome = use_cases.swap_partners(
                actor=request.membership,
                round_id=matching_round.pk,
                pair_a_id=pair_a.pk,
                pair_b_id=pair_b.pk,
                apply=apply,
                program_id=program_pk,
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            delta = outcome.delta
            if outcome.applied:
                # The names as they were: pair_a and pair_b here are the pairs before the swap.
                messages.success(
                    request,
                    f"Swapped: {pair_b.mentor.person.full_name} now mentors "
                    f"{pair_a.mentee.person.full_name}, and {pair_a.mentor.person.full_name} "
                    f"mentors {pair_b.mentee.person.full_name}. The round's total score changed "
                    f"by {_points(delta)} points.",
                )
                return to_round(matching_round, org_slug)
            total = float((matching_round.stats or {}).get("total", 0.0))
            matched = int((matching_round.stats or {}).get("matched", 0))
            context["preview"] = {
                "pair_b": pair_b,
                "delta": delta,
                "delta_text": _points(delta),
                "total_before": total,
                "total_after": total + delta,
                "mean_after": (total + delta) / matched if matched else 0.0,
            }
    status = 400 if form.errors else 200
    return render(request, "matching/rounds/swap.html", context, status=status)


def _changes(comparison: Comparison) -> list[dict[str, Any]]:
    """The pairs that change, with names (one query for every enrolment named)."""
    ids: set[int] = set()
    for change in comparison.changes:
        ids.add(change.mentee_id)
        ids.update(i for i in (change.mentor_before, change.mentor_after) if i is not None)
    names = dict(Enrollment.objects.filter(pk__in=ids).values_list("pk", "person__full_name"))
    return [
        {
            "mentee": names.get(change.mentee_id, "—"),
            "mentor_before": names.get(change.mentor_before) if change.mentor_before else None,
            "mentor_after": names.get(change.mentor_after) if change.mentor_after else None,
            "score_before": change.score_before,
            "score_after": change.score_after,
        }
        for change in comparison.changes
    ]


def _figure_rows(
    comparison: Comparison, earlier: MatchingRound, later: MatchingRound
) -> list[dict[str, Any]]:
    """Each figure of the earlier and the later round, and the change: later minus earlier (a
    round that matches more people, or scores higher, shows a positive difference)."""
    before, after = comparison.before, comparison.after
    unmatched = (
        int((earlier.stats or {}).get("unmatched", 0)),
        int((later.stats or {}).get("unmatched", 0)),
    )
    rows: list[tuple[str, float, float, str]] = [
        ("Matched mentees", before.matched, after.matched, "{:.0f}"),
        ("Unmatched people", unmatched[0], unmatched[1], "{:.0f}"),
        ("Total score", before.total, after.total, "{:.1f}"),
        ("Mean score", before.mean, after.mean, "{:.1f}"),
        ("Lowest score", before.minimum, after.minimum, "{:.1f}"),
    ]
    mode = {
        "label": "Optimised for",
        "this": earlier.get_mode_display(),
        "other": later.get_mode_display(),
        "difference": "",
    }
    return [
        mode,
        *(
            {
                "label": label,
                "this": fmt.format(a),
                "other": fmt.format(b),
                "difference": _difference(b - a, fmt),
            }
            for label, a, b, fmt in rows
        ),
    ]


def _difference(value: float, fmt: str) -> str:
    """``+2``, ``-1.5`` or ``0``: a sign only when something changed (never ``-0.0``)."""
    text = ("{:" + fmt[2:]).format(abs(value))
    if float(text) == 0:
        return ("{:" + fmt[2:]).format(0.0)
    return f"+{text}" if value > 0 else f"-{text}"


@require_GET
def round_compare(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    """``?with=<round>``: figures side by side and every mentee whose mentor changes."""
    matching_round = use_cases.view_round(
        actor=request.membership, round_id=pk, program_id=program_pk
    )
    candidates = list(
        MatchingRound.objects.filter(program_id=matching_round.program_id, status__in=COMPUTED)
        .exclude(pk=matching_round.pk)
        .only("pk", "number", "status", "created_at")[:50]
    )
    context: dict[str, Any] = {
        "round": matching_round,
        "program": matching_round.program,
        "candidates": candidates,
        "error": "",
    }
    try:
        other_id = query_id(request, "with", use_cases.COMPARE_WITH)
        if other_id is None:
            return render(request, "matching/rounds/compare.html", context)
        compared = use_cases.compare_rounds(
            actor=request.membership, round_id=pk, other_id=other_id, program_id=program_pk
        )
    except ValidationError as error:
        context["error"] = error_text(error)
        return render(request, "matching/rounds/compare.html", context, status=400)
    comparison, other = compared.comparison, compared.other
    context.update(
        {
            "other": other,
            "before": compared.before,
            "after": compared.after,
            "figures": _figure_rows(comparison, compared.before, compared.after),
            "unchanged": comparison.unchanged,
            "changes": Paginator(_changes(comparison), CHANGES_PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "change_count": len(comparison.changes),
        }
    )
    return render(request, "matching/rounds/compare.html", context)


@require_http_methods(["GET", "POST"])
def round_publish(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    """GET: what publishing does (the confirmation step). POST: create the pairs and email them."""
    matching_round = use_cases.view_round(
        actor=request.membership, round_id=pk, program_id=program_pk
    )
    access.access_for(request.membership, matching_round).require(access.PUBLISH)
    context: dict[str, Any] = {
        "round": matching_round,
        "program": matching_round.program,
        "stats": matching_round.stats or {},
        "error": "",
    }
    if request.method == "POST":
        try:
            published = use_cases.publish_round(
                actor=request.membership, round_id=pk, program_id=program_pk
            )
        except ValidationError as error:
            context["error"] = error_text(error)
            return render(request, "matching/rounds/publish.html", context, status=400)
        count = len(published.pairs)
        messages.success(
            request,
            f"Round {matching_round.number} is published: {count} pair"
            f"{'' if count == 1 else 's'} created, and both people of each pair were "
            "emailed why they were paired and the next steps.",
        )
        return to_round(matching_round, org_slug)
    return render(request, "matching/rounds/publish.html", context)
