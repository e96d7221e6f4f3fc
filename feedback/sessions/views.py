"""Log a session: the pair page's session actions (log, edit, delete, confirm, correct) and the
calendar invitation for the next one. Each is an adapter: parse the form, call the use case or
service, answer with the sessions section (htmx) or a redirect.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from feedback import ics
from feedback.models import PlannedSession, SessionLog
from feedback.pairs.answers import access_of, answer, apply_error, is_htmx, member_of, pair_url
from feedback.pairs.context import session_status_label, viewer_zone
from feedback.pairs.views import render_pair_page
from feedback.sessions import services as sessions
from feedback.sessions.forms import (
    InviteForm,
    PlanForm,
    SessionCorrectionForm,
    SessionForm,
    SessionLogForm,
)
from feedback.sessions.use_cases import (
    PlanTimes,
    SessionFacts,
    cancel_planned_session,
    confirm_session,
    log_session,
    move_planned_session,
    plan_session,
    planned_session_of,
)
from feedback.visibility import LOG_SESSION, WRITE, PairAccess
from organizations.http import OrgRequest


def _session(access: PairAccess, pk: int) -> SessionLog:
    session = get_object_or_404(access.sessions().prefetch_related("topics"), pk=pk)
    session.pair = access.pair
    return session


# --- Sessions ------------------------------------------------------------------------------------


@require_POST
def session_log(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    """Log a session (with optional shared and private notes): it waits for the partner."""
    access = access_of(request, pair_pk)
    access.access.require(LOG_SESSION)
    form = SessionLogForm(request.POST, topics=sessions.session_topics(access.pair.program))
    if form.is_valid():
        data = form.cleaned_data
        try:
            log_session(
                access=access,
                actor=request.user,
                facts=SessionFacts(
                    held_on=data["held_on"],
                    duration_minutes=data["duration_minutes"],
                    format=data["format"],
                    topic_ids=form.topic_ids(),
                    learned=data["learned"],
                    action_items=data["action_items"],
                ),
                shared_note=data["shared_note"],
                private_note=data["private_note"],
            )
        except ValidationError as error:
            apply_error(form, error)
    if form.errors:
        return answer(
            request, org_slug, access, "sessions", message="", failed={"session_form": form}
        )
    partner = access.partner
    name = partner.person.full_name if partner is not None else "your partner"
    return answer(
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
    return render(request, f"feedback/sessions/{template}", context, status=status)


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
    access = access_of(request, pair_pk)
    by = member_of(access)
    session = _session(access, pk)
    topics = sessions.session_topics(access.pair.program)
    access.require_session_edit(session)
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
            apply_error(form, error)
        else:
            messages.success(request, "Session saved.")
            return redirect(pair_url(access, org_slug, "sessions"))
    return _session_page(request, access, session, "session_edit.html", form, status=400)


@require_POST
def session_delete(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = access_of(request, pair_pk)
    by = member_of(access)
    session = _session(access, pk)
    try:
        sessions.session_delete(session=session, by=by, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(pair_url(access, org_slug, "sessions"))
    return answer(request, org_slug, access, "sessions", message="Session deleted.")


@require_POST
def session_confirm(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    """Confirm the partner's session as logged (one click from the pair page)."""
    access = access_of(request, pair_pk)
    member_of(access)
    session = _session(access, pk)
    try:
        confirm_session(access=access, actor=request.user, session=session)
    except ValidationError as error:
        # Nothing was typed: a refusal (already confirmed, one's own session) is a message.
        if is_htmx(request):
            return answer(request, org_slug, access, "sessions", message=" ".join(error.messages))
        messages.error(request, " ".join(error.messages))
        return redirect(pair_url(access, org_slug, "sessions"))
    return answer(request, org_slug, access, "sessions", message="Session confirmed.")


@require_http_methods(["GET", "POST"])
def session_correct(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    """Correct the facts of the partner's session and confirm it."""
    access = access_of(request, pair_pk)
    member_of(access)
    session = _session(access, pk)
    access.require_session_confirm(session)  # the logger gets 403 before the form, GET too
    topics = sessions.session_topics(access.pair.program)
    if request.method == "GET":
        form = SessionCorrectionForm(initial=_facts_initial(session), topics=topics)
        return _session_page(request, access, session, "session_correct.html", form)
    form = SessionCorrectionForm(request.POST, topics=topics)
    if form.is_valid():
        try:
            confirmed = confirm_session(
                access=access,
                actor=request.user,
                session=session,
                corrections=form.corrections(),
            )
        except ValidationError as error:
            apply_error(form, error, {"topics": "topics"})
        else:
            done = "Corrected and confirmed." if confirmed.corrected else "Session confirmed."
            messages.success(request, done)
            return redirect(pair_url(access, org_slug, "sessions"))
    return _session_page(request, access, session, "session_correct.html", form, status=400)


# --- Calendar invitation -------------------------------------------------------------------------


@require_http_methods(["GET"])
def session_invite(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    """The planned next session as an .ics file, from a GET form (nothing is stored)."""
    access = access_of(request, pair_pk)
    member_of(access)
    if not request.GET:
        return redirect(pair_url(access, org_slug, "invite"))
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
            apply_error(form, error, {"starts_at": "date"})
        else:
            response = HttpResponse(invitation.text, content_type="text/calendar; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{invitation.filename}"'
            return response
    return render_pair_page(request, access.pair, life_forms={"invite_form": form}, status=400)


# --- Planned sessions (calendar invitations both members get by email) ----------------------------

# The use cases' field names → the plan form's.
_PLAN_FIELDS = {"starts_on": "date", "starts_at": "start", "ends_at": "end", "minutes": "end"}


def _plan_times(form: PlanForm, zone: ZoneInfo) -> PlanTimes:
    """The form's day and times, read in the viewer's zone."""
    data = form.cleaned_data
    day, start, end = data["date"], data["start"], data["end"]
    starts_at = datetime.combine(day, start, tzinfo=zone) if start else None
    return PlanTimes(
        starts_on=None if starts_at else day,
        starts_at=starts_at,
        ends_at=datetime.combine(day, end, tzinfo=zone) if end else None,
    )


@require_POST
def planned_session_create(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    """Plan a session: both members get the calendar invitation by email."""
    access = access_of(request, pair_pk)
    access.access.require(WRITE)  # staff 403 before the form is read
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            plan_session(
                access=access,
                actor=request.user,
                times=_plan_times(form, viewer_zone(access)),
                location=form.cleaned_data["location"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_error(form, error, _PLAN_FIELDS)
        else:
            return answer(
                request, org_slug, access, "planned",
                message="Session planned: you both get the invitation by email.",
            )  # fmt: skip
    return answer(request, org_slug, access, "planned", message="", failed={"plan_form": form})


@require_http_methods(["GET", "POST"])
def planned_session_move(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    """Move (or change) a planned session: both get the updated invitation."""
    access = access_of(request, pair_pk)
    access.access.require(WRITE)
    session = planned_session_of(access, pk)
    zone = viewer_zone(access)
    if request.method == "GET":
        start = timezone.localtime(session.starts_at, zone) if session.starts_at else None
        form = PlanForm(
            initial={
                "date": start.date() if start else session.starts_on,
                "start": start.time() if start else None,
                "end": (start + timedelta(minutes=session.minutes)).time() if start else None,
                "location": session.location,
                "note": session.note,
            }
        )
        return _planned_page(request, access, session, form, zone)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            move_planned_session(
                access=access,
                actor=request.user,
                session=session,
                times=_plan_times(form, zone),
                location=form.cleaned_data["location"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_error(form, error, _PLAN_FIELDS)
        else:
            messages.success(request, "Session moved: you both get the updated invitation.")
            return redirect(pair_url(access, org_slug, "planned"))
    return _planned_page(request, access, session, form, zone, status=400)


def _planned_page(
    request: OrgRequest,
    access: PairAccess,
    session: PlannedSession,
    form: PlanForm,
    zone: ZoneInfo,
    status: int = 200,
) -> HttpResponse:
    context = {
        "pair": access.pair,
        "program": access.pair.program,
        "access": access,
        "planned": session,
        "form": form,
        "zone_name": str(zone),
    }
    return render(request, "feedback/sessions/planned_move.html", context, status=status)


@require_POST
def planned_session_cancel(
    request: OrgRequest, org_slug: str, pair_pk: int, pk: int
) -> HttpResponse:
    """Cancel a planned session: both get the cancellation for their calendars."""
    access = access_of(request, pair_pk)
    access.access.require(WRITE)
    session = planned_session_of(access, pk)
    try:
        cancel_planned_session(access=access, actor=request.user, session=session)
    except ValidationError as error:
        return answer(request, org_slug, access, "planned", message=" ".join(error.messages))
    return answer(
        request, org_slug, access, "planned",
        message="Session cancelled: you both get the cancellation by email.",
    )  # fmt: skip
