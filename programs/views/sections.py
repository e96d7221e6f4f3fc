"""The overview's sections: objectives, charter, training and coordinators.

Adding from the overview posts back to it: with htmx only the section comes back (a template
partial of the overview); without JavaScript a success redirects and an error re-renders the whole
page with status 400 and the field messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import add_form_errors, require_role
from organizations.http import OrgRequest
from organizations.models import Role
from programs import content, selectors, services
from programs.forms import CharterForm, CoordinatorForm, MoveForm, ObjectiveForm, TrainingForm
from programs.models import Objective, Program, TrainingResource
from programs.views.common import STAFF, get_program, is_htmx
from programs.views.detail import render_detail


def _detail_url(org_slug: str, program: Program, anchor: str) -> str:
    return reverse("program_detail", kwargs={"org_slug": org_slug, "pk": program.pk}) + anchor


def _add_on_overview(
    request: OrgRequest,
    program: Program,
    *,
    form: forms.Form,
    form_name: str,
    section: str,
    save: Callable[[dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """Validate ``form``, call ``save`` with its data, answer as the overview or its section."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
    if form.errors:
        return render_detail(
            request,
            program,
            partial=section if is_htmx(request) else None,
            status=400,
            **{form_name: form},
        )
    if is_htmx(request):
        return render_detail(request, program, partial=section, section_message=success)
    messages.success(request, success)
    return redirect(_detail_url(request.organization.slug, program, f"#{section}"))


def _edit_page(
    request: OrgRequest,
    program: Program,
    *,
    form: forms.Form,
    title: str,
    save: Callable[[dict[str, Any]], object],
    success: str,
    anchor: str,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(_detail_url(request.organization.slug, program, anchor))
    return render(
        request,
        "programs/item_form.html",
        {"form": form, "program": program, "title": title, "back": anchor},
        status=400 if form.errors else 200,
    )


# --- Objectives ------------------------------------------------------------------------------------


def _objective(program: Program, pk: int) -> Objective:
    return get_object_or_404(selectors.objective_list(program=program), pk=pk)


@require_POST
@require_role(*STAFF)
def objective_create(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    return _add_on_overview(
        request,
        program,
        form=ObjectiveForm(request.POST),
        form_name="objective_form",
        section="objectives",
        save=lambda data: content.objective_create(
            actor=request.user, program=program, values=data
        ),
        success="The objective was added.",
    )


@require_http_methods(["GET", "POST"])
@require_role(*STAFF)
def objective_edit(request: OrgRequest, org_slug: str, pk: int, objective_pk: int) -> HttpResponse:
    program = get_program(request, pk)
    objective = _objective(program, objective_pk)
    initial = {f: getattr(objective, f) for f in content.OBJECTIVE_FIELDS}
    return _edit_page(
        request,
        program,
        form=ObjectiveForm(request.POST or None, initial=initial),
        title="Edit objective",
        save=lambda data: content.objective_update(
            actor=request.user, objective=objective, values=data
        ),
        success="The objective was saved.",
        anchor="#objectives",
    )


@require_POST
@require_role(*STAFF)
def objective_delete(
    request: OrgRequest, org_slug: str, pk: int, objective_pk: int
) -> HttpResponse:
    program = get_program(request, pk)
    objective = _objective(program, objective_pk)
    try:
        content.objective_delete(actor=request.user, objective=objective)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The objective was removed.")
    return redirect(_detail_url(org_slug, program, "#objectives"))


@require_POST
@require_role(*STAFF)
def objective_move(request: OrgRequest, org_slug: str, pk: int, objective_pk: int) -> HttpResponse:
    program = get_program(request, pk)
    objective = _objective(program, objective_pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        content.objective_move(
            actor=request.user, objective=objective, direction=form.cleaned_data["direction"]
        )
    else:
        messages.error(request, "Move the objective up or down.")
    if is_htmx(request):
        return render_detail(request, program, partial="objectives")
    return redirect(_detail_url(org_slug, program, "#objectives"))


# --- Charter ---------------------------------------------------------------------------------------


@require_POST
@require_role(*STAFF)
def charter_publish(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    return _add_on_overview(
        request,
        program,
        form=CharterForm(request.POST),
        form_name="charter_form",
        section="charter",
        save=lambda data: content.charter_publish(
            actor=request.user, program=program, body=data["body"], change_note=data["change_note"]
        ),
        success="A new charter version was published. Participants will be asked to accept it.",
    )


# --- Training --------------------------------------------------------------------------------------


def _resource(program: Program, pk: int) -> TrainingResource:
    return get_object_or_404(selectors.training_list(program=program), pk=pk)


@require_POST
@require_role(*STAFF)
def training_create(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    return _add_on_overview(
        request,
        program,
        form=TrainingForm(request.POST),
        form_name="training_form",
        section="training",
        save=lambda data: content.training_create(actor=request.user, program=program, values=data),
        success="The training resource was added.",
    )


@require_http_methods(["GET", "POST"])
@require_role(*STAFF)
def training_edit(request: OrgRequest, org_slug: str, pk: int, resource_pk: int) -> HttpResponse:
    program = get_program(request, pk)
    resource = _resource(program, resource_pk)
    initial = {f: getattr(resource, f) for f in content.TRAINING_FIELDS}
    return _edit_page(
        request,
        program,
        form=TrainingForm(request.POST or None, initial=initial),
        title="Edit training resource",
        save=lambda data: content.training_update(
            actor=request.user, resource=resource, values=data
        ),
        success="The training resource was saved.",
        anchor="#training",
    )


@require_POST
@require_role(*STAFF)
def training_delete(request: OrgRequest, org_slug: str, pk: int, resource_pk: int) -> HttpResponse:
    program = get_program(request, pk)
    resource = _resource(program, resource_pk)
    content.training_delete(actor=request.user, resource=resource)
    messages.success(request, f"“{resource.title}” was removed.")
    return redirect(_detail_url(org_slug, program, "#training"))


# --- Coordinators (admins assign them) -------------------------------------------------------------


@require_POST
@require_role(Role.ADMIN)
def coordinator_add(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    return _add_on_overview(
        request,
        program,
        form=CoordinatorForm(request.POST, program=program),
        form_name="coordinator_form",
        section="coordinators",
        save=lambda data: services.coordinator_assign(
            actor=request.user, program=program, user=data["user"]
        ),
        success="The coordinator was assigned.",
    )


@require_POST
@require_role(Role.ADMIN)
def coordinator_remove(
    request: OrgRequest, org_slug: str, pk: int, coordinator_pk: int
) -> HttpResponse:
    program = get_program(request, pk)
    assignment = get_object_or_404(selectors.coordinator_list(program=program), pk=coordinator_pk)
    services.coordinator_remove(actor=request.user, assignment=assignment)
    messages.success(request, f"{assignment.user.email} no longer coordinates this program.")
    return redirect(_detail_url(org_slug, program, "#coordinators"))
