"""The pair page's actions: sessions, notes, goals, lifecycle, and the calendar invitation.

Every view opens the pair through ``feedback.visibility.pair_access`` (anyone who may not see it
gets 404) and mirrors the API (``feedback.api.relationships``) on who may write:

- sessions, notes, goals, re-match requests and invitations: the pair's two people (staff: 403);
- a note, and a session before its confirmation, are changed by their author alone (a note of
  someone else is a 404: it does not exist for them);
- pause, resume and complete: the pair's people or its staff; extend: its staff.

Each form works as a plain POST (redirect on success; the whole pair page at 400 with the typed
values and field messages on failure). From the pair page, htmx posts the sessions, notes and goals
forms and swaps in that section alone, with a short announcement in the page's live region.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import add_form_errors
from feedback import goals, ics, notes, sessions
from feedback.forms_relationships import (
    ExtendForm,
    GoalForm,
    GoalProgressForm,
    InviteForm,
    NoteForm,
    PauseForm,
    RematchForm,
    SessionCorrectionForm,
    SessionForm,
    SessionLogForm,
)
from feedback.models import Note, NoteVisibility, SessionLog, SessionStatus
from feedback.views.relationships_context import (
    owner_labels,
    pair_life,
    session_status_label,
    viewer_zone,
)
from feedback.visibility import PairAccess, pair_access
from matching import pairs as pair_services
from matching.views.pairs import render_pair_page
from organizations.http import OrgRequest
from participants.models import Enrollment

# --- Access --------------------------------------------------------------------------------------


def _access(request: OrgRequest, pair_pk: int) -> PairAccess:
    return pair_access(pair_pk, membership=request.membership, user=request.user)


def _member(access: PairAccess) -> Enrollment:
    """The viewer's side of the pair; staff who see the pair without being in it get 403."""
    if access.enrollment is None:
        raise PermissionDenied("Only the two people of this pair do this.")
    return access.enrollment


def _staff_or_member(access: PairAccess) -> None:
    if not (access.is_member or access.is_staff):
        raise PermissionDenied


def _session(access: PairAccess, pk: int) -> SessionLog:
    session = get_object_or_404(access.sessions().prefetch_related("topics"), pk=pk)
    session.pair = access.pair
    return session


def _own_note(access: PairAccess, pk: int) -> Note:
    enrollment = _member(access)
    note = get_object_or_404(Note.objects.filter(pair=access.pair, author=enrollment), pk=pk)
    note.pair = access.pair
    return note


def _is_htmx(request: OrgRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _pair_url(access: PairAccess, org_slug: str, anchor: str = "") -> str:
    url = reverse("pair_detail", kwargs={"org_slug": org_slug, "pk": access.pair.pk})
    return f"{url}#{anchor}" if anchor else url


# --- Answers -------------------------------------------------------------------------------------


def _apply(form: Form, error: ValidationError, renames: dict[str, str] | None = None) -> None:
    """A service's ValidationError onto the form, its field names translated where they differ."""
    if renames and hasattr(error, "error_dict"):
        error = ValidationError(
            {renames.get(field, field): messages for field, messages in error.message_dict.items()}
        )
    add_form_errors(form, error)


def _answer(
    request: OrgRequest,
    org_slug: str,
    access: PairAccess,
    section: str,
    *,
    message: str,
    failed: dict[str, Any] | None = None,
    also: tuple[str, ...] = (),
) -> HttpResponse:
    """After a pair-page form: its section for htmx (with ``also`` sections it changed, swapped
    out of band), else a redirect (or the page at 400)."""
    status = 400 if failed else 200
    if _is_htmx(request):
        context = {
            "pair": access.pair,
            "program": access.pair.program,
            **pair_life(request, access, forms=failed),
            "announcement": "" if failed else message,
        }
        html = render_to_string(f"matching/pairs/detail.html#{section}", context, request=request)
        for other in (*(() if failed else also), "life-status"):
            html += render_to_string(
                f"matching/pairs/detail.html#{other}", {**context, "oob": True}, request=request
            )
        return HttpResponse(html, status=status)
    if failed:
        return render_pair_page(request, access.pair, life_forms=failed, status=400)
    messages.success(request, message)
    return redirect(_pair_url(access, org_slug, section))


# --- Sessions ------------------------------------------------------------------------------------


@require_POST
def session_log(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    """Log a session (with optional shared and private notes): it waits for the partner."""
    access = _access(request, pair_pk)
    by = _member(access)
    form = SessionLogForm(request.POST, topics=sessions.session_topics(access.pair.program))
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                session = sessions.session_log(
                    pair=access.pair,
                    by=by,
                    actor=request.user,
                    held_on=data["held_on"],
                    duration_minutes=data["duration_minutes"],
                    format=data["format"],
                    topic_ids=form.topic_ids(),
                    learned=data["learned"],
                    action_items=data["action_items"],
                )
                for field, visibility in (
                    ("shared_note", NoteVisibility.SHARED),
                    ("private_note", NoteVisibility.PRIVATE),
                ):
                    if data[field].strip():
                        try:
                            notes.note_create(
                                pair=access.pair,
                                author=by,
                                actor=request.user,
                                text=data[field],
                                visibility=visibility,
                                session=session,
                            )
                        except ValidationError as error:
                            _apply(form, error, {"text": field})
                            raise
        except ValidationError as error:
            if not form.errors:
                _apply(form, error)
    if form.errors:
        return _answer(
            request, org_slug, access, "sessions", message="", failed={"session_form": form}
        )
    partner = access.partner
    name = partner.person.full_name if partner is not None else "your partner"
    return _answer(
        request,
        org_slug,
        access,
        "sessions",
        message=f"Session logged. It waits for {name}'s confirmation.",
        also=("notes",),
    )


def _session_page(
    request: OrgRequest,
    access: PairAccess,
    session: SessionLog,
    template: str,
    form: Form,
    status: int = 200,
) -> HttpResponse:
    context = {
        "pair": access.pair,
        "program": access.pair.program,
        "access": access,
        "session": session,
        "status_label": session_status_label(access, session),
        "form": form,
    }
    return render(request, f"feedback/relationships/{template}", context, status=status)


def _facts_initial(session: SessionLog) -> dict[str, Any]:
    return {
        "held_on": session.held_on,
        "duration_minutes": session.duration_minutes,
        "format": session.format,
        "topics": [topic.pk for topic in session.topics.all()],
    }


@require_http_methods(["GET", "POST"])
def session_edit(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    """The logger edits a session until it is confirmed; afterwards either member edits its text
    (the facts are final, the service says so)."""
    access = _access(request, pair_pk)
    by = _member(access)
    session = _session(access, pk)
    topics = sessions.session_topics(access.pair.program)
    if session.status != SessionStatus.CONFIRMED and session.logged_by_id != by.pk:
        raise PermissionDenied("Your partner logged this session: confirm or correct it instead.")
    if request.method == "GET":
        initial = {
            **_facts_initial(session),
            "learned": session.learned,
            "action_items": session.action_items,
        }
        form = SessionForm(initial=initial, topics=topics)
        return _session_page(request, access, session, "session_edit.html", form)
    form = SessionForm(request.POST, topics=topics)
    if form.is_valid():
        data = form.cleaned_data
        try:
            sessions.session_update(
                session=session,
                by=by,
                actor=request.user,
                held_on=data["held_on"],
                duration_minutes=data["duration_minutes"],
                format=data["format"],
                topic_ids=form.topic_ids(),
                learned=data["learned"],
                action_items=data["action_items"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Session saved.")
            return redirect(_pair_url(access, org_slug, "sessions"))
    return _session_page(request, access, session, "session_edit.html", form, status=400)


@require_POST
def session_delete(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    by = _member(access)
    session = _session(access, pk)
    try:
        sessions.session_delete(session=session, by=by, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_pair_url(access, org_slug, "sessions"))
    return _answer(request, org_slug, access, "sessions", message="Session deleted.")


@require_POST
def session_confirm(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    """Confirm the partner's session as logged (one click from the pair page)."""
    access = _access(request, pair_pk)
    by = _member(access)
    session = _session(access, pk)
    try:
        sessions.session_confirm(session=session, by=by, actor=request.user)
    except ValidationError as error:
        # Nothing was typed: a refusal (already confirmed, one's own session) is a message.
        if _is_htmx(request):
            return _answer(request, org_slug, access, "sessions", message=" ".join(error.messages))
        messages.error(request, " ".join(error.messages))
        return redirect(_pair_url(access, org_slug, "sessions"))
    return _answer(request, org_slug, access, "sessions", message="Session confirmed.")


@require_http_methods(["GET", "POST"])
def session_correct(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    """Correct the facts of the partner's session and confirm it."""
    access = _access(request, pair_pk)
    by = _member(access)
    session = _session(access, pk)
    topics = sessions.session_topics(access.pair.program)
    if request.method == "GET":
        form = SessionCorrectionForm(initial=_facts_initial(session), topics=topics)
        return _session_page(request, access, session, "session_correct.html", form)
    form = SessionCorrectionForm(request.POST, topics=topics)
    if form.is_valid():
        try:
            confirmed = sessions.session_confirm(
                session=session, by=by, actor=request.user, corrections=form.corrections()
            )
        except ValidationError as error:
            _apply(form, error, {"topics": "topics"})
        else:
            done = "Corrected and confirmed." if confirmed.corrected else "Session confirmed."
            messages.success(request, done)
            return redirect(_pair_url(access, org_slug, "sessions"))
    return _session_page(request, access, session, "session_correct.html", form, status=400)


# --- Notes ---------------------------------------------------------------------------------------


@require_POST
def note_create(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    author = _member(access)
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
            _apply(form, error)
    if form.errors:
        return _answer(request, org_slug, access, "notes", message="", failed={"note_form": form})
    private = note.visibility == NoteVisibility.PRIVATE
    message = (
        "Private note saved: only you see it." if private else "Note shared with your partner."
    )
    return _answer(request, org_slug, access, "notes", message=message)


@require_http_methods(["GET", "POST"])
def note_edit(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
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
                    author=_member(access),
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    visibility=form.cleaned_data["visibility"],
                )
            except ValidationError as error:
                _apply(form, error)
            else:
                messages.success(request, "Note saved.")
                return redirect(_pair_url(access, org_slug, "notes"))
        status = 400
    context = {"pair": access.pair, "program": access.pair.program, "note": note, "form": form}
    return render(request, "feedback/relationships/note_edit.html", context, status=status)


@require_POST
def note_delete(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    note = _own_note(access, pk)
    notes.note_delete(note=note, author=_member(access), actor=request.user)
    return _answer(request, org_slug, access, "notes", message="Note deleted.")


# --- Goals ---------------------------------------------------------------------------------------


@require_POST
def goal_create(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    by = _member(access)
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
            _apply(form, error)
    if form.errors:
        return _answer(request, org_slug, access, "goals", message="", failed={"goal_form": form})
    return _answer(request, org_slug, access, "goals", message="Goal added.")


@require_POST
def goal_progress(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    by = _member(access)
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
            _apply(form, error)
    if form.errors:
        failed = {"goal_progress_forms": {goal.pk: form}}
        return _answer(request, org_slug, access, "goals", message="", failed=failed)
    message = f"Progress recorded: {form.cleaned_data['progress']} % on “{goal.description}”."
    return _answer(request, org_slug, access, "goals", message=message)


# --- Lifecycle -----------------------------------------------------------------------------------


def _lifecycle_done(
    request: OrgRequest, org_slug: str, access: PairAccess, message: str
) -> HttpResponse:
    messages.success(request, message)
    return redirect(_pair_url(access, org_slug, "lifecycle"))


def _refused(
    request: OrgRequest, org_slug: str, access: PairAccess, error: ValidationError
) -> HttpResponse:
    """A lifecycle step that no longer applies (the pair changed meanwhile): say why."""
    messages.error(request, " ".join(error.messages))
    return redirect(_pair_url(access, org_slug, "lifecycle"))


def _lifecycle_form(
    request: OrgRequest,
    org_slug: str,
    access: PairAccess,
    form: Form,
    key: str,
    act: Any,
    message: str,
) -> HttpResponse:
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refused(request, org_slug, access, error)
            _apply(form, error)
        else:
            return _lifecycle_done(request, org_slug, access, message)
    return render_pair_page(request, access.pair, life_forms={key: form}, status=400)


@require_POST
def pair_pause(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    _staff_or_member(access)

    def act(data: dict[str, Any]) -> None:
        pair_services.pair_pause(pair=access.pair, actor=request.user, resume_on=data["resume_on"])

    return _lifecycle_form(
        request,
        org_slug,
        access,
        PauseForm(request.POST),
        "pause_form",
        act,
        "The pair is paused. Check-ins wait until it resumes.",
    )


@require_POST
def pair_resume(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    _staff_or_member(access)
    try:
        pair_services.pair_resume(pair=access.pair, actor=request.user)
    except ValidationError as error:
        return _refused(request, org_slug, access, error)
    return _lifecycle_done(request, org_slug, access, "The pair is active again.")


@require_POST
def pair_complete(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    _staff_or_member(access)
    try:
        pair_services.pair_complete(pair=access.pair, actor=request.user)
    except ValidationError as error:
        return _refused(request, org_slug, access, error)
    return _lifecycle_done(request, org_slug, access, "The pair is completed. Well done!")


@require_POST
def pair_extend(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    if not access.is_staff:
        raise PermissionDenied("Only the staff of this program extend its pairs.")

    def act(data: dict[str, Any]) -> None:
        pair_services.pair_extend(pair=access.pair, actor=request.user, ends_on=data["ends_on"])

    return _lifecycle_form(
        request,
        org_slug,
        access,
        ExtendForm(request.POST),
        "extend_form",
        act,
        "The pair's end date is extended.",
    )


@require_POST
def pair_request_rematch(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    by = _member(access)

    def act(data: dict[str, Any]) -> None:
        pair_services.pair_request_rematch(
            pair=access.pair, by=by, actor=request.user, reason=data["reason"]
        )

    return _lifecycle_form(
        request,
        org_slug,
        access,
        RematchForm(request.POST),
        "rematch_form",
        act,
        "Your request went to the program's coordinators. They will be in touch.",
    )


# --- Calendar invitation -------------------------------------------------------------------------


@require_http_methods(["GET"])
def session_invite(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    """The planned next session as an .ics file, from a GET form (nothing is stored)."""
    access = _access(request, pair_pk)
    _member(access)
    if not request.GET:
        return redirect(_pair_url(access, org_slug, "invite"))
    zone = viewer_zone(access)
    form = InviteForm(request.GET)
    if form.is_valid():
        data = form.cleaned_data
        starts_at = datetime.combine(data["date"], data["time"], tzinfo=zone)
        try:
            invitation = ics.session_invitation(
                pair=access.pair,
                starts_at=starts_at,
                minutes=data["minutes"],
                location=data["location"],
                note=data["note"],
            )
        except ValidationError as error:
            _apply(form, error, {"starts_at": "date"})
        else:
            response = HttpResponse(invitation.text, content_type="text/calendar; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{invitation.filename}"'
            return response
    return render_pair_page(request, access.pair, life_forms={"invite_form": form}, status=400)
