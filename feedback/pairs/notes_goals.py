"""The pair page's notes and goals: write, edit and delete a note; set a goal, record progress."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from feedback import goals, notes
from feedback.models import Note, NoteVisibility
from feedback.pairs.answers import access_of, answer, apply_error, member_of, pair_url
from feedback.pairs.context import owner_labels
from feedback.pairs.forms import GoalForm, GoalProgressForm, NoteForm
from feedback.visibility import PairAccess
from organizations.http import OrgRequest


def _own_note(access: PairAccess, pk: int) -> Note:
    enrollment = member_of(access)
    note = get_object_or_404(Note.objects.filter(pair=access.pair, author=enrollment), pk=pk)
    note.pair = access.pair
    return note


# --- Notes ---------------------------------------------------------------------------------------


@require_POST
def note_create(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = access_of(request, pair_pk)
    author = member_of(access)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = notes.note_create(
                pair=access.pair,
                author=author,
                actor=request.user,
                text=form.cleaned_data["text"],
                visibility=form.cleaned_data["visibility"],
            )
        except ValidationError as error:
            apply_error(form, error)
    if form.errors:
        return answer(request, org_slug, access, "notes", message="", failed={"note_form": form})
    private = note.visibility == NoteVisibility.PRIVATE
    message = (
        "Private note saved: only you see it." if private else "Note shared with your partner."
    )
    return answer(request, org_slug, access, "notes", message=message)


@require_http_methods(["GET", "POST"])
def note_edit(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = access_of(request, pair_pk)
    note = _own_note(access, pk)
    if request.method == "GET":
        form = NoteForm(initial={"text": note.text, "visibility": note.visibility})
        status = 200
    else:
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                notes.note_update(
                    note=note,
                    author=member_of(access),
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    visibility=form.cleaned_data["visibility"],
                )
            except ValidationError as error:
                apply_error(form, error)
            else:
                messages.success(request, "Note saved.")
                return redirect(pair_url(access, org_slug, "notes"))
        status = 400
    context = {"pair": access.pair, "program": access.pair.program, "note": note, "form": form}
    return render(request, "feedback/relationships/note_edit.html", context, status=status)


@require_POST
def note_delete(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = access_of(request, pair_pk)
    note = _own_note(access, pk)
    notes.note_delete(note=note, author=member_of(access), actor=request.user)
    return answer(request, org_slug, access, "notes", message="Note deleted.")


# --- Goals ---------------------------------------------------------------------------------------


@require_POST
def goal_create(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = access_of(request, pair_pk)
    by = member_of(access)
    form = GoalForm(request.POST, owner_labels=owner_labels(access))
    if form.is_valid():
        try:
            goals.goal_create(
                pair=access.pair,
                by=by,
                actor=request.user,
                owner=form.cleaned_data["owner"],
                description=form.cleaned_data["description"],
                target_date=form.cleaned_data["target_date"],
            )
        except ValidationError as error:
            apply_error(form, error)
    if form.errors:
        return answer(request, org_slug, access, "goals", message="", failed={"goal_form": form})
    return answer(request, org_slug, access, "goals", message="Goal added.")


@require_POST
def goal_progress(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = access_of(request, pair_pk)
    by = member_of(access)
    goal = get_object_or_404(access.goals(), pk=pk)
    goal.pair = access.pair
    form = GoalProgressForm(request.POST, goal_pk=goal.pk)
    if form.is_valid():
        try:
            goals.goal_progress(
                goal=goal,
                by=by,
                actor=request.user,
                progress=form.cleaned_data["progress"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            apply_error(form, error)
    if form.errors:
        failed = {"goal_progress_forms": {goal.pk: form}}
        return answer(request, org_slug, access, "goals", message="", failed=failed)
    message = f"Progress recorded: {form.cleaned_data['progress']} % on “{goal.description}”."
    return answer(request, org_slug, access, "goals", message=message)
