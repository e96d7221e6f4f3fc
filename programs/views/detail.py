"""The program overview page: one template, whose sections double as htmx partials."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from organizations.http import OrgRequest
from programs import hooks, lifecycle, selectors
from programs.forms import CharterForm, CoordinatorForm, ObjectiveForm, TrainingForm
from programs.models import Program

TEMPLATE = "programs/program_detail.html"
# Sections whose changes can change which lifecycle moves are allowed.
LIFECYCLE_INPUTS = ("objectives", "charter")


def detail_context(request: OrgRequest, program: Program, **overrides: Any) -> dict[str, Any]:
    versions = list(selectors.charter_versions(program=program).order_by("-version"))
    context: dict[str, Any] = {
        "program": program,
        "focus_topics": list(program.focus_topics.all()),
        "transitions": lifecycle.transition_options(program),
        "objectives": list(selectors.objective_list(program=program)),
        "charter": versions[0] if versions else None,
        "charter_history": versions[1:],
        "coordinators": list(selectors.coordinator_list(program=program)),
        "objective_form": ObjectiveForm(),
        "charter_form": CharterForm(),
        "training_form": TrainingForm(),
        "coordinator_form": (
            CoordinatorForm(program=program) if request.membership.is_admin else None
        ),
        "transition_errors": None,
        "section_message": None,
    }
    context.update(hooks.program_page.context(program))
    context.update(overrides)
    return context


def render_detail(
    request: OrgRequest,
    program: Program,
    *,
    partial: str | None = None,
    status: int = 200,
    **overrides: Any,
) -> HttpResponse:
    template = f"{TEMPLATE}#{partial}" if partial else TEMPLATE
    context = detail_context(request, program, **overrides)
    response = render(request, template, context, status=status)
    if partial in LIFECYCLE_INPUTS:
        # Objectives and the charter are preconditions of enrolling: refresh the lifecycle panel
        # too (an htmx out-of-band swap), or its button and missing list stay as they were.
        response.content += render_to_string(
            f"{TEMPLATE}#lifecycle", {**context, "oob": True}, request
        ).encode()
    return response
