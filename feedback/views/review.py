"""Staff pages on how pairs are doing: the program's engagement page, the mid-review queue, and one
pair's review (its signals, history and the decision form).

Admins and the program's coordinators only: another program or pair is a 404, a plain member a 403
(``require_role``); a pair is opened through ``feedback.visibility`` and must let the viewer see
review decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.pages import add_form_errors, paginate, require_role
from core.params import choice_value
from feedback import hooks, review
from feedback.forms_review import ReviewDecisionForm
from feedback.models import EngagementLevel, ReviewDecisionKind
from feedback.visibility import pair_access
from matching.models import Pair
from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES
from programs.access import managed_programs
from programs.models import Program

STAFF = STAFF_ROLES
LEVEL_LABELS = dict(EngagementLevel.choices) | {"none": "Not scored yet"}
DECISION_LABELS = dict(ReviewDecisionKind.choices)
PAIR_PAGE_DECISIONS = frozenset(
    {ReviewDecisionKind.REPAIR, ReviewDecisionKind.EXTEND, ReviewDecisionKind.CLOSE}
)
PER_PAGE = 25


@dataclass
class Row:
    """One pair on a staff page: the annotated pair (``review.pair_signals``) and its labels."""

    pair: Pair
    form: ReviewDecisionForm | None = None
    # The members' mid-survey answers (``hooks.review_pair_surveys``); None: nothing per pair.
    surveys: list[dict[str, Any]] | None = None

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS.get(getattr(self.pair, "engagement_level", None) or "none"))

    @property
    def decision_label(self) -> str:
        return str(DECISION_LABELS.get(getattr(self.pair, "decision", None) or "", ""))

    @property
    def acts_on_pair_page(self) -> bool:
        """The latest decision is carried out on the pair's page (re-pair, extend, close)."""
        return getattr(self.pair, "decision", None) in PAIR_PAGE_DECISIONS

    @property
    def hours_met(self) -> float:
        return (getattr(self.pair, "minutes_met", None) or 0) / 60


def _program(request: OrgRequest, program_pk: int) -> Program:
    return get_object_or_404(managed_programs(request.membership), pk=program_pk)


def _pair(request: OrgRequest, program: Program, pair_pk: int) -> Pair:
    access = pair_access(pair_pk, membership=request.membership, user=request.user)
    if access.pair.program_id != program.pk or not access.sees_review_decisions:
        raise Http404("No such pair.")
    return access.pair


def _with_surveys(
    request: OrgRequest, org_slug: str, program: Program, rows: list[Row]
) -> dict[str, Any]:
    """The survey column's context (note and link), and each row's per-pair answers."""
    context: dict[str, Any] = {"surveys_note": review.NO_MID_SURVEY, "surveys_link": ""}
    context.update(
        hooks.review_pair_surveys.context(
            program=program,
            membership=request.membership,
            org_slug=org_slug,
            pairs=[row.pair for row in rows],
        )
    )
    per_pair = context.pop("pair_surveys", {})
    for row in rows:
        row.surveys = per_pair.get(row.pair.pk)
    return context


def _level(request: OrgRequest) -> str:
    return choice_value(request.GET, "level", LEVEL_LABELS, default="") or ""


def _level_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in LEVEL_LABELS.items()]


@require_GET
@require_role(*STAFF)
def program_engagement(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    """Every open pair's latest engagement score and reasons, at-risk first, with counts by level
    and the mid-review decisions so far."""
    program = _program(request, program_pk)
    level = _level(request)
    page = paginate(request, review.review_queue(program, level=level), PER_PAGE)
    counts = review.level_counts(program)
    context = {
        "program": program,
        "page": page,
        "rows": [Row(pair) for pair in page.object_list],
        "level": level,
        "levels": _level_choices(),
        "count_rows": [(LEVEL_LABELS[key], counts[key]) for key in LEVEL_LABELS],
        "total": sum(counts.values()),
        "decisions": review.decision_summary(program),
        "window": review.review_window(program),
    }
    return render(request, "feedback/review/engagement.html", context)


@require_GET
@require_role(*STAFF)
def program_review(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    """The mid-review queue: from the mid-review date, every open pair with its signals and a
    decision form; before it, when it opens."""
    program = _program(request, program_pk)
    window = review.review_window(program)
    level = _level(request)
    context: dict[str, Any] = {
        "program": program,
        "window": window,
        "level": level,
        "levels": _level_choices(),
    }
    if window.is_open:
        page = paginate(request, review.review_queue(program, level=level), PER_PAGE)
        rows = [Row(pair, ReviewDecisionForm(pair_pk=pair.pk)) for pair in page.object_list]
        context["page"] = page
        context["rows"] = rows
        context.update(_with_surveys(request, org_slug, program, rows))
    return render(request, "feedback/review/queue.html", context)


@require_http_methods(["GET", "POST"])
@require_role(*STAFF)
def review_pair(request: OrgRequest, org_slug: str, program_pk: int, pair_pk: int) -> HttpResponse:
    """One pair's signals, score history and decisions, and the decision form (POST records it).

    From the queue with htmx, the POST answers with the pair's row (its errors at 400)."""
    program = _program(request, program_pk)
    pair = _pair(request, program, pair_pk)
    window = review.review_window(program)
    form = ReviewDecisionForm(request.POST or None, pair_pk=pair.pk)
    recorded = None
    if request.method == "POST" and form.is_valid():
        try:
            recorded = review.decision_record(
                pair=pair,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
    status = 400 if form.errors else 200
    row = Row(review.pair_signals(program, open_only=False).get(pk=pair.pk), form)
    if request.headers.get("HX-Request") == "true" and request.method == "POST":
        if recorded is not None:
            row.form = ReviewDecisionForm(pair_pk=pair.pk)
        context = {
            "program": program,
            "window": window,
            "row": row,
            "recorded": recorded,
            **_with_surveys(request, org_slug, program, [row]),
        }
        return render(request, "feedback/review/queue.html#queue-row", context, status=status)
    if recorded is not None:
        label = DECISION_LABELS[recorded.decision]
        messages.success(request, f"Recorded “{label}” for {_names(pair)}.")
        return redirect("program_review", org_slug=org_slug, program_pk=program.pk)
    context = {
        "program": program,
        "window": window,
        "row": row,
        "form": form,
        "decisions": list(review.decision_history(pair)[:50]),
        "snapshots": list(review.snapshot_history(pair)[:30]),
        **_with_surveys(request, org_slug, program, [row]),
    }
    return render(request, "feedback/review/pair.html", context, status=status)


def _names(pair: Pair) -> str:
    return f"{pair.mentor.person.full_name} and {pair.mentee.person.full_name}"
