"""Pair pages: a person's own pairs, one pair with why they were paired and what to do next, and
for the staff of a program its pairs, ending a pair and starting re-matches.

Who sees a pair: its two people and the staff who manage its program (admins; coordinators of
that program). Anyone else in the organisation gets 404, as for a pair that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.pages import add_form_errors, paginate, require_role
from core.params import choice_value
from feedback.pairs.context import PairCharter, pair_facts, pair_life
from feedback.pairs.forms import PairEndForm
from feedback.sessions.services import hours_by_pair, hours_by_person, program_hours
from feedback.visibility import PairAccess, access_for, pair_access
from matching import access as pair_policy
from matching import pairs as pair_services
from matching.engine.scoring import CRITERION_LABELS
from matching.loading import free_places, open_pair_counts
from matching.models import OPEN_PAIR_STATUSES, MatchingRound, Pair, PairStatus, ProposedPair
from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES
from participants.models import (
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
    Person,
)
from programs.access import managed_program
from programs.lifecycle import program_today
from programs.models import Program, ProgramStatus

# Re-matching only makes sense while pairs are being formed or running (the service says why not).
REMATCH_PROGRAM_STATUSES = (ProgramStatus.MATCHING, ProgramStatus.ACTIVE)
# Before a first round everyone of a program is free: the list is a pointer, not the whole cohort.
FREE_PEOPLE_SHOWN = 100


@dataclass(frozen=True)
class MyPairRow:
    pair: Pair
    role: str  # the signed-in person's side: "mentor" or "mentee"
    partner: Enrollment

    @property
    def role_label(self) -> str:
        return self.pair.program.term(self.role, self.role)


@dataclass(frozen=True)
class Side:
    enrollment: Enrollment
    role_label: str
    is_you: bool
    accepted_charter: bool


@dataclass(frozen=True)
class CriterionRow:
    label: str
    points: float


# --- Lookups -----------------------------------------------------------------------------------


def _managed_pair(request: OrgRequest, pk: int) -> PairAccess:
    """The pair for a staff action: 404 when not visible, 403 for its people who do not run it."""
    access = pair_access(pk, membership=request.membership, user=request.user)
    access.access.require(pair_policy.END)
    return access


# --- My pairs ----------------------------------------------------------------------------------


@require_GET
def my_pair_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    user = request.user
    mine = (
        Pair.objects.filter(Q(mentor__person__user=user) | Q(mentee__person__user=user))
        .select_related("program", "mentor__person", "mentee__person")
        .order_by("-created_at", "-id")
    )
    page = paginate(request, mine)
    rows = []
    for pair in page.object_list:
        if pair.mentor.person.user_id == user.pk:
            rows.append(MyPairRow(pair=pair, role=EnrollmentRole.MENTOR, partner=pair.mentee))
        else:
            rows.append(MyPairRow(pair=pair, role=EnrollmentRole.MENTEE, partner=pair.mentor))
    return render(request, "feedback/pairs/mine.html", {"page": page, "rows": rows})


# --- One pair ----------------------------------------------------------------------------------


def _breakdown(pair: Pair) -> list[CriterionRow] | None:
    """The source round's per-criterion points for this pair (None when there is no proposal)."""
    if pair.source_round_id is None:
        return None
    proposal = (
        ProposedPair.objects.filter(
            round_id=pair.source_round_id, mentor_id=pair.mentor_id, mentee_id=pair.mentee_id
        )
        .select_related("round")
        .first()
    )
    if proposal is None or not isinstance(proposal.breakdown, dict):
        return None
    weights = proposal.round.weights if isinstance(proposal.round.weights, dict) else {}
    rows = []
    for key, label in CRITERION_LABELS.items():
        points = proposal.breakdown.get(key)
        if not isinstance(points, int | float):
            continue
        # Criteria the round did not weigh add nothing: leave them out rather than list zeros.
        if points == 0 and not weights.get(key):
            continue
        rows.append(CriterionRow(label=label, points=float(points)))
    return rows


def _sides(pair: Pair, user_id: int, charter: PairCharter) -> list[Side]:
    program = pair.program
    return [
        Side(
            enrollment=enrollment,
            role_label=program.term(enrollment.role, enrollment.role),
            is_you=enrollment.person.user_id == user_id,
            accepted_charter=charter.accepted(enrollment),
        )
        for enrollment in (pair.mentor, pair.mentee)
    ]


def _render_detail(
    request: OrgRequest,
    access: PairAccess,
    *,
    end_form: PairEndForm | None = None,
    status: int = 200,
    life_forms: dict[str, Any] | None = None,
) -> HttpResponse:
    """The pair page for a viewer whose access the policy gave (``feedback.visibility``)."""
    pair = access.pair
    facts = pair_facts(access, program_today(pair.program))
    charter = facts.charter
    sides = _sides(pair, request.user.pk, charter)
    # Sessions, notes, goals and lifecycle, as the visibility policy lets this viewer see them.
    mine, can_manage = access.enrollment, access.is_staff
    is_open = pair.status in OPEN_PAIR_STATUSES
    if can_manage and is_open and end_form is None:
        end_form = PairEndForm(pair=pair)
    context = {
        "pair": pair,
        "program": pair.program,
        "sides": sides,
        "mine": mine,
        "is_open": is_open,
        "can_manage": can_manage,
        # The score and its breakdown are the program team's (``pair.see_figures``).
        "score": pair_policy.score_as_seen(pair.score, access),
        "breakdown": _breakdown(pair) if access.access.allows(pair_policy.SEE_FIGURES) else None,
        "rationale": pair_policy.rationale_as_seen(pair.rationale, access),
        "charter": charter.current,
        "end_form": end_form if can_manage and is_open else None,
    }
    context.update(pair_life(request, access, forms=life_forms, facts=facts))
    return render(request, "feedback/pairs/detail.html", context, status=status)


def render_pair_page(
    request: OrgRequest, pair: Pair, *, life_forms: dict[str, Any], status: int
) -> HttpResponse:
    """The pair page with a failed form of its sessions, notes, goals or lifecycle sections."""
    access = access_for(pair, membership=request.membership, user=request.user)
    if access is None:  # callers load the pair through the policy; this is belt and braces
        raise Http404("No such pair.")
    return _render_detail(request, access, life_forms=life_forms, status=status)


@require_GET
def pair_detail(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    # The policy's own lookup: 404 for whoever may not see the pair (``feedback.visibility``).
    return _render_detail(
        request, pair_access(pk, membership=request.membership, user=request.user)
    )


@require_POST
def pair_end(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    """End the pair, then start the re-matches asked for (their refusals do not undo the end)."""
    access = _managed_pair(request, pk)
    pair = access.pair
    form = PairEndForm(request.POST, pair=pair)
    if not form.is_valid():
        return _render_detail(request, access, end_form=form, status=400)
    rematch = [
        side
        for side, field in (("mentee", "rematch_mentee"), ("mentor", "rematch_mentor"))
        if form.cleaned_data[field]
    ]
    try:
        outcome = pair_services.pair_end_and_rematch(
            pair=pair, actor=request.user, reason=form.cleaned_data["reason"], rematch=rematch
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            # The pair is no longer open (ended meanwhile): there is no form left to correct.
            messages.error(request, " ".join(error.messages))
        add_form_errors(form, error)
        return _render_detail(request, access, end_form=form, status=400)
    pair = outcome.pair
    messages.success(
        request,
        f"The pair of {pair.mentor.person.full_name} and {pair.mentee.person.full_name} has "
        "ended. Both were told by email.",
    )
    for side in rematch:
        enrollment = pair.mentee if side == "mentee" else pair.mentor
        if side in outcome.rounds:
            messages.success(request, f"A re-match for {enrollment.person.full_name} is running.")
        else:
            refusal = " ".join(outcome.refusals.get(side, []))
            messages.error(request, f"No re-match for {enrollment.person.full_name}: {refusal}")
    if outcome.rounds:
        return _to_round(next(iter(outcome.rounds.values())), org_slug)
    return redirect("pair_detail", org_slug=org_slug, pk=pair.pk)


def _to_round(matching_round: MatchingRound, org_slug: str) -> HttpResponse:
    return redirect(
        "matching_round",
        org_slug=org_slug,
        program_pk=matching_round.program_id,
        pk=matching_round.pk,
    )


# --- A program's pairs (staff) -----------------------------------------------------------------


def _free_people(program: Program) -> tuple[list[tuple[Enrollment, int | None]], int]:
    """Accepted mentees without an open pair and mentors with free places (with how many), and
    how many there are in all."""
    paired_mentees, mentor_load = open_pair_counts(program)
    free: list[tuple[Enrollment, int | None]] = []
    for enrollment in (
        Enrollment.objects.filter(program=program, status=EnrollmentStatus.ACCEPTED)
        .select_related("person")
        .order_by("role", "person__full_name", "id")
    ):
        if enrollment.role == EnrollmentRole.MENTEE:
            if enrollment.pk not in paired_mentees:
                free.append((enrollment, None))
        else:
            places = free_places(enrollment, program, mentor_load.get(enrollment.pk, 0))
            if places > 0:
                free.append((enrollment, places))
    return free[:FREE_PEOPLE_SHOWN], len(free)


@require_GET
@require_role(*STAFF_ROLES)
def program_pair_list(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    program = managed_program(request.membership, program_pk)
    all_pairs = Pair.objects.filter(program=program)
    counted: dict[str, int] = {
        row["status"]: row["n"]
        for row in all_pairs.values("status").annotate(n=Count("id")).order_by()
    }
    status_filter = choice_value(request.GET, "status", PairStatus.values, default="") or ""
    shown = all_pairs.select_related("mentor__person", "mentee__person").order_by(
        "-created_at", "-id"
    )
    if status_filter:
        shown = shown.filter(status=status_filter)
    free, free_total = _free_people(program)
    page = paginate(request, shown)
    # Hours: confirmed sessions count; the pair's own page shows what still waits.
    by_pair = hours_by_pair(program)
    by_person = hours_by_person(program)
    names = dict(Person.objects.filter(pk__in=by_person).values_list("pk", "full_name").order_by())
    context = {
        "program": program,
        "page": page,
        "pair_hours": [(pair, by_pair.get(pair.pk)) for pair in page.object_list],
        "program_hours": program_hours(program),
        "person_hours": sorted(
            ((names.get(person_id, "—"), hours) for person_id, hours in by_person.items()),
            key=lambda row: (-row[1].confirmed_minutes, row[0]),
        ),
        "status_counts": [
            (value, label, counted.get(value, 0)) for value, label in PairStatus.choices
        ],
        "total": sum(counted.values()),
        "status_filter": status_filter,
        "free": free,
        "free_total": free_total,
        "can_rematch": program.status in REMATCH_PROGRAM_STATUSES,
    }
    return render(request, "feedback/pairs/program.html", context)


@require_POST
@require_role(*STAFF_ROLES)
def program_rematch(
    request: OrgRequest, org_slug: str, program_pk: int, enrollment_pk: int
) -> HttpResponse:
    program = managed_program(request.membership, program_pk)
    enrollment = get_object_or_404(
        Enrollment.objects.filter(program=program).select_related("person", "program"),
        pk=enrollment_pk,
    )
    try:
        matching_round = pair_services.rematch_start(enrollment=enrollment, actor=request.user)
    except ValidationError as error:
        messages.error(
            request, f"No re-match for {enrollment.person.full_name}: {' '.join(error.messages)}"
        )
        return redirect("program_pair_list", org_slug=org_slug, program_pk=program.pk)
    messages.success(request, f"A re-match for {enrollment.person.full_name} is running.")
    return _to_round(matching_round, org_slug)
