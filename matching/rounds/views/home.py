"""A program's matching page: its rounds, the "New round" form (weights, hard rules, mode, prefilled
from the latest round or ``?from=`` for a what-if), and the program's pins and blocks. The form
previews what its settings would propose (``what_if``: a fragment the form's script asks for as
the settings change; without the script, the form's "Preview" button shows the same on the page)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import add_form_errors, paginate
from matching.engine.impact import Impact
from matching.engine.rules import HardRules
from matching.models import MatchingRound, RoundStatus
from matching.rounds import access, use_cases
from matching.rounds.config import ROUND_PROGRAM_STATUSES
from matching.rounds.forms import RULE_LABELS, PairRuleForm, RoundConfigForm
from matching.rounds.views.common import error_text, query_id, to_home, to_round
from organizations.http import OrgRequest
from participants.models import Enrollment, EnrollmentStatus
from programs.models import Program

ROUNDS_PER_PAGE = 20
ACTIVE = (RoundStatus.QUEUED, RoundStatus.RUNNING)
# Above this many possible pairs the page does not compute the rules' impact on every visit: the
# "Check these rules" button does.
IMPACT_ON_VISIT_MAX_PAIRS = 1_000_000
RULE_SETTINGS = (*RULE_LABELS, "level_gap", "allow_unknown_level", "chain_levels")


def _percent(count: int, impact: Impact) -> str:
    share = 100 * impact.share(count)
    if 0 < share < 1:
        return "under 1 %"
    return f"{share:.0f} %"


def _people(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def impact_context(impact: Impact, rules: Mapping[str, Any]) -> dict[str, Any]:
    """The impact as the page shows it: one row per rule, then the rules together."""
    hard = HardRules(**{name: rules[name] for name in RULE_SETTINGS if name in rules})
    rows = [
        {
            "label": hard.label(item.rule)[:1].upper() + hard.label(item.rule)[1:],
            "excluded": f"{item.excluded} ({_percent(item.excluded, impact)})",
            "mentees_without": item.mentees_without,
            "mentors_without": item.mentors_without,
        }
        for item in impact.rules
    ]
    together = [
        f"{impact.allowed} of the {impact.possible} possible pairs remain "
        f"({_percent(impact.allowed, impact)})"
    ]
    if impact.mentees_without:
        together.append(
            _people(impact.mentees_without, "mentee has", "mentees have") + " no allowed mentor"
        )
    if impact.mentors_without:
        together.append(
            _people(impact.mentors_without, "mentor has", "mentors have") + " no allowed mentee"
        )
    if impact.most_pairs is not None:
        together.append(
            f"a round can make at most {_people(impact.most_pairs, 'pair', 'pairs')} "
            f"for {_people(impact.mentees, 'mentee', 'mentees')}"
        )
    return {
        "rows": rows,
        "together": "; ".join(together) + ".",
        "no_pairs": impact.allowed == 0 or impact.most_pairs == 0,
        "mentees": impact.mentees,
        "mentors": impact.mentors,
    }


def _impact(
    request: OrgRequest,
    program: Program,
    form: RoundConfigForm,
    *,
    asked: bool,
    accepted: Mapping[str, int],
) -> dict[str, Any]:
    """``{"impact": …}`` for the rules in the form (as submitted, else as prefilled), or why it is
    not shown: nobody to pair yet, or a cohort large enough to wait for the button."""
    if form.is_bound:
        if not form.is_valid():
            return {}
        rules = form.rules()
    else:
        rules = {name: form.initial[name] for name in RULE_SETTINGS if name in form.initial}
    if not asked and accepted["mentor"] * accepted["mentee"] > IMPACT_ON_VISIT_MAX_PAIRS:
        return {"impact_deferred": True}
    try:
        impact = use_cases.check_rules(actor=request.membership, program_id=program.pk, rules=rules)
    except ValidationError as error:
        add_form_errors(form, error)
        return {}
    if impact is None:
        return {"impact_nobody": True}
    return {"impact": impact_context(impact, rules)}


def what_if_context(
    request: OrgRequest, program: Program, form: RoundConfigForm, *, program_in_url: bool = True
) -> dict[str, Any]:
    """``{"what_if": summary}`` for the form's settings, or ``{"what_if_errors": [...]}``."""
    if not form.is_valid():
        errors = [str(e) for e in form.non_field_errors()]
        errors += [
            f"{form[name].label}: {' '.join(str(m) for m in messages)}"
            for name, messages in form.errors.items()
            if name != "__all__"
        ]
        return {"what_if_errors": errors}
    try:
        summary = use_cases.preview_round(
            actor=request.membership,
            program_id=program.pk,
            weights=form.weights(),
            rules=form.rules(),
            mode=form.cleaned_data["mode"],
            program_in_url=program_in_url,
        )
    except ValidationError as error:
        return {"what_if_errors": error.messages}
    return {"what_if": summary}


@require_POST
def what_if(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    """The what-if summary for the posted round form (the form's script asks for it as the
    settings change): a fragment, 400 with the reasons when the settings are not valid."""
    program = use_cases.view_matching(actor=request.membership, program_id=program_pk)
    form = RoundConfigForm(request.POST)
    context = {"program": program, **what_if_context(request, program, form)}
    status = 400 if "what_if_errors" in context else 200
    return render(request, "matching/rounds/_what_if.html", context, status=status)


def _rounds(program: Program) -> QuerySet[MatchingRound]:
    return MatchingRound.objects.filter(program=program).select_related("rematch_for__person")


def _prefill(request: OrgRequest, program: Program) -> tuple[dict[str, Any], MatchingRound | None]:
    """Initial values from ``?from=<round>`` (a what-if), else the latest full round, else the
    defaults. Raises ValidationError for a ``from`` that is not a round of this program."""
    message = "Choose a round of this program to start from."
    source_id = query_id(request, "from", message)
    if source_id is not None:
        source = _rounds(program).filter(pk=source_id).first()
        if source is None:
            raise ValidationError({"from": message})
        return RoundConfigForm.initial_from(source), source
    latest = _rounds(program).filter(rematch_for__isnull=True).first()
    return RoundConfigForm.initial_from(latest), None


def _accepted_counts(program: Program) -> dict[str, int]:
    rows = (
        Enrollment.objects.filter(program=program, status=EnrollmentStatus.ACCEPTED)
        .values("role")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {"mentor": 0, "mentee": 0}
    counts.update({row["role"]: row["n"] for row in rows})
    return counts


def _render(
    request: OrgRequest,
    program: Program,
    *,
    form: RoundConfigForm | None = None,
    pin_form: PairRuleForm | None = None,
    block_form: PairRuleForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
    preview: bool = False,
) -> HttpResponse:
    source = None
    errors = list(errors or [])
    if form is None:
        try:
            initial, source = _prefill(request, program)
        except ValidationError as error:
            errors.append(error_text(error))
            initial, source = RoundConfigForm.initial_from(None), None
            status = 400
        form = RoundConfigForm(initial=initial)
    rounds = _rounds(program)
    membership = request.membership
    accepted = _accepted_counts(program)
    context: dict[str, Any] = {
        "program": program,
        "form": form,
        "source": source,
        "pin_form": pin_form or PairRuleForm(program=program, prefix="pin"),
        "block_form": block_form or PairRuleForm(program=program, prefix="block"),
        "page": paginate(request, rounds, ROUNDS_PER_PAGE),
        "active_round": rounds.filter(status__in=ACTIVE).first(),
        "can_run": program.status in ROUND_PROGRAM_STATUSES,
        "accepted": accepted,
        "pins": list(access.visible_pins(membership).filter(program=program)),
        "blocks": list(access.visible_blocks(membership).filter(program=program)),
        "errors": errors,
        "preview": preview,
    }
    if context["can_run"] and context["active_round"] is None:
        context.update(_impact(request, program, form, asked=preview, accepted=accepted))
        if preview and form.is_bound:
            context.update(what_if_context(request, program, form))
    if form.errors or (pin_form and pin_form.errors) or (block_form and block_form.errors):
        status = 400
    return render(request, "matching/rounds/home.html", context, status=status)


@require_http_methods(["GET", "POST"])
def matching_home(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    """GET: rounds, pins, blocks and the new-round form. POST: create the round and queue it."""
    program = use_cases.view_matching(actor=request.membership, program_id=program_pk)
    if request.method != "POST":
        return _render(request, program)
    form = RoundConfigForm(request.POST)
    if "preview" in request.POST:
        return _render(request, program, form=form, preview=True)
    if form.is_valid():
        try:
            matching_round = use_cases.run_new_round(
                actor=request.membership,
                program_id=program.pk,
                weights=form.weights(),
                rules=form.rules(),
                mode=form.cleaned_data["mode"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(
                request, f"Round {matching_round.number} is queued: this page shows its progress."
            )
            return to_round(matching_round, org_slug)
    return _render(request, program, form=form)


def _pair_rule_add(request: OrgRequest, org_slug: str, program_pk: int, kind: str) -> HttpResponse:
    program = use_cases.view_matching(actor=request.membership, program_id=program_pk)
    form = PairRuleForm(request.POST, program=program, prefix=kind)
    if form.is_valid():
        mentor, mentee = form.cleaned_data["mentor"], form.cleaned_data["mentee"]
        add = use_cases.pin_pair if kind == "pin" else use_cases.block_pair
        try:
            add(
                actor=request.membership,
                program_id=program.pk,
                mentor_id=mentor.pk,
                mentee_id=mentee.pk,
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            done = "pinned: every round proposes them" if kind == "pin" else "blocked"
            messages.success(
                request,
                f"{mentor.person.full_name} with {mentee.person.full_name} is {done}. "
                "It applies from the next round.",
            )
            return to_home(program.pk, org_slug)
    if kind == "pin":
        return _render(request, program, pin_form=form)
    return _render(request, program, block_form=form)


@require_POST
def pin_add(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    return _pair_rule_add(request, org_slug, program_pk, "pin")


@require_POST
def block_add(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    return _pair_rule_add(request, org_slug, program_pk, "block")


@require_POST
def pin_remove(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    pin = use_cases.remove_pin(actor=request.membership, pin_id=pk, program_id=program_pk)
    messages.success(
        request,
        f"The pin of {pin.mentor.person.full_name} with {pin.mentee.person.full_name} was removed.",
    )
    return to_home(program_pk, org_slug)


@require_POST
def block_remove(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    block = use_cases.remove_block(actor=request.membership, block_id=pk, program_id=program_pk)
    messages.success(
        request,
        f"The block of {block.mentor.person.full_name} with {block.mentee.person.full_name} "
        "was removed.",
    )
    return to_home(program_pk, org_slug)
