"""The pair page's life: who sees what of sessions, notes and goals (checked on the raw HTML), who
may act, each form's 400 with field messages and the typed values kept, each action's effect, the
htmx section answers, the calendar invitation, and a query count that does not grow with rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from feedback import goals, notes
from feedback.models import (
    CheckIn,
    CheckInStatus,
    Goal,
    GoalStatus,
    Note,
    NoteVisibility,
    SessionLog,
    SessionStatus,
)
from feedback.sessions import services as sessions
from matching.models import Pair, PairStatus
from organizations.models import Membership, Role
from programs.models import ProgramCoordinator
from tests.conftest import Tenant, login
from tests.factories import make_member
from tests.feedback.builders import LivePair, live_pair
from tests.participants.test_enrollment_builders import assign_coordinator, make_program

SESSION_TEXT = "SESSION-LEARNED-SECRET"
ACTION_TEXT = "SESSION-ACTION-SECRET"
SHARED_TEXT = "SHARED-NOTE-SECRET"
PRIVATE_TEXT = "PRIVATE-NOTE-SECRET"
MENTEE_PRIVATE_TEXT = "MENTEE-PRIVATE-SECRET"
COMMENT_TEXT = "GOAL-COMMENT-SECRET"
PAIR_TEXTS = (
    SESSION_TEXT,
    ACTION_TEXT,
    SHARED_TEXT,
    PRIVATE_TEXT,
    MENTEE_PRIVATE_TEXT,
    COMMENT_TEXT,
)

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)
HTMX = {"HX-Request": "true"}


@dataclass
class World:
    tenant: Tenant
    live: LivePair
    session: SessionLog
    shared_note: Note
    private_note: Note
    mentee_private_note: Note
    goal: Goal
    other_coordinator: Membership


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> World:
    """Org A's live pair: the mentor logged a session (with text) and wrote a shared and a private
    note, the mentee a private note and a goal with a commented update. Org A's coordinator runs
    the program, another coordinator another program; org B has a look-alike pair."""
    live_pair(org_b)
    live = live_pair(org_a)
    assign_coordinator(org_a, live.program)
    other_coordinator = make_member(
        org_a.organization, role=Role.COORDINATOR, email=f"coordinator2@{org_a.slug}.test"
    )
    other_program = make_program(org_a)
    with org_a.scope():
        ProgramCoordinator.objects.create(
            organization=org_a.organization, program=other_program, user=other_coordinator.user
        )
        session = sessions.session_log(
            pair=live.pair,
            by=live.mentor,
            actor=live.mentor_user,
            held_on=YESTERDAY,
            duration_minutes=45,
            learned=SESSION_TEXT,
            action_items=ACTION_TEXT,
        )
        shared = notes.note_create(
            pair=live.pair,
            author=live.mentor,
            actor=live.mentor_user,
            text=SHARED_TEXT,
            visibility=NoteVisibility.SHARED,
        )
        private = notes.note_create(
            pair=live.pair,
            author=live.mentor,
            actor=live.mentor_user,
            text=PRIVATE_TEXT,
            visibility=NoteVisibility.PRIVATE,
        )
        mentee_private = notes.note_create(
            pair=live.pair,
            author=live.mentee,
            actor=live.mentee_user,
            text=MENTEE_PRIVATE_TEXT,
            visibility=NoteVisibility.PRIVATE,
        )
        goal = goals.goal_create(
            pair=live.pair,
            by=live.mentee,
            actor=live.mentee_user,
            owner="mentee",
            description="Use an AI assistant every week",
        )
        goals.goal_progress(
            goal=goal, by=live.mentee, actor=live.mentee_user, progress=40, comment=COMMENT_TEXT
        )
    return World(org_a, live, session, shared, private, mentee_private, goal, other_coordinator)


def _user(world: World, who: str) -> User:
    return {
        "mentor": world.live.mentor_user,
        "mentee": world.live.mentee_user,
        "admin": world.tenant.admin.user,
        "coordinator": world.tenant.coordinator.user,
        "other_coordinator": world.other_coordinator.user,
        "member": world.tenant.member.user,
    }[who]


def _client(world: World, who: str) -> Client:
    return login(Client(), _user(world, who))


def _url(world: World, name: str, **kwargs: Any) -> str:
    if name == "pair_detail":
        kwargs.setdefault("pk", world.live.pair.pk)
    else:
        kwargs.setdefault("pair_pk", world.live.pair.pk)
    return reverse(name, kwargs={"org_slug": world.tenant.slug, **kwargs})


def _page(world: World, who: str) -> str:
    response = _client(world, who).get(_url(world, "pair_detail"))
    assert response.status_code == 200
    return response.content.decode()


# --- Who sees what -------------------------------------------------------------------------------


def test_mentor_sees_session_text_shared_and_own_private_notes_not_the_mentees(
    world: World,
) -> None:
    html = _page(world, "mentor")
    for text in (SESSION_TEXT, ACTION_TEXT, SHARED_TEXT, PRIVATE_TEXT, COMMENT_TEXT):
        assert text in html
    assert MENTEE_PRIVATE_TEXT not in html
    assert "Private: only you see this" in html
    assert f"Awaiting {world.live.mentee.person.full_name}&#x27;s confirmation" in html


def test_mentee_sees_the_shared_note_not_the_mentors_private_one(world: World) -> None:
    html = _page(world, "mentee")
    assert SHARED_TEXT in html
    assert PRIVATE_TEXT not in html
    assert MENTEE_PRIVATE_TEXT in html
    assert SESSION_TEXT in html
    assert "Awaiting your confirmation" in html
    confirm = _url(world, "pair_session_confirm", pk=world.session.pk)
    assert f'action="{confirm}"' in html


@pytest.mark.parametrize("who", ["admin", "coordinator"])
def test_staff_see_session_facts_and_goal_progress_but_no_pair_text(world: World, who: str) -> None:
    html = _page(world, who)
    for text in PAIR_TEXTS:
        assert text not in html, text
    assert YESTERDAY.strftime("%-d %B %Y") in html
    assert "45 min" in html
    assert "Awaiting confirmation" in html
    assert "Notes are private to the pair" in html
    assert 'value="40"' in html  # the goal's <progress>
    assert "Use an AI assistant every week" in html
    # Staff neither log, confirm nor write notes or goals.
    for name in ("pair_session_log", "pair_note_create", "pair_goal_create"):
        assert _url(world, name) not in html
    assert _url(world, "pair_session_confirm", pk=world.session.pk) not in html
    assert _url(world, "pair_extend") in html


@pytest.mark.parametrize("who", ["member", "other_coordinator"])
def test_others_in_the_organisation_get_404_everywhere(world: World, who: str) -> None:
    client = _client(world, who)
    assert client.get(_url(world, "pair_detail")).status_code == 404
    posts = [
        _url(world, "pair_session_log"),
        _url(world, "pair_session_confirm", pk=world.session.pk),
        _url(world, "pair_note_create"),
        _url(world, "pair_goal_progress", pk=world.goal.pk),
        _url(world, "pair_pause"),
    ]
    for url in posts:
        assert client.post(url, {"text": "x"}).status_code == 404, url
    assert client.get(_url(world, "pair_note_edit", pk=world.shared_note.pk)).status_code == 404


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    response = Client().post(_url(world, "pair_note_create"), {"note-text": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_organisation_gets_404(world: World, org_b: Tenant) -> None:
    client = login(Client(), org_b.admin.user)
    assert client.get(_url(world, "pair_detail")).status_code == 404
    own_slug = reverse(
        "pair_session_confirm",
        kwargs={"org_slug": org_b.slug, "pair_pk": world.live.pair.pk, "pk": world.session.pk},
    )
    assert client.post(own_slug).status_code == 404


@pytest.mark.parametrize(
    "name", ["pair_session_log", "pair_note_create", "pair_goal_create", "pair_request_rematch"]
)
def test_staff_may_not_write_the_pairs_things(world: World, name: str) -> None:
    assert _client(world, "coordinator").post(_url(world, name), {}).status_code == 403


def test_partner_cannot_reach_someone_elses_note(world: World) -> None:
    client = _client(world, "mentee")
    for name in ("pair_note_edit", "pair_note_delete"):
        assert client.post(_url(world, name, pk=world.private_note.pk)).status_code == 404
    assert client.post(_url(world, "pair_note_delete", pk=world.shared_note.pk)).status_code == 404
    with world.tenant.scope():
        assert Note.objects.filter(pk=world.shared_note.pk).exists()


def test_pending_pair_says_who_still_has_to_accept_the_charter(org_a: Tenant) -> None:
    live = live_pair(org_a, charter_accepted=False)
    page = login(Client(), live.mentor_user).get(
        reverse("pair_detail", kwargs={"org_slug": org_a.slug, "pk": live.pair.pk})
    )
    html = page.content.decode()
    assert "This pair starts once both accepted the charter" in html
    assert "You (mentor)" in html
    assert f"{live.mentee.person.full_name} (mentee)" in html
    assert "Sessions start once both of you accepted the charter" in html
    assert "Log the session" not in html


# --- Sessions ------------------------------------------------------------------------------------


def _session_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "held_on": YESTERDAY.isoformat(),
        "duration_minutes": "50",
        "format": "in_person",
        "learned": "How to prompt well",
        "action_items": "Try it twice",
        "shared_note": "",
        "private_note": "",
    }
    data.update(overrides)
    return data


def test_mentor_logs_a_session_with_a_shared_and_a_private_note(world: World) -> None:
    with world.tenant.scope():
        topic = sessions.session_topics(world.live.program).first()
        assert topic is not None
    data = _session_data(shared_note="We both liked it", private_note="I was nervous")
    data["topics"] = [str(topic.pk)]
    response = _client(world, "mentor").post(_url(world, "pair_session_log"), data)
    assert response.status_code == 302
    assert response["Location"].endswith("#sessions")
    with world.tenant.scope():
        logged = SessionLog.objects.exclude(pk=world.session.pk).get()
        assert logged.duration_minutes == 50
        assert logged.status == SessionStatus.AWAITING
        assert list(logged.topics.values_list("pk", flat=True)) == [topic.pk]
        attached = dict(Note.objects.filter(session=logged).values_list("visibility", "text"))
    assert attached == {"shared": "We both liked it", "private": "I was nervous"}
    assert "I was nervous" not in _page(world, "mentee")


def test_session_log_errors_are_400_with_messages_and_typed_values_kept(world: World) -> None:
    data = _session_data(
        held_on=(TODAY + timedelta(days=3)).isoformat(),
        duration_minutes="900",
        learned="Typed and kept",
        private_note="Private words kept",
    )
    response = _client(world, "mentor").post(_url(world, "pair_session_log"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the length in minutes, from 1 to 600." in html
    assert 'value="900"' in html
    assert "Typed and kept" in html
    assert "Private words kept" in html
    with world.tenant.scope():
        assert SessionLog.objects.count() == 1
        assert not Note.objects.filter(text="Private words kept").exists()


def test_session_in_the_future_is_the_services_field_message(world: World) -> None:
    data = _session_data(held_on=(TODAY + timedelta(days=3)).isoformat())
    html = _client(world, "mentor").post(_url(world, "pair_session_log"), data).content.decode()
    assert "is in the future: log sessions once they happened" in html


def test_session_log_by_htmx_answers_the_section_and_an_announcement(world: World) -> None:
    response = _client(world, "mentor").post(
        _url(world, "pair_session_log"), _session_data(), headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="sessions"')
    assert "<html" not in html
    assert 'id="pair-life-status"' in html
    assert 'hx-swap-oob="true"' in html
    assert "Session logged." in html


def test_session_log_errors_by_htmx_are_the_section_at_400(world: World) -> None:
    data = _session_data(duration_minutes="0", learned="Still here")
    response = _client(world, "mentor").post(_url(world, "pair_session_log"), data, headers=HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="sessions"')
    assert "Give the length in minutes" in html
    assert "Still here" in html


def test_mentee_confirms_and_hours_count(world: World) -> None:
    client = _client(world, "mentee")
    response = client.post(_url(world, "pair_session_confirm", pk=world.session.pk))
    assert response.status_code == 302
    with world.tenant.scope():
        world.session.refresh_from_db()
    assert world.session.status == SessionStatus.CONFIRMED
    assert world.session.confirmed_by_id == world.live.mentee.pk
    html = _page(world, "coordinator")
    assert "0.8 confirmed hours" in html  # 45 minutes
    assert "Confirmed" in html


def test_the_logger_cannot_confirm_their_own_session(world: World) -> None:
    client = _client(world, "mentor")
    response = client.post(_url(world, "pair_session_confirm", pk=world.session.pk), follow=True)
    assert "Your partner confirms the sessions you log." in response.content.decode()
    with world.tenant.scope():
        world.session.refresh_from_db()
    assert world.session.status == SessionStatus.AWAITING


def test_mentee_corrects_and_confirms(world: World) -> None:
    client = _client(world, "mentee")
    url = _url(world, "pair_session_correct", pk=world.session.pk)
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="45"' in form.content.decode()
    data = {"held_on": YESTERDAY.isoformat(), "duration_minutes": "60", "format": "phone"}
    assert client.post(url, data).status_code == 302
    with world.tenant.scope():
        world.session.refresh_from_db()
    assert (world.session.status, world.session.duration_minutes) == ("confirmed", 60)
    assert world.session.corrected
    assert "Corrected and confirmed" in _page(world, "mentor")


def test_correction_errors_are_400_with_values_kept(world: World) -> None:
    url = _url(world, "pair_session_correct", pk=world.session.pk)
    data = {"held_on": "not a date", "duration_minutes": "75", "format": "carrier pigeon"}
    response = _client(world, "mentee").post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a date as YYYY-MM-DD." in html
    assert "Choose how you met." in html
    assert 'value="75"' in html
    assert 'value="not a date"' in html


def test_logger_edits_and_deletes_before_confirmation(world: World) -> None:
    client = _client(world, "mentor")
    edit = _url(world, "pair_session_edit", pk=world.session.pk)
    assert SESSION_TEXT in client.get(edit).content.decode()
    bad = client.post(edit, _session_data(duration_minutes="abc", learned="Edited text"))
    assert bad.status_code == 400
    assert "Edited text" in bad.content.decode()
    assert client.post(edit, _session_data(duration_minutes="20")).status_code == 302
    with world.tenant.scope():
        world.session.refresh_from_db()
    assert world.session.duration_minutes == 20
    assert client.post(_url(world, "pair_session_delete", pk=world.session.pk)).status_code == 302
    with world.tenant.scope():
        assert not SessionLog.objects.filter(pk=world.session.pk).exists()


def test_partner_may_not_edit_or_delete_an_unconfirmed_session(world: World) -> None:
    client = _client(world, "mentee")
    assert client.get(_url(world, "pair_session_edit", pk=world.session.pk)).status_code == 403
    client.post(_url(world, "pair_session_delete", pk=world.session.pk))
    with world.tenant.scope():
        assert SessionLog.objects.filter(pk=world.session.pk).exists()


def test_a_session_of_another_pair_is_404(world: World) -> None:
    other = live_pair(world.tenant)
    with world.tenant.scope():
        foreign = sessions.session_log(
            pair=other.pair, by=other.mentor, actor=None, held_on=YESTERDAY, duration_minutes=30
        )
    url = _url(world, "pair_session_confirm", pk=foreign.pk)
    assert _client(world, "mentee").post(url).status_code == 404


# --- Notes ---------------------------------------------------------------------------------------


def test_member_adds_a_private_note_by_htmx(world: World) -> None:
    data = {"note-text": "Just for me", "note-visibility": "private"}
    response = _client(world, "mentee").post(_url(world, "pair_note_create"), data, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="notes"')
    assert "Just for me" in html
    assert "Private note saved: only you see it." in html
    assert "Just for me" not in _page(world, "mentor")


def test_note_errors_are_400_with_the_field_message(world: World) -> None:
    data = {"note-text": "   ", "note-visibility": "everyone"}
    response = _client(world, "mentee").post(_url(world, "pair_note_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Write something first." in html
    assert "Choose who sees the note" in html


def test_author_edits_and_deletes_a_note(world: World) -> None:
    client = _client(world, "mentor")
    url = _url(world, "pair_note_edit", pk=world.private_note.pk)
    assert PRIVATE_TEXT in client.get(url).content.decode()
    long_text = "x" * 10001
    bad = client.post(url, {"note-text": long_text, "note-visibility": "shared"})
    assert bad.status_code == 400
    assert long_text in bad.content.decode()
    ok = client.post(url, {"note-text": "Now shared", "note-visibility": "shared"})
    assert ok.status_code == 302
    assert "Now shared" in _page(world, "mentee")
    delete = _url(world, "pair_note_delete", pk=world.private_note.pk)
    assert client.post(delete).status_code == 302
    with world.tenant.scope():
        assert not Note.objects.filter(pk=world.private_note.pk).exists()


# --- Goals ---------------------------------------------------------------------------------------


def test_member_adds_a_goal_and_records_progress(world: World) -> None:
    client = _client(world, "mentor")
    data = {"goal-owner": "mentor", "goal-description": "Present to the board"}
    assert client.post(_url(world, "pair_goal_create"), data).status_code == 302
    with world.tenant.scope():
        goal = Goal.objects.get(description="Present to the board")
    progress = _url(world, "pair_goal_progress", pk=goal.pk)
    response = client.post(progress, {"progress": "100", "comment": "Done!"}, headers=HTMX)
    assert response.status_code == 200
    assert 'value="100"' in response.content.decode()
    with world.tenant.scope():
        goal.refresh_from_db()
    assert (goal.progress, goal.status) == (100, GoalStatus.ACHIEVED)
    assert "Done!" not in _page(world, "admin")


def test_goal_errors_are_400_with_messages_and_values_kept(world: World) -> None:
    client = _client(world, "mentor")
    past = (TODAY - timedelta(days=5)).isoformat()
    data = {"goal-owner": "", "goal-description": "Kept words", "goal-target_date": past}
    response = client.post(_url(world, "pair_goal_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say whose goal it is" in html
    assert "Kept words" in html
    progress = _url(world, "pair_goal_progress", pk=world.goal.pk)
    bad = client.post(progress, {"progress": "140", "comment": "Kept comment"})
    assert bad.status_code == 400
    assert "Give the progress as a whole number from 0 to 100." in bad.content.decode()
    assert "Kept comment" in bad.content.decode()


def test_goal_target_in_the_past_is_the_services_message(world: World) -> None:
    past = (TODAY - timedelta(days=5)).isoformat()
    data = {"goal-owner": "mentee", "goal-description": "Late", "goal-target_date": past}
    response = _client(world, "mentee").post(_url(world, "pair_goal_create"), data)
    assert response.status_code == 400
    assert "The target date is in the past" in response.content.decode()


# --- Lifecycle -----------------------------------------------------------------------------------


def _pair(world: World) -> Pair:
    with world.tenant.scope():
        return Pair.objects.get(pk=world.live.pair.pk)


def test_member_pauses_and_resumes(world: World) -> None:
    client = _client(world, "mentee")
    resume_on = TODAY + timedelta(days=14)
    response = client.post(_url(world, "pair_pause"), {"resume_on": resume_on.isoformat()})
    assert response.status_code == 302
    pair = _pair(world)
    assert (pair.status, pair.paused_until) == (PairStatus.PAUSED, resume_on)
    assert f"until {resume_on:%-d %B %Y}" in _page(world, "mentor")
    assert client.post(_url(world, "pair_resume")).status_code == 302
    assert _pair(world).status == PairStatus.ACTIVE


def test_pause_errors_are_400_with_the_field_message(world: World) -> None:
    response = _client(world, "mentee").post(_url(world, "pair_pause"), {"resume_on": "soon"})
    assert response.status_code == 400
    assert "Give a date as YYYY-MM-DD." in response.content.decode()
    past = _client(world, "mentee").post(_url(world, "pair_pause"), {"resume_on": str(TODAY)})
    assert past.status_code == 400
    assert "Choose a resume date after today." in past.content.decode()


def test_staff_extend_members_may_not(world: World) -> None:
    ends_on = (TODAY + timedelta(days=200)).isoformat()
    assert (
        _client(world, "mentor").post(_url(world, "pair_extend"), {"ends_on": ends_on}).status_code
        == 403
    )
    too_early = _client(world, "coordinator").post(
        _url(world, "pair_extend"), {"ends_on": (TODAY + timedelta(days=10)).isoformat()}
    )
    assert too_early.status_code == 400
    assert "choose a later date" in too_early.content.decode()
    ok = _client(world, "coordinator").post(_url(world, "pair_extend"), {"ends_on": ends_on})
    assert ok.status_code == 302
    assert _pair(world).ends_on == TODAY + timedelta(days=200)


def test_member_completes_the_pair(world: World) -> None:
    assert _client(world, "mentor").post(_url(world, "pair_complete")).status_code == 302
    assert _pair(world).status == PairStatus.COMPLETED
    html = _page(world, "mentor")
    assert "This pair is completed" in html
    assert "Log the session" not in html


def test_member_requests_a_rematch(world: World) -> None:
    client = _client(world, "mentee")
    empty = client.post(_url(world, "pair_request_rematch"), {"rematch-reason": ""})
    assert empty.status_code == 400
    assert "Tell the coordinator why" in empty.content.decode()
    reason = "We cannot find time together"
    response = client.post(_url(world, "pair_request_rematch"), {"rematch-reason": reason})
    assert response.status_code == 302
    assert _pair(world).rematch_requested_by_id == world.live.mentee.pk
    assert reason in _page(world, "coordinator")
    assert reason not in _page(world, "mentor")  # written for the coordinators


# --- Next check-in and the calendar invitation ---------------------------------------------------


def test_members_see_their_own_next_check_in(world: World) -> None:
    due = TODAY + timedelta(days=9)
    with world.tenant.scope():
        CheckIn.objects.create(
            organization=world.tenant.organization,
            pair=world.live.pair,
            enrollment=world.live.mentee,
            due_on=due,
            status=CheckInStatus.PLANNED,
        )
    assert due.strftime("%-d %B %Y") in _page(world, "mentee")
    assert due.strftime("%-d %B %Y") not in _page(world, "mentor")


def test_invitation_downloads_an_ics_in_the_viewers_time_zone(world: World) -> None:
    with world.tenant.scope():
        person = world.live.mentor.person
        person.time_zone = "Europe/Paris"
        person.save(update_fields=["time_zone"])
    day = TODAY + timedelta(days=7)
    query = {
        "invite-date": day.isoformat(),
        "invite-time": "09:30",
        "invite-minutes": "45",
        "invite-location": "Room 4",
        "invite-note": "",
    }
    response = _client(world, "mentor").get(_url(world, "pair_session_invite"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == f'attachment; filename="session-{day}.ics"'
    body = response.content.decode()
    assert "LOCATION:Room 4" in body
    # 09:30 in Paris is 07:30 or 08:30 UTC depending on summer time.
    assert f"DTSTART:{day:%Y%m%d}T0" in body
    assert "T0930" not in body.split("DTSTART:")[1][:16]


def test_invitation_errors_are_400_on_the_pair_page(world: World) -> None:
    query = {"invite-date": YESTERDAY.isoformat(), "invite-time": "25:00", "invite-minutes": "5"}
    response = _client(world, "mentee").get(_url(world, "pair_session_invite"), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a time as HH:MM." in html
    assert "Give the length in minutes, from 15 to 480." in html
    assert YESTERDAY.isoformat() in html
    past = {"invite-date": YESTERDAY.isoformat(), "invite-time": "10:00", "invite-minutes": "30"}
    in_past = _client(world, "mentee").get(_url(world, "pair_session_invite"), past)
    assert in_past.status_code == 400
    assert "Plan the next session in the future." in in_past.content.decode()


def test_staff_get_no_invitation(world: World) -> None:
    url = _url(world, "pair_session_invite")
    assert _client(world, "admin").get(url, {"invite-date": "x"}).status_code == 403


# --- Query count ---------------------------------------------------------------------------------


def _add_rows(world: World, count: int) -> None:
    live = world.live
    with world.tenant.scope():
        topic_ids = list(sessions.session_topics(live.program).values_list("pk", flat=True))
        for k in range(count):
            by, partner = (live.mentor, live.mentee) if k % 2 else (live.mentee, live.mentor)
            session = sessions.session_log(
                pair=live.pair,
                by=by,
                actor=None,
                held_on=TODAY - timedelta(days=2 + k),
                duration_minutes=30,
                topic_ids=topic_ids[:2],
                learned="x",
            )
            sessions.session_confirm(session=session, by=partner, actor=None)
            notes.note_create(
                pair=live.pair,
                author=by,
                actor=None,
                text=f"note {k}",
                visibility=NoteVisibility.SHARED,
                session=session,
            )
            goal = goals.goal_create(
                pair=live.pair, by=by, actor=None, owner="mentor", description=f"goal {k}"
            )
            goals.goal_progress(goal=goal, by=by, actor=None, progress=5 * k, comment="c")


@pytest.mark.parametrize("who", ["mentor", "coordinator"])
def test_pair_page_queries_do_not_grow_with_rows(
    world: World, who: str, django_assert_max_num_queries: Any
) -> None:
    client = _client(world, who)
    url = _url(world, "pair_detail")
    client.get(url)  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # Pinned: session, user, organisation, membership and the page's own reads (pair; one
    # statement for the charter with what each side accepted, the hours with the last session
    # and, for a member, their training left and next check-in; sessions with their topics;
    # notes; goals and their updates; planned sessions; actions; stories; topics of the blank
    # forms; for staff whether they manage the program, the score's breakdown and the actions'
    # count). A new read on the pair page shows here first.
    assert len(few) == {"mentor": 14, "coordinator": 14}[who], [q["sql"][:120] for q in few]
    _add_rows(world, 12)
    # The notes now have a second page (15 of them, 10 a page): counted once, one query more.
    # The sessions' count comes with the hours whatever their number; once they no longer fit
    # on one page, the session waiting for the partner's confirmation is read on its own (it
    # was taken from the list before): one query more for a member.
    with django_assert_max_num_queries(len(few) + (2 if who == "mentor" else 0)):
        response = client.get(url)
    html = response.content.decode()
    assert "Page 1 of 2" in html  # 13 sessions, 10 a page
    assert "goal 11" in html
