"""What the pair page shows of a pair's life, for one viewer: sessions, notes, goals, hours, the
next check-in and the actions open to them.

Everything is read through the viewer's :class:`~feedback.visibility.PairAccess`: staff get the
sessions' facts (their text is deferred, never loaded), no notes at all and goals without their
update comments. The query count is fixed: lists are paginated and their people and topics are
loaded with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.paginator import Page
from django.db import connection
from django.db.models import F, ForeignKey, Model, Q, QuerySet
from django.forms import ModelChoiceField
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from core.timezones import time_zone_names
from feedback import goals
from feedback.actions.access import of_pair
from feedback.actions.context import pair_actions
from feedback.actions.forms import ActionForm
from feedback.engagement import next_session_due, pair_started_on
from feedback.models import (
    CheckIn,
    CheckInStatus,
    Goal,
    GoalStatus,
    GoalUpdate,
    Note,
    NoteVisibility,
    PlannedSession,
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
from feedback.pairs.links import PairLinks
from feedback.sessions import planned
from feedback.sessions import services as sessions
from feedback.sessions.forms import InviteForm, PlanForm, SessionLogForm
from feedback.visibility import PairAccess
from matching.models import OPEN_PAIR_STATUSES, Pair, PairStatus
from matching.pairs import pair_end_date
from organizations.http import OrgRequest
from organizations.scope import ScopeError, current_organization_id
from participants.models import CharterAcceptance, Enrollment
from participants.next_step import enrollment_steps, paired_facts, required_training_left_sql
from participants.participation import CharterState
from programs.lifecycle import program_today, program_zone
from programs.models import CharterVersion

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
    # What the row shows, formatted once: its day, who logged and confirmed it, its topics.
    day: str
    people: str
    topics: str
    # Its own pages (built from the page's links, not reversed per row).
    confirm_url: str
    correct_url: str
    edit_url: str
    delete_url: str
    to_action_url: str


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
    # The session's day, and its confirm and correct pages.
    session_day: str = ""
    confirm_url: str = ""
    correct_url: str = ""


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
    made: str  # the day it was written
    byline: str  # who wrote it and when, and the session it is about
    edit_url: str
    delete_url: str


@dataclass(frozen=True)
class GoalRow:
    goal: Goal
    updates: list[GoalUpdate]
    more_updates: int
    form: GoalProgressForm | None
    owner_name: str  # whose goal it is
    progress_url: str


@dataclass(frozen=True)
class PlannedRow:
    planned: PlannedSession
    day: str  # the day it starts on
    planned_by: str  # who planned it, the viewer as "you"
    move_url: str
    cancel_url: str


@dataclass(frozen=True)
class PairCharter:
    """The program's current charter (None before one is published) and the newest version
    each of the pair's two people accepted, read together."""

    current: CharterVersion | None
    accepted_versions: dict[int, int | None]  # enrolment id -> newest version accepted

    def accepted(self, enrollment: Enrollment) -> bool:
        """Accepted the current version (there is none newer: it is the current one)."""
        return self.current is not None and (
            self.accepted_versions.get(enrollment.pk) == self.current.version
        )

    def state(self, enrollment: Enrollment) -> CharterState:
        return CharterState(
            current=self.current, accepted_version=self.accepted_versions.get(enrollment.pk)
        )


@dataclass(frozen=True)
class NextCheckIn:
    due_on: date
    status: str


@dataclass(frozen=True)
class PairFacts:
    """What the page reads about the pair's program and its viewer, in one query: the charter
    with what each side accepted, the pair's hours (as ``sessions.pair_hours`` counts them), and
    for one of the pair's people their required training left and their next check-in (None for
    staff, who have neither)."""

    charter: PairCharter
    hours: sessions.Hours
    training_left: int | None
    next_check_in: NextCheckIn | None


def _facts_sql(access: PairAccess, today: date) -> tuple[str, list[Any]]:
    """The statement of :func:`pair_facts`, as SQL the ORM would write for these reads. Written
    out because the ORM spent more compiling its seven subqueries (about 9k Python calls) than
    the three queries it replaces cost together; the pair's hours, another query compiled from
    five aggregates, came with them later. Each table is filtered by the pair's organisation, as
    the tenant manager would, and row-level security holds as on any query."""
    quote = connection.ops.quote_name
    versions = quote(CharterVersion._meta.db_table)
    acceptances = quote(CharterAcceptance._meta.db_table)
    check_ins = quote(CheckIn._meta.db_table)
    session_logs = quote(SessionLog._meta.db_table)
    pair, mine = access.pair, access.enrollment
    organization = pair.organization_id

    def newest_accepted(enrollment_id: int) -> tuple[str, list[Any]]:
        return (
            f"(SELECT v.version FROM {acceptances} a JOIN {versions} v "  # noqa: S608 (table names; values bound)
            "ON v.id = a.charter_version_id WHERE a.organization_id = %s "
            "AND a.enrollment_id = %s ORDER BY v.version DESC LIMIT 1)",
            [organization, enrollment_id],
        )

    columns, params = ["cv.id", "cv.version"], []
    for enrollment_id in (pair.mentor_id, pair.mentee_id):
        sql, values = newest_accepted(enrollment_id)
        columns.append(sql)
        params += values
    columns += ["h.sessions", "h.confirmed_minutes", "h.awaiting", "h.drafts", "h.last_held_on"]
    joins = (
        f"LEFT JOIN LATERAL (SELECT id, version FROM {versions} "  # noqa: S608 (table names; values bound)
        "WHERE organization_id = %s AND program_id = %s ORDER BY version DESC LIMIT 1) cv ON true"
        # ``sessions.pair_hours``: its aggregates over the pair's sessions (one row, even of none).
        " LEFT JOIN LATERAL (SELECT count(*) AS sessions, "
        "sum(duration_minutes) FILTER (WHERE status = %s) AS confirmed_minutes, "
        "count(*) FILTER (WHERE status = %s) AS awaiting, "
        "count(*) FILTER (WHERE status = %s) AS drafts, "
        "max(held_on) FILTER (WHERE NOT status = %s) AS last_held_on "
        f"FROM {session_logs} WHERE organization_id = %s AND pair_id = %s) h ON true"
    )
    join_params: list[Any] = [
        organization,
        pair.program_id,
        SessionStatus.CONFIRMED.value,
        SessionStatus.AWAITING.value,
        SessionStatus.DRAFT.value,
        SessionStatus.DRAFT.value,
        organization,
        pair.pk,
    ]
    if mine is not None:
        # The viewer's own check-ins: the policy's queryset for one of the pair's people.
        sql, values = required_training_left_sql(mine)
        columns += [sql, "ci.due_on", "ci.status"]
        params += values
        joins += (
            f" LEFT JOIN LATERAL (SELECT due_on, status FROM {check_ins} "  # noqa: S608 (table names; values bound)
            "WHERE organization_id = %s AND pair_id = %s AND enrollment_id = %s "
            "AND status IN (%s, %s) AND due_on >= %s ORDER BY due_on, id LIMIT 1) ci ON true"
        )
        join_params += [
            organization,
            pair.pk,
            mine.pk,
            CheckInStatus.PLANNED.value,
            CheckInStatus.SENT.value,
            today,
        ]
    statement = f"SELECT {', '.join(columns)} FROM (SELECT 1) one {joins}"  # noqa: S608 (bound)
    return statement, params + join_params


def pair_facts(access: PairAccess, today: date) -> PairFacts:
    """One statement (:func:`_facts_sql`); outside an organisation's scope it raises, as a tenant
    manager does."""
    if current_organization_id() != access.pair.organization_id:
        raise ScopeError("The pair's facts are read inside its organisation's scope.")
    pair = access.pair
    statement, params = _facts_sql(access, today)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    charter_id, version, mentor_version, mentee_version, *rest = row
    counted, confirmed_minutes, awaiting, drafts, last_held_on, *viewer = rest
    hours = sessions.Hours(
        sessions=counted or 0,
        confirmed_minutes=confirmed_minutes or 0,
        awaiting=awaiting or 0,
        drafts=drafts or 0,
        last_held_on=last_held_on,
    )
    charter = PairCharter(current=None, accepted_versions={})
    if charter_id is not None:
        # Only what the page shows of it is loaded, as only() would: its version.
        current = CharterVersion.from_db(
            connection.alias,
            ["id", "program_id", "version"],
            [charter_id, pair.program_id, version],
        )
        charter = PairCharter(
            current=current,
            accepted_versions={pair.mentor_id: mentor_version, pair.mentee_id: mentee_version},
        )
    if not viewer:
        return PairFacts(charter=charter, hours=hours, training_left=None, next_check_in=None)
    training_left, due_on, status = viewer
    return PairFacts(
        charter=charter,
        hours=hours,
        training_left=training_left,
        next_check_in=NextCheckIn(due_on, status) if due_on is not None else None,
    )


def _people(pair: Pair) -> dict[int, Enrollment]:
    return {pair.mentor_id: pair.mentor, pair.mentee_id: pair.mentee}


def _attach[M: Model](rows: Iterable[M], name: str, people: dict[int, Enrollment]) -> None:
    """Point each row's ``name`` (a foreign key to an enrolment) at the pair's own enrolment,
    whose person came with the pair, instead of joining both again in every list: whoever logs,
    confirms, writes or plans in a pair is one of its two people. A row pointing elsewhere
    (none should) keeps its lazy relation, read on use."""
    rows = list(rows)
    if not rows:
        return
    field = type(rows[0])._meta.get_field(name)
    assert isinstance(field, ForeignKey)
    for row in rows:
        enrollment = people.get(getattr(row, field.attname))
        if enrollment is not None:
            field.set_cached_value(row, enrollment)


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


def _note_row(access: PairAccess, note: Note, links: PairLinks) -> NoteRow:
    mine = access.may_edit_note(note)
    made = date_format(localtime(note.created_at), "j M Y")
    byline = f"{'You' if mine else note.author.person.full_name}, {made}"
    held_on = note.session_held_on  # type: ignore[attr-defined]
    if held_on:
        byline += f" · about the session of {date_format(held_on, 'j M Y')}"
    return NoteRow(
        note=note,
        is_private=note.visibility == NoteVisibility.PRIVATE,
        mine=mine,
        made=made,
        byline=byline,
        edit_url=links.row("pair_note_edit", note.pk),
        delete_url=links.row("pair_note_delete", note.pk),
    )


def _session_people(session: SessionLog, mine_pk: int | None) -> str:
    """ "Logged by you, confirmed by Ann": who logged and who confirmed, the viewer as "you"."""
    logged_by = "you" if session.logged_by_id == mine_pk else session.logged_by.person.full_name
    text = f"Logged by {logged_by}"
    confirmed_by = session.confirmed_by
    if confirmed_by:
        name = "you" if session.confirmed_by_id == mine_pk else confirmed_by.person.full_name
        text += f", confirmed by {name}"
    return text


def _session_rows(access: PairAccess, page: Page[SessionLog], links: PairLinks) -> list[SessionRow]:
    mine_pk = access.enrollment.pk if access.enrollment is not None else None
    to_action = links.page("pair_action_create")
    rows = []
    for session in page.object_list:
        pk = session.pk
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
                day=date_format(session.held_on, "j F Y"),
                people=_session_people(session, mine_pk),
                topics=", ".join(session.topic_names) or "none given",  # type: ignore[attr-defined]
                confirm_url=links.row("pair_session_confirm", pk),
                correct_url=links.row("pair_session_correct", pk),
                edit_url=links.row("pair_session_edit", pk),
                delete_url=links.row("pair_session_delete", pk),
                to_action_url=f"{to_action}?session={pk}",
            )
        )
    return rows


def _sessions(access: PairAccess) -> QuerySet[SessionLog]:
    """The pair's sessions with their topics' names (``topic_names``, by name) in the same
    query; who logged and confirmed them is attached from the pair (:func:`_attach`)."""
    listed = (
        access.sessions()
        .annotate(
            topic_names=ArrayAgg(
                "topics__name",
                filter=Q(topics__isnull=False),
                order_by="topics__name",
                default=[],
            )
        )
        .order_by("-held_on", "-id")
    )
    if not access.sees_session_text:
        # Staff's page cannot show what it never loaded.
        listed = listed.defer("learned", "action_items")
    return listed


def _goal_rows(
    access: PairAccess,
    writable: bool,
    progress_forms: dict[int, GoalProgressForm],
    links: PairLinks,
) -> list[GoalRow]:
    listed = list(access.goals().order_by("id"))
    by_goal: dict[int, list[GoalUpdate]] = {}
    if access.sees_goal_comments and listed:
        updates = list(access.goal_updates().order_by("-created_at", "-id"))
        _attach(updates, "author", _people(access.pair))
        for update in updates:
            by_goal.setdefault(update.goal_id, []).append(update)
    pair = access.pair
    owners = {"mentor": pair.mentor.person.full_name, "mentee": pair.mentee.person.full_name}
    rows = []
    for goal in listed:
        visible = by_goal.get(goal.pk, [])
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
                # Anything but the mentor's is the mentee's, as the page always said.
                owner_name=owners["mentor" if goal.owner == "mentor" else "mentee"],
                progress_url=links.row("pair_goal_progress", goal.pk),
            )
        )
    return rows


def _to_confirm(
    access: PairAccess,
    mine: Enrollment,
    hours: sessions.Hours,
    every_session: list[SessionLog] | None,
) -> list[SessionLog]:
    """The sessions the partner logged that wait for the viewer, oldest first: from the list the
    page already read when it holds every session, else one query."""
    if not hours.awaiting:  # the hours counted them: none, nothing to read
        return []
    if every_session is not None:
        waiting = [
            session
            for session in every_session
            if session.status == SessionStatus.AWAITING and session.logged_by_id != mine.pk
        ]
        waiting.sort(key=lambda session: (session.held_on, session.pk))
        return waiting[:TO_CONFIRM_SHOWN]
    waiting = list(
        access.sessions()
        .filter(status=SessionStatus.AWAITING)
        .exclude(logged_by=mine)
        .order_by("held_on", "id")[:TO_CONFIRM_SHOWN]
    )
    _attach(waiting, "logged_by", _people(access.pair))
    return waiting


def _todo(
    access: PairAccess,
    hours: sessions.Hours,
    open_goals: int,
    *,
    facts: PairFacts | None,
    links: PairLinks,
    every_session: list[SessionLog] | None,
) -> Todo | None:
    """What the pair page puts first for one of the pair's people, in the order of
    ``participants.next_step.STEP_ORDER`` (the homes' rule): sessions waiting for their
    confirmation, the charter, the training; then, for an active pair, the next session and
    goals. Nothing stale: no "plan your first session" once one is logged, no charter once
    accepted. None for staff and for a closed pair. ``every_session`` is the pair's every
    session when the page's list holds them all."""
    pair, mine = access.pair, access.enrollment
    if mine is None or pair.status not in OPEN_PAIR_STATUSES:
        return None
    program = pair.program
    items: list[TodoItem] = []
    for session in _to_confirm(access, mine, hours, every_session):
        items.append(
            TodoItem(
                "confirm_session",
                f"{session.logged_by.person.full_name} logged your session of "
                f"{session.held_on:%-d %B %Y} ({session.duration_minutes} min): confirm it, or "
                "correct it if something is off.",
                session=session,
                session_day=date_format(session.held_on, "j F Y"),
                confirm_url=links.row("pair_session_confirm", session.pk),
                correct_url=links.row("pair_session_correct", session.pk),
            )
        )
    # Read for the pair's people (``pair_facts``).
    assert facts is not None
    assert facts.training_left is not None
    participant = paired_facts(mine, facts.charter.state(mine), facts.training_left)
    for step in enrollment_steps(mine, participant, paired=True):
        assert step.url_name is not None  # an accepted enrolment's steps all have a page
        href = reverse(step.url_name, args=(links.org_slug, *step.url_args))
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
    request: OrgRequest,
    access: PairAccess,
    *,
    forms: dict[str, Any] | None = None,
    facts: PairFacts | None = None,
) -> dict[str, Any]:
    """The page context of the pair's life for this viewer; ``forms`` replaces blank forms with
    the bound ones of a failed POST (``goal_progress_forms`` maps goal ids to forms); ``facts``
    are the pair's when the caller read them already (the whole page shows its charter)."""
    forms = forms or {}
    pair, program = access.pair, access.pair.program
    people = _people(pair)
    links = PairLinks(request.organization.slug, pair.pk)
    today = program_today(program)
    member = access.is_member
    if facts is None and member:
        facts = pair_facts(access, today)
    status = pair.status
    loggable = member and status in sessions.LOGGABLE_PAIR_STATUSES
    goals_writable = member and status in goals.WRITABLE_PAIR_STATUSES
    notes_writable = member and status != PairStatus.PENDING
    staff_or_member = member or access.is_staff

    # Counted with the facts when they were read (always, on the whole page).
    hours = facts.hours if facts is not None else sessions.pair_hours(pair)
    # Every session of the pair is listed: the hours already counted them.
    session_page = list_page(
        _sessions(access),
        SESSIONS_PER_PAGE,
        request.GET.get("sessions_page"),
        count=hours.sessions,
    )
    listed = session_page.object_list
    _attach(listed, "logged_by", people)
    _attach(listed, "confirmed_by", people)
    holds_every_session = session_page.number == 1 and not session_page.has_next()
    note_page: Page[Note] | None = None
    note_rows: list[NoteRow] = []
    if member:
        assert access.enrollment is not None
        note_page = list_page(
            access.notes()
            .annotate(session_held_on=F("session__held_on"))
            .order_by("-created_at", "-id"),
            NOTES_PER_PAGE,
            request.GET.get("notes_page"),
        )
        _attach(note_page.object_list, "author", people)
        note_rows = [_note_row(access, note, links) for note in note_page.object_list]
    zone = viewer_zone(access)
    goal_rows = _goal_rows(access, goals_writable, forms.get("goal_progress_forms", {}), links)
    open_goals = sum(1 for row in goal_rows if row.goal.status == GoalStatus.OPEN)
    life = {
        "access": access,
        "pair_links": links,
        "today": today,
        "hours": hours,
        "todo": _todo(
            access,
            hours,
            open_goals,
            facts=facts,
            links=links,
            every_session=list(listed) if holds_every_session else None,
        ),
        "started_on": pair_started_on(pair, program),
        "session_page": session_page,
        "session_rows": _session_rows(access, session_page, links),
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
        "next_check_in": facts.next_check_in if facts is not None else None,
        "planned_rows": _planned(access, people, links),
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
        **pair_actions(request, of_pair(access), forms, links=links),
    }
    _read_choices_once(
        access,
        life["session_form"] if "session_form" not in forms else None,
        life["action_form"] if "action_form" not in forms else None,
        list(listed) if holds_every_session else None,
    )
    return life


def _read_choices_once(
    access: PairAccess,
    session_form: SessionLogForm | None,
    action_form: ActionForm | None,
    every_session: list[SessionLog] | None,
) -> None:
    """The blank forms' choices in fewer reads: the program's session topics once for both
    forms (the same topics, by name), and an action's sessions from the page's own list when
    it holds them all. The choices are the ones the fields' querysets would give; only their
    rendering reads them (a posted form is built afresh, and checks against the querysets)."""
    if session_form is None and action_form is None:
        return
    fields = [
        form.fields[name]
        for form, name in ((session_form, "topics"), (action_form, "topic"))
        if form is not None
    ]
    assert all(isinstance(field, ModelChoiceField) for field in fields)
    # The session form's queryset when there is one (already built), else the same topics.
    queryset = getattr(fields[0], "queryset", None) if session_form is not None else None
    if queryset is None:
        queryset = sessions.session_topics(access.pair.program).order_by("name")
    topics = list(queryset)
    for field in fields:
        assert isinstance(field, ModelChoiceField)
        field.choices = _choices_of(field, topics)
    if action_form is not None and every_session is not None:
        field = action_form.fields["session"]
        assert isinstance(field, ModelChoiceField)
        field.choices = _choices_of(field, every_session)


def _choices_of(field: ModelChoiceField, objects: list[Any]) -> list[tuple[Any, Any]]:
    """What iterating the field's queryset gives (its empty choice first), from objects in hand."""
    choices: list[tuple[Any, Any]] = []
    if field.empty_label is not None:
        choices.append(("", field.empty_label))
    choices.extend((obj.pk, field.label_from_instance(obj)) for obj in objects)
    return choices


def _planned(
    access: PairAccess, people: dict[int, Enrollment], links: PairLinks
) -> list[PlannedRow]:
    shown = list(planned.upcoming(access.pair)[:PLANNED_SHOWN])
    _attach(shown, "planned_by", people)
    mine_pk = access.enrollment.pk if access.enrollment is not None else None
    return [
        PlannedRow(
            planned=session,
            day=date_format(session.starts_on, "j F Y"),
            planned_by=(
                "you" if session.planned_by_id == mine_pk else session.planned_by.person.full_name
            ),
            move_url=links.row("pair_planned_session_move", session.pk),
            cancel_url=links.row("pair_planned_session_cancel", session.pk),
        )
        for session in shown
    ]


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
