"""Program list, create/edit form, overview, lifecycle moves, duplicate and archive."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.pages import add_form_errors, paginate, require_role
from core.params import bool_value, choice_value
from organizations.http import OrgRequest
from programs import lifecycle, selectors, services
from programs.forms import ProgramForm, TransitionForm
from programs.models import Program, ProgramStatus
from programs.views.common import STAFF, get_program
from programs.views.detail import render_detail


@require_GET
@require_role(*STAFF)
def program_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    status = choice_value(request.GET, "status", ProgramStatus.values, default="") or ""
    archived = bool_value(request.GET, "archived")
    programs = selectors.program_overview_list(
        membership=request.membership, status=status or None, archived=archived
    )
    return render(
        request,
        "programs/program_list.html",
        {
            "page": paginate(request, programs),
            "status": status,
            "archived": archived,
            "statuses": ProgramStatus.choices,
            "filtered": bool(status) or archived,
        },
    )


def _save_form(request: OrgRequest, form: ProgramForm, program: Program | None) -> Program | None:
    if not form.is_valid():
        return None
    try:
        if program is None:
            return services.program_create(
                organization=request.organization,
                actor=request.user,
                values=form.values(),
                focus_topics=form.cleaned_data["focus_topics"],
            )
        return services.program_update(
            actor=request.user,
            program=program,
            values=form.values(),
            focus_topics=form.cleaned_data["focus_topics"],
        )
    except ValidationError as error:
        add_form_errors(form, error)
        return None


@require_http_methods(["GET", "POST"])
@require_role(*STAFF)
def program_create(request: OrgRequest, org_slug: str) -> HttpResponse:
    form = ProgramForm(request.POST or None)
    if request.method == "POST":
        program = _save_form(request, form, None)
        if program is not None:
            messages.success(request, f"“{program.name}” was created as a draft.")
            return redirect("program_detail", org_slug=org_slug, pk=program.pk)
    return render(
        request,
        "programs/program_form.html",
        {"form": form, "program": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@require_role(*STAFF)
def program_edit(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    if request.method == "POST":
        form = ProgramForm(request.POST, program=program)
        saved = _save_form(request, form, program)
        if saved is not None:
            messages.success(request, f"“{saved.name}” was saved.")
            return redirect("program_detail", org_slug=org_slug, pk=saved.pk)
        program.refresh_from_db()
    else:
        form = ProgramForm(initial=ProgramForm.initial_for(program), program=program)
    return render(
        request,
        "programs/program_form.html",
        {"form": form, "program": program},
        status=400 if form.errors else 200,
    )


@require_GET
@require_role(*STAFF)
def program_detail(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    return render_detail(request, get_program(request, pk))


@require_POST
@require_role(*STAFF)
def program_transition(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return render_detail(
            request, program, status=400, transition_errors=["Choose a valid status."]
        )
    try:
        lifecycle.program_transition(
            actor=request.user, program=program, to=form.cleaned_data["to"]
        )
    except ValidationError as error:
        return render_detail(request, program, status=400, transition_errors=error.messages)
    messages.success(request, f"“{program.name}” is now {program.get_status_display().lower()}.")
    return redirect("program_detail", org_slug=org_slug, pk=program.pk)


@require_POST
@require_role(*STAFF)
def program_duplicate(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    copy = services.program_duplicate(actor=request.user, program=program)
    messages.success(
        request, f"“{copy.name}” was created as a draft. Set its dates for the next cohort."
    )
    return redirect("program_edit", org_slug=org_slug, pk=copy.pk)


@require_POST
@require_role(*STAFF)
def program_archive(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    try:
        services.program_archive(actor=request.user, program=program)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{program.name}” was archived.")
    return redirect("program_detail", org_slug=org_slug, pk=program.pk)


@require_POST
@require_role(*STAFF)
def program_unarchive(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    services.program_unarchive(actor=request.user, program=program)
    messages.success(request, f"“{program.name}” is back in the program list.")
    return redirect("program_detail", org_slug=org_slug, pk=program.pk)
