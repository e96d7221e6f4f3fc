"""Relationships: a pair's sessions, notes, goals, hours and lifecycle actions, in the API and on
the pair page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from feedback import goals, notes
from feedback.models import NoteVisibility
from feedback.sessions import planned
from feedback.sessions import services as sessions
from programs.lifecycle import program_today
from tests.conftest import Tenant
from tests.feedback.builders import live_pair
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    live = live_pair(tenant)
    with tenant.scope():
        session = sessions.session_log(
            pair=live.pair,
            by=live.mentor,
            actor=live.mentor_user,
            held_on=date.today() - timedelta(days=1),
            duration_minutes=30,
        )
        note = notes.note_create(
            pair=live.pair,
            author=live.mentor,
            actor=live.mentor_user,
            text="Shared note",
            visibility=NoteVisibility.SHARED,
        )
        planned_session = planned.planned_session_create(
            pair=live.pair,
            by=live.mentee,
            actor=live.mentee_user,
            starts_on=program_today(live.program) + timedelta(days=3),
        )
        goal = goals.goal_create(
            pair=live.pair,
            by=live.mentee,
            actor=live.mentee_user,
            owner="mentee",
            description="Use an AI assistant every week",
        )
    return {
        "relationship_pair": live.pair.pk,
        "relationship_session": session.pk,
        "relationship_note": note.pk,
        "relationship_goal": goal.pk,
        "relationship_planned_session": planned_session.pk,
    }


def _in_pair(key: str) -> Any:
    return lambda ids: {"pair_pk": ids["relationship_pair"], "pk": ids[key]}


def _pair(ids: dict[str, Any]) -> dict[str, Any]:
    return {"pair_pk": ids["relationship_pair"]}


ROUTES: dict[str, Route] = {
    "api-pair-session-list": Route(("GET", "POST"), _pair),
    "api-pair-session-detail": Route(
        ("GET", "PUT", "PATCH", "DELETE"), _in_pair("relationship_session")
    ),
    "api-pair-session-confirm": Route(("POST",), _in_pair("relationship_session")),
    "api-pair-session-correct": Route(("POST",), _in_pair("relationship_session")),
    "api-pair-planned-session-list": Route(("GET", "POST"), _pair),
    "api-pair-planned-session-detail": Route(
        ("GET", "PUT", "PATCH", "DELETE"), _in_pair("relationship_planned_session")
    ),
    # Org A's admin runs the program but notes are the pair's own: 403 proves the URL resolves.
    "api-pair-note-list": Route(("GET", "POST"), _pair, owner_get_status=403),
    "api-pair-note-detail": Route(("PUT", "PATCH", "DELETE"), _in_pair("relationship_note")),
    "api-pair-goal-list": Route(("GET", "POST"), _pair),
    "api-pair-goal-detail": Route(("GET", "PUT", "PATCH"), _in_pair("relationship_goal")),
    "api-pair-goal-progress": Route(("POST",), _in_pair("relationship_goal")),
    "api-pair-hours": Route(("GET",), ids_of("relationship_pair")),
    "api-pair-pause": Route(("POST",), ids_of("relationship_pair")),
    "api-pair-resume": Route(("POST",), ids_of("relationship_pair")),
    "api-pair-extend": Route(("POST",), ids_of("relationship_pair")),
    "api-pair-complete": Route(("POST",), ids_of("relationship_pair")),
    "api-pair-request-rematch": Route(("POST",), ids_of("relationship_pair")),
    # Pair-page actions. Org A's admin runs the program without being in the pair: the GET forms
    # are the pair's own (403), which proves the URLs resolve.
    "pair_session_log": Route(("POST",), _pair),
    "pair_session_edit": Route(
        ("GET", "POST"), _in_pair("relationship_session"), owner_get_status=403
    ),
    "pair_session_delete": Route(("POST",), _in_pair("relationship_session")),
    "pair_session_confirm": Route(("POST",), _in_pair("relationship_session")),
    "pair_session_correct": Route(
        ("GET", "POST"), _in_pair("relationship_session"), owner_get_status=403
    ),
    "pair_session_invite": Route(("GET",), _pair, owner_get_status=403),
    "pair_planned_session_create": Route(("POST",), _pair),
    # Org A's admin is staff, not in the pair: the move form is the pair's own (403).
    "pair_planned_session_move": Route(
        ("GET", "POST"), _in_pair("relationship_planned_session"), owner_get_status=403
    ),
    "pair_planned_session_cancel": Route(("POST",), _in_pair("relationship_planned_session")),
    "pair_note_create": Route(("POST",), _pair),
    "pair_note_edit": Route(("GET", "POST"), _in_pair("relationship_note"), owner_get_status=403),
    "pair_note_delete": Route(("POST",), _in_pair("relationship_note")),
    "pair_goal_create": Route(("POST",), _pair),
    "pair_goal_progress": Route(("POST",), _in_pair("relationship_goal")),
    "pair_pause": Route(("POST",), _pair),
    "pair_resume": Route(("POST",), _pair),
    "pair_complete": Route(("POST",), _pair),
    "pair_extend": Route(("POST",), _pair),
    "pair_request_rematch": Route(("POST",), _pair),
}
