"""Relationship API: who reaches a pair's sessions, notes, goals, hours and lifecycle actions, what
each viewer's bodies contain (the visibility policy, checked on the raw JSON), the 400s with field
messages, and query counts that do not grow with the rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from core.access import Forbidden
from feedback import goals, notes
from feedback.models import Goal, Note, NoteVisibility, SessionLog, SessionStatus
from feedback.sessions import services as sessions
from feedback.sessions.services import session_topics
from matching.models import Pair, PairStatus
from organizations import services as organization_services
from organizations.models import ApiToken, AuditEntry, hash_secret
from programs.models import Topic
from tests.conftest import Tenant, login
from tests.feedback.builders import LivePair, live_pair
from tests.participants.test_enrollment_builders import assign_coordinator

SESSION_TEXT = "SESSION-LEARNED-SECRET"
ACTION_TEXT = "SESSION-ACTION-SECRET"
SHARED_TEXT = "SHARED-NOTE-SECRET"
PRIVATE_TEXT = "PRIVATE-NOTE-SECRET"
COMMENT_TEXT = "GOAL-COMMENT-SECRET"
SECRETS = (SESSION_TEXT, ACTION_TEXT, SHARED_TEXT, PRIVATE_TEXT, COMMENT_TEXT)

YESTERDAY = date.today() - timedelta(days=1)


@dataclass
class Written:
    live: LivePair
    session: SessionLog
    shared_note: Note
    private_note: Note
    goal: Goal


@pytest.fixture
def written(org_a: Tenant) -> Written:
    """A live pair with a session (and its text), a shared and a private note of the mentor and a
    goal of the mentee with a commented update; org A's coordinator runs the program."""
    live = live_pair(org_a)
    assign_coordinator(org_a, live.program)
    with org_a.scope():
        session = sessions.session_log(
            pair=live.pair,
            by=live.mentor,
            actor=live.mentor_user,
            held_on=YESTERDAY,
            duration_minutes=30,
            learned=SESSION_TEXT,
            action_items=ACTION_TEXT,
        )
        shared = notes.note_create(
            pair=live.pair,
            author=live.mentor,
            actor=None,
            text=SHARED_TEXT,
            visibility=NoteVisibility.SHARED,
        )
        private = notes.note_create(
            pair=live.pair,
            author=live.mentor,
            actor=None,
            text=PRIVATE_TEXT,
            visibility=NoteVisibility.PRIVATE,
        )
        goal = goals.goal_create(
            pair=live.pair, by=live.mentee, actor=None, owner="mentee", description="Ship a bot"
        )
        goals.goal_progress(
            goal=goal, by=live.mentee, actor=None, progress=40, comment=COMMENT_TEXT
        )
    return Written(live, session, shared, private, goal)


def _user(tenant: Tenant, live: LivePair, role: str) -> User:
    if role == "mentor":
        return live.mentor_user
    if role == "mentee":
        return live.mentee_user
    if role == "other_coordinator":
        return tenant.coordinator.user
    membership = getattr(tenant, role)
    return membership.user


def _client(tenant: Tenant, live: LivePair, role: str) -> Client:
    if role == "anonymous":
        return Client()
    if role == "other_coordinator":
        with tenant.scope():
            from programs.models import ProgramCoordinator

            ProgramCoordinator.objects.filter(program=live.program).delete()
    return login(Client(), _user(tenant, live, role))


def _pair_url(tenant: Tenant, pair: Pair, path: str = "") -> str:
    return f"/api/v1/o/{tenant.slug}/pairs/{pair.pk}/{path}"


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


def _fields(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 400, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"detail", "fields"}
    return body["fields"]


# --- Who reaches what ----------------------------------------------------------------------------

READS = ("sessions/", "session", "notes/", "goals/", "goal", "hours/")
EXPECTED_READS = {
    "mentor": dict.fromkeys(READS, 200),
    "mentee": dict.fromkeys(READS, 200),
    "admin": {**dict.fromkeys(READS, 200), "notes/": 403},
    "coordinator": {**dict.fromkeys(READS, 200), "notes/": 403},
    "other_coordinator": dict.fromkeys(READS, 404),
    "member": dict.fromkeys(READS, 404),
    "anonymous": dict.fromkeys(READS, 404),
}


def _read_path(written: Written, read: str) -> str:
    if read == "session":
        return f"sessions/{written.session.pk}/"
    if read == "goal":
        return f"goals/{written.goal.pk}/"
    return read


@pytest.mark.parametrize("role", list(EXPECTED_READS))
def test_who_reads_a_pairs_relationship(org_a: Tenant, written: Written, role: str) -> None:
    client = _client(org_a, written.live, role)
    for read, expected in EXPECTED_READS[role].items():
        url = _pair_url(org_a, written.live.pair, _read_path(written, read))
        response = client.get(url)
        assert response.status_code == expected, (role, read, response.status_code)
        assert set(response.json()) != {"detail", "fields"} or expected != 200


def test_another_organisation_gets_404_for_everything(
    org_a: Tenant, org_b: Tenant, written: Written
) -> None:
    client = login(Client(), org_b.admin.user)
    for read in READS:
        path = _read_path(written, read)
        assert client.get(_pair_url(org_a, written.live.pair, path)).status_code == 404
        assert client.get(_pair_url(org_b, written.live.pair, path)).status_code == 404
    assert _send(client, "POST", _pair_url(org_b, written.live.pair, "pause/")).status_code == 404


def test_ids_of_another_pair_or_unknown_ids_are_404(org_a: Tenant, written: Written) -> None:
    other = live_pair(org_a)
    client = login(Client(), written.live.mentor_user)
    url = _pair_url(org_a, other.pair, f"sessions/{written.session.pk}/")
    assert client.get(url).status_code == 404  # not their pair at all
    for path in ("sessions/999999/", "goals/999999/", "sessions/99999999999999999999/"):
        assert client.get(_pair_url(org_a, written.live.pair, path)).status_code == 404
    # The other pair's own members cannot reach this pair's session through their pair either.
    outsider = login(Client(), other.mentor_user)
    assert outsider.get(url).status_code == 404


# --- What each viewer's bodies contain -----------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_staff_bodies_never_contain_the_pairs_text(
    org_a: Tenant, written: Written, role: str
) -> None:
    client = _client(org_a, written.live, role)
    for read in ("sessions/", "session", "goals/", "goal", "hours/"):
        response = client.get(_pair_url(org_a, written.live.pair, _read_path(written, read)))
        assert response.status_code == 200
        raw = response.content.decode()
        for secret in SECRETS:
            assert secret not in raw, (role, read, secret)
        for key in ('"learned"', '"action_items"', '"updates"', '"comment"', '"text"'):
            assert key not in raw, (role, read, key)
    sessions_body = client.get(_pair_url(org_a, written.live.pair, "sessions/")).json()
    (session,) = sessions_body["results"]
    assert session["duration_minutes"] == 30
    assert session["held_on"] == YESTERDAY.isoformat()
    assert session["status"] == SessionStatus.AWAITING
    goal = client.get(_pair_url(org_a, written.live.pair, "goals/")).json()["results"][0]
    assert goal["progress"] == 40
    notes_response = client.get(_pair_url(org_a, written.live.pair, "notes/"))
    assert notes_response.json()["detail"] == "Notes are the pair's own."
    for secret in SECRETS:
        assert secret not in notes_response.content.decode()


def test_admin_who_is_also_in_the_pair_gets_the_union(org_a: Tenant, written: Written) -> None:
    with org_a.scope():
        from organizations.models import Membership, Role

        Membership.objects.filter(user=written.live.mentee_user).update(role=Role.ADMIN)
    client = login(Client(), written.live.mentee_user)
    raw = client.get(_pair_url(org_a, written.live.pair, "sessions/")).content.decode()
    assert SESSION_TEXT in raw
    notes_body = client.get(_pair_url(org_a, written.live.pair, "notes/")).json()
    assert [note["text"] for note in notes_body["results"]] == [SHARED_TEXT]
    extended = _send(
        client,
        "POST",
        _pair_url(org_a, written.live.pair, "extend/"),
        {"ends_on": (date.today() + timedelta(days=120)).isoformat()},
    )
    assert extended.status_code == 200, extended.json()


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_the_pair_sees_session_text_and_goal_comments(
    org_a: Tenant, written: Written, role: str
) -> None:
    client = _client(org_a, written.live, role)
    (session,) = client.get(_pair_url(org_a, written.live.pair, "sessions/")).json()["results"]
    assert (session["learned"], session["action_items"]) == (SESSION_TEXT, ACTION_TEXT)
    detail = client.get(_pair_url(org_a, written.live.pair, f"sessions/{written.session.pk}/"))
    assert detail.json()["learned"] == SESSION_TEXT
    (goal,) = client.get(_pair_url(org_a, written.live.pair, "goals/")).json()["results"]
    assert [update["comment"] for update in goal["updates"]] == [COMMENT_TEXT]


def test_private_notes_are_their_authors_alone(org_a: Tenant, written: Written) -> None:
    mentor = login(Client(), written.live.mentor_user)
    mentee = login(Client(), written.live.mentee_user)
    url = _pair_url(org_a, written.live.pair, "notes/")
    mine = mentor.get(url).json()["results"]
    assert {note["text"] for note in mine} == {SHARED_TEXT, PRIVATE_TEXT}
    partner_response = mentee.get(url)
    raw = partner_response.content.decode()
    assert PRIVATE_TEXT not in raw
    assert [note["id"] for note in partner_response.json()["results"]] == [written.shared_note.pk]


# --- Sessions ------------------------------------------------------------------------------------


def test_log_confirm_with_corrections_and_hours(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        topic_ids = list(session_topics(live.program).values_list("pk", flat=True)[:2])
    assert topic_ids
    mentor = login(Client(), live.mentor_user)
    mentee = login(Client(), live.mentee_user)
    logged = _send(
        mentor,
        "POST",
        _pair_url(org_a, live.pair, "sessions/"),
        {
            "held_on": YESTERDAY.isoformat(),
            "duration_minutes": 50,
            "format": "phone",
            "topics": topic_ids[:1],
            "learned": SESSION_TEXT,
        },
    )
    assert logged.status_code == 201, logged.json()
    body = logged.json()
    assert (body["status"], body["learned"], body["logged_by"]) == (
        SessionStatus.AWAITING,
        SESSION_TEXT,
        live.mentor.pk,
    )
    assert [topic["id"] for topic in body["topics"]] == topic_ids[:1]
    confirm_url = _pair_url(org_a, live.pair, f"sessions/{body['id']}/confirm/")
    own = _send(mentor, "POST", confirm_url)
    assert own.status_code == 403
    assert own.json()["detail"] == "Your partner confirms the sessions you log."
    confirmed = _send(mentee, "POST", confirm_url, {"duration_minutes": 45, "topics": topic_ids})
    assert confirmed.status_code == 200, confirmed.json()
    confirmed_body = confirmed.json()
    assert confirmed_body["status"] == SessionStatus.CONFIRMED
    assert confirmed_body["corrected"] is True
    assert confirmed_body["duration_minutes"] == 45
    assert confirmed_body["confirmed_by"] == live.mentee.pk
    assert sorted(topic["id"] for topic in confirmed_body["topics"]) == sorted(topic_ids)
    assert _send(mentee, "POST", confirm_url).json()["detail"] == (
        "This session is already confirmed."
    )
    hours = mentor.get(_pair_url(org_a, live.pair, "hours/")).json()
    assert hours == {
        "sessions": 1,
        "confirmed_minutes": 45,
        "confirmed_hours": 0.8,
        "awaiting": 0,
        "drafts": 0,
    }
    with org_a.scope():
        entry = AuditEntry.objects.get(action="session.correct_and_confirm")
        assert SESSION_TEXT not in json.dumps(entry.data)


def test_confirmed_session_keeps_its_facts_but_its_text_stays_editable(
    org_a: Tenant, written: Written
) -> None:
    live = written.live
    mentee = login(Client(), live.mentee_user)
    mentor = login(Client(), live.mentor_user)
    detail = _pair_url(org_a, live.pair, f"sessions/{written.session.pk}/")
    # Before confirmation only the logger edits it.
    partner_edit = _send(mentee, "PATCH", detail, {"learned": "rewritten"})
    assert partner_edit.status_code == 403
    assert "confirm or correct" in partner_edit.json()["detail"]
    assert _send(mentee, "POST", detail + "confirm/").status_code == 200
    text_edit = _send(mentee, "PATCH", detail, {"action_items": "Book the next one"})
    assert text_edit.status_code == 200, text_edit.json()
    assert (text_edit.json()["learned"], text_edit.json()["action_items"]) == (
        SESSION_TEXT,
        "Book the next one",
    )
    facts_edit = _send(mentor, "PATCH", detail, {"duration_minutes": 90})
    assert facts_edit.status_code == 400
    assert "final" in facts_edit.json()["detail"]
    assert _send(mentor, "DELETE", detail).json()["detail"] == (
        "A confirmed session stays on the record."
    )


def test_logger_replaces_and_withdraws_an_unconfirmed_session(
    org_a: Tenant, written: Written
) -> None:
    live = written.live
    mentor = login(Client(), live.mentor_user)
    mentee = login(Client(), live.mentee_user)
    detail = _pair_url(org_a, live.pair, f"sessions/{written.session.pk}/")
    put_without_facts = _send(mentor, "PUT", detail, {"learned": "x"})
    assert set(_fields(put_without_facts)) == {"held_on", "duration_minutes"}
    replaced = _send(
        mentor,
        "PUT",
        detail,
        {"held_on": YESTERDAY.isoformat(), "duration_minutes": 20, "format": "in_person"},
    )
    assert replaced.status_code == 200, replaced.json()
    # PUT replaces: the text not given is cleared.
    assert (replaced.json()["duration_minutes"], replaced.json()["learned"]) == (20, "")
    assert _send(mentee, "DELETE", detail).status_code == 403
    assert _send(mentor, "DELETE", detail).status_code == 204
    assert mentor.get(detail).status_code == 404


def test_session_validation_errors_are_400_with_fields(
    org_a: Tenant, org_b: Tenant, written: Written
) -> None:
    live = written.live
    with org_b.scope():
        foreign_topic = Topic.objects.create(organization=org_b.organization, name="Foreign")
    mentor = login(Client(), live.mentor_user)
    url = _pair_url(org_a, live.pair, "sessions/")
    good = {"held_on": YESTERDAY.isoformat(), "duration_minutes": 30}
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "held_on"),
        ({**good, "held_on": "yesterday"}, "held_on"),
        ({**good, "held_on": (date.today() + timedelta(days=2)).isoformat()}, "held_on"),
        ({**good, "held_on": (date.today() - timedelta(days=400)).isoformat()}, "held_on"),
        ({**good, "duration_minutes": 0}, "duration_minutes"),
        ({**good, "duration_minutes": 601}, "duration_minutes"),
        ({**good, "duration_minutes": "long"}, "duration_minutes"),
        ({**good, "duration_minutes": 10**30}, "duration_minutes"),
        ({**good, "format": "telepathy"}, "format"),
        ({**good, "topics": [foreign_topic.pk]}, "topics"),
        ({**good, "topics": "1"}, "topics"),
        ({**good, "topics": ["x"]}, "topics.0"),
        ({**good, "topics": [2**63]}, "topics.0"),
        ({**good, "learned": "x" * 5001}, "learned"),
        ({**good, "action_items": "x" * 5001}, "action_items"),
    ]
    for body, field in cases:
        assert field in _fields(_send(mentor, "POST", url, body)), body
    confirm_url = _pair_url(org_a, live.pair, f"sessions/{written.session.pk}/confirm/")
    mentee = login(Client(), live.mentee_user)
    assert "duration_minutes" in _fields(
        _send(mentee, "POST", confirm_url, {"duration_minutes": -1})
    )
    assert "held_on" in _fields(_send(mentee, "POST", confirm_url, {"held_on": "soon"}))
    assert "topics" in _fields(_send(mentee, "POST", confirm_url, {"topics": [foreign_topic.pk]}))
    not_json = mentor.generic("POST", url, data="{", content_type="application/json")
    assert not_json.status_code == 400
    with org_a.scope():
        assert SessionLog.objects.count() == 1


def test_pending_pair_cannot_log_yet(org_a: Tenant) -> None:
    live = live_pair(org_a, charter_accepted=False)
    mentor = login(Client(), live.mentor_user)
    response = _send(
        mentor,
        "POST",
        _pair_url(org_a, live.pair, "sessions/"),
        {"held_on": YESTERDAY.isoformat(), "duration_minutes": 30},
    )
    assert response.status_code == 400
    assert "charter" in response.json()["detail"]
    assert response.json()["fields"] == {}


# --- Writes: who may ----------------------------------------------------------------------------


def _writes(written: Written) -> list[tuple[str, str, dict[str, Any]]]:
    session = f"sessions/{written.session.pk}/"
    goal = f"goals/{written.goal.pk}/"
    return [
        ("POST", "sessions/", {"held_on": YESTERDAY.isoformat(), "duration_minutes": 30}),
        ("PATCH", session, {"learned": "x"}),
        ("DELETE", session, {}),
        ("POST", session + "confirm/", {}),
        ("POST", "notes/", {"text": "x", "visibility": "shared"}),
        ("POST", "goals/", {"owner": "mentor", "description": "x"}),
        ("PATCH", goal, {"description": "x"}),
        ("POST", goal + "progress/", {"progress": 50}),
        ("POST", "request-rematch/", {"reason": "We do not get on."}),
    ]


@pytest.mark.parametrize(("role", "expected"), [("admin", 403), ("coordinator", 403)])
def test_staff_do_not_write_the_pairs_own_things(
    org_a: Tenant, written: Written, role: str, expected: int
) -> None:
    client = _client(org_a, written.live, role)
    for method, path, body in _writes(written):
        response = _send(client, method, _pair_url(org_a, written.live.pair, path), body)
        assert response.status_code == expected, (method, path, response.status_code)
        assert set(response.json()) == {"detail", "fields"}
    with org_a.scope():
        assert SessionLog.objects.count() == 1
        assert Note.objects.count() == 2
        assert Goal.objects.get().description == "Ship a bot"


@pytest.mark.parametrize("role", ["member", "other_coordinator", "anonymous"])
def test_people_who_do_not_see_the_pair_get_404_for_every_write(
    org_a: Tenant, written: Written, role: str
) -> None:
    client = _client(org_a, written.live, role)
    writes = [
        *_writes(written),
        ("PATCH", f"notes/{written.shared_note.pk}/", {"text": "x"}),
        ("DELETE", f"notes/{written.shared_note.pk}/", {}),
        ("POST", "pause/", {"resume_on": (date.today() + timedelta(days=5)).isoformat()}),
        ("POST", "resume/", {}),
        ("POST", "extend/", {"ends_on": (date.today() + timedelta(days=200)).isoformat()}),
        ("POST", "complete/", {}),
    ]
    for method, path, body in writes:
        response = _send(client, method, _pair_url(org_a, written.live.pair, path), body)
        assert response.status_code == 404, (role, method, path, response.status_code)
    with org_a.scope():
        assert Pair.objects.get(pk=written.live.pair.pk).status == PairStatus.ACTIVE


# --- Notes ---------------------------------------------------------------------------------------


def test_notes_are_written_and_changed_by_their_author_only(
    org_a: Tenant, written: Written
) -> None:
    live = written.live
    mentor = login(Client(), live.mentor_user)
    mentee = login(Client(), live.mentee_user)
    admin = login(Client(), org_a.admin.user)
    shared = _pair_url(org_a, live.pair, f"notes/{written.shared_note.pk}/")
    private = _pair_url(org_a, live.pair, f"notes/{written.private_note.pk}/")
    for client in (mentee, admin):
        for url in (shared, private):
            assert _send(client, "PATCH", url, {"text": "hijacked"}).status_code == 404
            assert _send(client, "PUT", url, {"text": "x", "visibility": "shared"}).status_code == (
                404
            )
            assert _send(client, "DELETE", url).status_code == 404
    edited = _send(mentor, "PATCH", private, {"visibility": "shared"})
    assert edited.status_code == 200, edited.json()
    assert (edited.json()["text"], edited.json()["visibility"]) == (PRIVATE_TEXT, "shared")
    assert PRIVATE_TEXT in mentee.get(_pair_url(org_a, live.pair, "notes/")).content.decode()
    created = _send(
        mentee,
        "POST",
        _pair_url(org_a, live.pair, "notes/"),
        {"text": "  My own  ", "visibility": "private", "session": written.session.pk},
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["text"], created.json()["author"], created.json()["session"]) == (
        "My own",
        live.mentee.pk,
        written.session.pk,
    )
    assert "My own" not in mentor.get(_pair_url(org_a, live.pair, "notes/")).content.decode()
    assert _send(mentor, "DELETE", shared).status_code == 204
    with org_a.scope():
        assert not Note.objects.filter(pk=written.shared_note.pk).exists()
        audit = json.dumps([entry.data for entry in AuditEntry.objects.all()])
    assert PRIVATE_TEXT not in audit


def test_note_validation_errors_are_400_with_fields(org_a: Tenant, written: Written) -> None:
    live = written.live
    other = live_pair(org_a)
    with org_a.scope():
        foreign_session = sessions.session_log(
            pair=other.pair, by=other.mentor, actor=None, held_on=YESTERDAY, duration_minutes=10
        )
    mentor = login(Client(), live.mentor_user)
    url = _pair_url(org_a, live.pair, "notes/")
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "text"),
        ({"text": "   ", "visibility": "shared"}, "text"),
        ({"text": "x" * 10001, "visibility": "shared"}, "text"),
        ({"text": "x"}, "visibility"),
        ({"text": "x", "visibility": "staff"}, "visibility"),
        ({"text": "x", "visibility": "shared", "session": foreign_session.pk}, "session"),
        ({"text": "x", "visibility": "shared", "session": 2**70}, "session"),
        ({"text": "x", "visibility": "shared", "session": "abc"}, "session"),
    ]
    for body, field in cases:
        assert field in _fields(_send(mentor, "POST", url, body)), body
    detail = _pair_url(org_a, live.pair, f"notes/{written.shared_note.pk}/")
    assert "text" in _fields(_send(mentor, "PATCH", detail, {"text": ""}))
    assert "visibility" in _fields(_send(mentor, "PUT", detail, {"text": "x"}))
    assert "session" in _fields(_send(mentor, "PATCH", detail, {"session": written.session.pk}))


# --- Goals ---------------------------------------------------------------------------------------


def test_goals_are_set_edited_and_moved_by_the_pair(org_a: Tenant, written: Written) -> None:
    live = written.live
    mentor = login(Client(), live.mentor_user)
    target = (date.today() + timedelta(days=30)).isoformat()
    created = _send(
        mentor,
        "POST",
        _pair_url(org_a, live.pair, "goals/"),
        {"owner": "mentor", "description": "Present to the board", "target_date": target},
    )
    assert created.status_code == 201, created.json()
    goal_id = created.json()["id"]
    assert (created.json()["target_date"], created.json()["updates"]) == (target, [])
    detail = _pair_url(org_a, live.pair, f"goals/{goal_id}/")
    edited = _send(mentor, "PATCH", detail, {"description": "Present to the whole board"})
    assert edited.status_code == 200
    assert (edited.json()["description"], edited.json()["target_date"]) == (
        "Present to the whole board",
        target,
    )
    cleared = _send(mentor, "PUT", detail, {"owner": "mentee", "description": "Theirs"})
    assert (cleared.json()["owner"], cleared.json()["target_date"]) == ("mentee", None)
    moved = _send(mentor, "POST", detail + "progress/", {"progress": 100, "comment": "Done!"})
    assert moved.status_code == 201, moved.json()
    assert {key: moved.json()[key] for key in ("goal", "author", "progress", "comment")} == {
        "goal": goal_id,
        "author": live.mentor.pk,
        "progress": 100,
        "comment": "Done!",
    }
    goal = mentor.get(detail).json()
    assert (goal["status"], goal["progress"], goal["updates"][0]["comment"]) == (
        "achieved",
        100,
        "Done!",
    )
    dropped = _send(mentor, "POST", detail + "progress/", {"progress": 60, "status": "dropped"})
    assert dropped.status_code == 201
    assert mentor.get(detail).json()["status"] == "dropped"
    staff_view = login(Client(), org_a.admin.user).get(detail)
    assert staff_view.json()["progress"] == 60
    assert "Done!" not in staff_view.content.decode()


def test_goal_validation_errors_are_400_with_fields(org_a: Tenant, written: Written) -> None:
    live = written.live
    mentee = login(Client(), live.mentee_user)
    url = _pair_url(org_a, live.pair, "goals/")
    past = (date.today() - timedelta(days=3)).isoformat()
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "owner"),
        ({"owner": "coach", "description": "x"}, "owner"),
        ({"owner": "mentee", "description": "  "}, "description"),
        ({"owner": "mentee", "description": "x" * 301}, "description"),
        ({"owner": "mentee", "description": "x", "target_date": past}, "target_date"),
        ({"owner": "mentee", "description": "x", "target_date": "someday"}, "target_date"),
    ]
    for body, field in cases:
        assert field in _fields(_send(mentee, "POST", url, body)), body
    progress = _pair_url(org_a, live.pair, f"goals/{written.goal.pk}/progress/")
    progress_cases: list[tuple[dict[str, Any], str]] = [
        ({}, "progress"),
        ({"progress": 101}, "progress"),
        ({"progress": -1}, "progress"),
        ({"progress": "half"}, "progress"),
        ({"progress": 50, "status": "abandoned"}, "status"),
        ({"progress": 50, "comment": "x" * 2001}, "comment"),
    ]
    for body, field in progress_cases:
        assert field in _fields(_send(mentee, "POST", progress, body)), body
    with org_a.scope():
        assert Goal.objects.get().progress == 40


# --- Pair lifecycle ------------------------------------------------------------------------------


def _in(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def test_pause_resume_extend_complete(org_a: Tenant, written: Written) -> None:
    live = written.live
    pair = live.pair
    mentee = login(Client(), live.mentee_user)
    mentor = login(Client(), live.mentor_user)
    coordinator = _client(org_a, live, "coordinator")
    paused = _send(mentee, "POST", _pair_url(org_a, pair, "pause/"), {"resume_on": _in(10)})
    assert paused.status_code == 200, paused.json()
    assert (paused.json()["status"], paused.json()["paused_until"]) == ("paused", _in(10))
    again = _send(mentor, "POST", _pair_url(org_a, pair, "pause/"), {"resume_on": _in(11)})
    assert again.status_code == 400
    assert "Only an active pair" in again.json()["detail"]
    resumed = _send(coordinator, "POST", _pair_url(org_a, pair, "resume/"))
    assert (resumed.status_code, resumed.json()["status"]) == (200, "active")
    assert _send(mentee, "POST", _pair_url(org_a, pair, "resume/")).status_code == 400
    assert (
        _send(mentor, "POST", _pair_url(org_a, pair, "extend/"), {"ends_on": _in(200)}).status_code
        == 403
    )
    extended = _send(coordinator, "POST", _pair_url(org_a, pair, "extend/"), {"ends_on": _in(200)})
    assert (extended.status_code, extended.json()["ends_on"]) == (200, _in(200))
    completed = _send(mentor, "POST", _pair_url(org_a, pair, "complete/"))
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed"
    assert completed.json()["completed_at"]
    assert _send(coordinator, "POST", _pair_url(org_a, pair, "complete/")).status_code == 400
    with org_a.scope():
        actions = set(
            AuditEntry.objects.filter(action__startswith="matching.pair_").values_list(
                "action", flat=True
            )
        )
    assert {"matching.pair_pause", "matching.pair_resume", "matching.pair_extend"} <= actions
    assert "matching.pair_complete" in actions


def test_lifecycle_validation_errors_are_400_with_fields(org_a: Tenant, written: Written) -> None:
    pair = written.live.pair
    admin = login(Client(), org_a.admin.user)
    mentee = login(Client(), written.live.mentee_user)
    pause = _pair_url(org_a, pair, "pause/")
    bodies: list[dict[str, Any]] = [
        {},
        {"resume_on": "next week"},
        {"resume_on": _in(0)},
        {"resume_on": _in(400)},
    ]
    for body in bodies:
        assert "resume_on" in _fields(_send(admin, "POST", pause, body)), body
    extend = _pair_url(org_a, pair, "extend/")
    for body in ({}, {"ends_on": 5}, {"ends_on": _in(10)}):
        assert "ends_on" in _fields(_send(admin, "POST", extend, body)), body
    rematch = _pair_url(org_a, pair, "request-rematch/")
    for body in ({}, {"reason": "  "}, {"reason": "x" * 301}):
        assert "reason" in _fields(_send(mentee, "POST", rematch, body)), body
    with org_a.scope():
        fresh = Pair.objects.get(pk=pair.pk)
    assert (fresh.status, fresh.ends_on, fresh.rematch_requested_at) == (
        PairStatus.ACTIVE,
        None,
        None,
    )


def test_a_member_asks_for_a_rematch_once(org_a: Tenant, written: Written) -> None:
    pair = written.live.pair
    mentee = login(Client(), written.live.mentee_user)
    url = _pair_url(org_a, pair, "request-rematch/")
    asked = _send(mentee, "POST", url, {"reason": "Our schedules never match."})
    assert asked.status_code == 200, asked.json()
    # The reason is for the coordinators: the pair's body does not carry it to the partner.
    assert "schedules" not in asked.content.decode()
    assert "already requested" in _send(mentee, "POST", url, {"reason": "Again"}).json()["detail"]
    with org_a.scope():
        fresh = Pair.objects.get(pk=pair.pk)
    assert fresh.rematch_requested_by_id == written.live.mentee.pk


# --- API tokens, query counts --------------------------------------------------------------------


def test_a_members_api_token_reads_their_pair(org_a: Tenant, written: Written) -> None:
    # Members can no longer make tokens (``organizations.access``); one made before still works.
    key = ApiToken.new_key()
    with org_a.scope():
        with pytest.raises(Forbidden):
            organization_services.api_token_create(
                organization=org_a.organization, user=written.live.mentor_user, name="diary"
            )
        ApiToken.objects.create(
            organization=org_a.organization,
            user=written.live.mentor_user,
            name="diary",
            key_hash=hash_secret(key),
            key_prefix=key[:10],
        )
    response = Client().get(
        _pair_url(org_a, written.live.pair, "notes/"), HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 200
    assert PRIVATE_TEXT in response.content.decode()


def _add_rows(tenant: Tenant, written: Written, count: int) -> None:
    live = written.live
    with tenant.scope():
        topic_ids = list(session_topics(live.program).values_list("pk", flat=True)[:2])
        for index in range(count):
            sessions.session_log(
                pair=live.pair,
                by=live.mentee,
                actor=None,
                held_on=YESTERDAY - timedelta(days=index),
                duration_minutes=20,
                topic_ids=topic_ids,
                learned="more",
            )
            notes.note_create(
                pair=live.pair, author=live.mentee, actor=None, text="n", visibility="shared"
            )
            goal = goals.goal_create(
                pair=live.pair, by=live.mentee, actor=None, owner="mentor", description=f"g{index}"
            )
            goals.goal_progress(goal=goal, by=live.mentee, actor=None, progress=10, comment="c")
            goals.goal_progress(goal=goal, by=live.mentee, actor=None, progress=20, comment="d")


# Session and user, organisation and membership, the scope, the pair with its people, the
# viewer's managed programs, one page of rows and one prefetch (topics, or goal updates).
LIST_QUERIES = 10


@pytest.mark.parametrize("role", ["mentor", "admin"])
@pytest.mark.parametrize("path", ["sessions/", "notes/", "goals/"])
def test_lists_take_a_fixed_number_of_queries(
    org_a: Tenant,
    written: Written,
    role: str,
    path: str,
    django_assert_max_num_queries: Any,
    django_assert_num_queries: Any,
) -> None:
    client = _client(org_a, written.live, role)
    url = _pair_url(org_a, written.live.pair, path)
    expected = 403 if (role, path) == ("admin", "notes/") else 200
    with django_assert_max_num_queries(LIST_QUERIES) as few:
        assert client.get(url).status_code == expected
    _add_rows(org_a, written, 6)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    if expected == 200:
        # Six more of each; the mentor also sees their own two notes, the admin no notes at all.
        assert len(response.json()["results"]) == (8 if path == "notes/" else 7)
