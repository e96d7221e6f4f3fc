"""What the pair page shows of a pair's life, for one viewer: sessions, notes, goals, hours, the
next check-in and the actions open to them.

Everything is read through the viewer's :class:`~feedback.visibility.PairAccess`: staff get the
sessions' facts (their text is deferred, never loaded), no notes at all and goals without their
update comments. The query count is fixed: lists are paginated and their people and topics are
loaded with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.core.paginator import Page
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from core.timezones import time_zone_names
from feedback import goals
from feedback.actions.access import of_pair
from feedback.actions.context import pair_actions
from feedback.engagement import next_session_due, pair_started_on
from feedback.models import (
    CheckIn,
    CheckInStatus,
    Goal,
    GoalStatus,
    GoalUpdate,
    Note,
    NoteVisibility,
    SessionLog,
    SessionStatus,
)
from feedback.paging import list_page
from feedback.pairs.forms import (
    ExtendForm,
    GoalForm,
    GoalProgressForm,
    NoteForm,
    PauseForm,
    RematchForm,
)
from feedback.sessions import planned
from feedback.sessions import services as sessions
from feedback.sessions.forms import InviteForm, PlanForm, SessionLogForm
from feedback.visibility import PairAccess
from matching.models import OPEN_PAIR_STATUSES, PairStatus
from matching.pairs import pair_end_date
from participants.next_step import enrollment_steps, participant_facts
from programs.lifecycle import program_today, program_zone
from programs.models import Topic

SESSIONS_PER_PAGE = 10
PLANNED_SHOWN = 10  # the next ones; the API lists them all
NOTES_PER_PAGE = 10
UPDATES_SHOWN = 5
TO_CONFIRM_SHOWN = 5


@dataclass(frozen=True)
class SessionRow:
    session: SessionLog
    status_label: str
    # The viewer is the partner who confirms (or corrects) it.
    awaits_me: bool
    # The viewer logged it and it is not confirmed yet: they may edit or withdraw it.
    editable: bool
    logged_by_me: bool


@dataclass(frozen=True)
class TodoItem:
    """One thing for the viewer to do on the pair page, most urgent first. ``anchor`` is the
    section of the page that does it; ``session`` a session to confirm right here; ``href`` a
    page elsewhere (the program page for the charter and training)."""

    code: str
    text: str
    link_text: str = ""
    anchor: str = ""
    href: str = ""
    session: SessionLog | None = None


@dataclass(frozen=True)
class Todo:
    items: list[TodoItem]
    started_on: date
    next_session_due: date | None
    last_session_on: date | None


@dataclass(frozen=True)
class NoteRow:
    note: Note
    is_private: bool
    mine: bool


@dataclass(frozen=True)
class GoalRow:
    goal: Goal
    updates: list[GoalUpdate]
    more_updates: int
    form: GoalProgressForm | None


def viewer_zone(access: PairAccess) -> ZoneInfo:
    """The viewer's own time zone (their directory entry), else the program's."""
    if access.enrollment is not None:
        name = access.enrollment.person.time_zone
        if name in time_zone_names():
            return ZoneInfo(name)
    return program_zone(access.pair.program)


def owner_labels(access: PairAccess) -> dict[str, str]:
    program = access.pair.program
    return {
        "mentor": f"The {program.term('mentor', 'mentor')}'s ({access.pair.mentor.person.full_name})",
        "mentee": f"The {program.term('mentee', 'mentee')}'s ({access.pair.mentee.person.full_name})",
    }


def session_status_label(access: PairAccess, session: SessionLog) -> str:
    mine = access.enrollment is not None and session.logged_by_id == access.enrollment.pk
    if session.status == SessionStatus.DRAFT:
        return "Draft: add the details" if mine else "Draft"
    if session.status == SessionStatus.AWAITING:
        if access.enrollment is None:
            return "Awaiting confirmation"
        if mine:
            partner = access.partner
            name = partner.person.full_name if partner is not None else "your partner"
            return f"Awaiting {name}'s confirmation"
        return "Awaiting your confirmation"
    return "Corrected and confirmed" if session.corrected else "Confirmed"


def _session_rows(access: PairAccess, page: Page[SessionLog]) -> list[SessionRow]:
    mine_pk = access.enrollment.pk if access.enrollment is not None else None
    rows = []
    for session in page.object_list:
        logged_by_me = mine_pk is not None and session.logged_by_id == mine_pk
        rows.append(
            SessionRow(
                session=session,
                status_label=session_status_label(access, session),
                awaits_me=(
                    mine_pk is not None
                    and not logged_by_me
                    and session.status == SessionStatus.AWAITING
                ),
                editable=logged_by_me and session.status != SessionStatus.CONFIRMED,
                logged_by_me=logged_by_me,
            )
        )
    return rows


def _sessions(access: PairAccess) -> QuerySet[SessionLog]:
    listed = (
        access.sessions()
        .select_related("logged_by__person", "confirmed_by__person")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
        .order_by("-held_on", "-id")
    )
    if not access.sees_session_text:
        # Staff's page cannot show what it never loaded.
        listed = listed.defer("learned", "action_items")
    return listed


def _goal_rows(
    access: PairAccess, writable: bool, progress_forms: dict[int, GoalProgressForm]
) -> list[GoalRow]:
    listed = access.goals().select_related("created_by__person").order_by("id")
    if access.sees_goal_comments:
        updates = access.goal_updates().select_related("author__person")
        listed = listed.prefetch_related(
            Prefetch(
                "updates",
                queryset=updates.order_by("-created_at", "-id"),
                to_attr="visible_updates",
            )
        )
    rows = []
    for goal in listed:
        visible: list[GoalUpdate] = getattr(goal, "visible_updates", [])
        form = None
        if writable:
            form = progress_forms.get(goal.pk) or GoalProgressForm(
                goal_pk=goal.pk, initial={"progress": goal.progress}
            )
        rows.append(
            GoalRow(
                goal=goal,
                updates=visible[:UPDATES_SHOWN],
                more_updates=max(0, len(visible) - UPDATES_SHOWN),
                form=form,
            )
        )
    return rows


def _next_check_in(access: PairAccess, today: date) -> CheckIn | None:
    if access.enrollment is None:
        return None
    return (
        access.check_ins()
        .filter(
            enrollment=access.enrollment,
            status__in=(CheckInStatus.PLANNED, CheckInStatus.SENT),
            due_on__gte=today,
        )
        .order_by("due_on", "id")
        .first()
    )


def _todo(access: PairAccess, hours: sessions.Hours, open_goals: int) -> Todo | None:
    """What the pair page puts first for one of the pair's people, in the order of
    ``participants.next_step.STEP_ORDER`` (the homes' rule): sessions waiting for their
    confirmation, the charter, the training; then, for an active pair, the next session and
    goals. Nothing stale: no "plan your first session" once one is logged, no charter once
    accepted. None for staff and for a closed pair."""
    pair, mine = access.pair, access.enrollment
    if mine is None or pair.status not in OPEN_PAIR_STATUSES:
        return None
    program = pair.program
    items: list[TodoItem] = []
    # The hours counted the pair's sessions awaiting confirmation: none, nothing to read.
    to_confirm = (
        access.sessions()
        .filter(status=SessionStatus.AWAITING)
        .exclude(logged_by=mine)
        .select_related("logged_by__person")
        .order_by("held_on", "id")[:TO_CONFIRM_SHOWN]
        if hours.awaiting
        else []
    )
    for session in to_confirm:
        items.append(
            TodoItem(
                "confirm_session",
                f"{session.logged_by.person.full_name} logged your session of "
                f"{session.held_on:%-d %B %Y} ({session.duration_minutes} min): confirm it, or "
                "correct it if something is off.",
                session=session,
            )
        )
    facts = participant_facts([mine])[mine.pk]
    for step in enrollment_steps(mine, facts, paired=True):
        assert step.url_name is not None  # an accepted enrolment's steps all have a page
        href = reverse(step.url_name, args=(program.organization.slug, *step.url_args))
        if step.anchor:
            href += f"#{step.anchor}"
        items.append(TodoItem(step.code, step.text, step.button, href=href))
    last = hours.last_held_on
    due = next_session_due(pair, last)
    if pair.status == PairStatus.ACTIVE:
        if not hours.sessions and not hours.drafts:
            items.append(
                TodoItem(
                    "plan_first_session",
                    f"Plan your first session together, by {due:%-d %B %Y}."
                    if due
                    else "Plan your first session together.",
                    "Send a calendar invitation",
                    anchor="invite",
                )
            )
        items.append(
            TodoItem(
                "log_session",
                "Met already? Log the session: your partner confirms it.",
                "Log a session",
                anchor="log-heading",
            )
        )
        if not open_goals:
            items.append(
                TodoItem(
                    "set_goal",
                    "Agree on what each of you wants to be able to do by the end.",
                    "Set a goal",
                    anchor="goal-heading",
                )
            )
    return Todo(
        items=items,
        started_on=pair_started_on(pair, program),
        next_session_due=due,
        last_session_on=last,
    )


def pair_life(
    request: HttpRequest,
    access: PairAccess,
    *,
    forms: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The page context of the pair's life for this viewer; ``forms`` replaces blank forms with
    the bound ones of a failed POST (``goal_progress_forms`` maps goal ids to forms)."""
    forms = forms or {}
    pair, program = access.pair, access.pair.program
    today = program_today(program)
    member = access.is_member
    status = pair.status
    loggable = member and status in sessions.LOGGABLE_PAIR_STATUSES
    goals_writable = member and status in goals.WRITABLE_PAIR_STATUSES
    notes_writable = member and status != PairStatus.PENDING
    staff_or_member = member or access.is_staff

    hours = sessions.pair_hours(pair)
    # Every session of the pair is listed: the hours already counted them.
    session_page = list_page(
        _sessions(access),
        SESSIONS_PER_PAGE,
        request.GET.get("sessions_page"),
        count=hours.sessions,
    )
    note_page: Page[Note] | None = None
    note_rows: list[NoteRow] = []
    if member:
        assert access.enrollment is not None
        note_page = list_page(
            access.notes()
            .select_related("author__person", "session")
            .order_by("-created_at", "-id"),
            NOTES_PER_PAGE,
            request.GET.get("notes_page"),
        )
        note_rows = [
            NoteRow(
                note=note,
                is_private=note.visibility == NoteVisibility.PRIVATE,
                mine=access.may_edit_note(note),
            )
            for note in note_page.object_list
        ]
    zone = viewer_zone(access)
    goal_rows = _goal_rows(access, goals_writable, forms.get("goal_progress_forms", {}))
    open_goals = sum(1 for row in goal_rows if row.goal.status == GoalStatus.OPEN)
    return {
        "access": access,
        "today": today,
        "hours": hours,
        "todo": _todo(access, hours, open_goals),
        "started_on": pair_started_on(pair, program),
        "session_page": session_page,
        "session_rows": _session_rows(access, session_page),
        "session_form": (
            forms.get("session_form")
            or SessionLogForm(
                topics=sessions.session_topics(program),
                initial={"held_on": today},
            )
        )
        if loggable
        else None,
        "note_page": note_page,
        "note_rows": note_rows,
        "note_form": (forms.get("note_form") or NoteForm()) if notes_writable else None,
        "goal_rows": goal_rows,
        "goal_form": (forms.get("goal_form") or GoalForm(owner_labels=owner_labels(access)))
        if goals_writable
        else None,
        "next_check_in": _next_check_in(access, today),
        "planned_sessions": list(
            planned.upcoming(pair).select_related("planned_by__person")[:PLANNED_SHOWN]
        ),
        "plan_form": (forms.get("plan_form") or PlanForm(initial={"date": today}))
        if loggable
        else None,
        "invite_form": (forms.get("invite_form") or InviteForm())
        if member and status in OPEN_PAIR_STATUSES
        else None,
        "zone_name": str(zone),
        "end_date": pair_end_date(pair),
        "pause_form": (forms.get("pause_form") or PauseForm())
        if staff_or_member and status == PairStatus.ACTIVE
        else None,
        "can_resume": staff_or_member and status == PairStatus.PAUSED,
        "can_complete": staff_or_member and status in (PairStatus.ACTIVE, PairStatus.PAUSED),
        "extend_form": (forms.get("extend_form") or ExtendForm())
        if access.is_staff and status in OPEN_PAIR_STATUSES
        else None,
        "rematch_form": (forms.get("rematch_form") or RematchForm())
        if member and status in OPEN_PAIR_STATUSES and pair.rematch_requested_at is None
        else None,
        "rematch": _rematch(access),
        "announcement": forms.get("announcement", ""),
        # Actions and success stories (feedback/actions/): their own policy, built on this one.
        **pair_actions(request, of_pair(access), forms),
    }


def _rematch(access: PairAccess) -> dict[str, Any] | None:
    """A pending re-match request: who asked and when for everyone; the reason for the staff and
    the person who gave it (it was written for the coordinators, not the partner)."""
    pair = access.pair
    if pair.rematch_requested_at is None:
        return None
    by_id = pair.rematch_requested_by_id
    by = (
        pair.mentor if by_id == pair.mentor_id else pair.mentee if by_id == pair.mentee_id else None
    )
    mine = access.enrollment is not None and by_id == access.enrollment.pk
    return {
        "at": pair.rematch_requested_at,
        "by": by.person.full_name if by is not None else "",
        "mine": mine,
        "reason": pair.rematch_request_reason if (access.is_staff or mine) else "",
    }
