"""Sessions: one member logs, the other confirms or corrects; bad input is refused field by field."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from feedback.models import SessionFormat, SessionLog, SessionStatus, SessionTopic
from feedback.sessions import services as sessions
from matching.models import Pair, PairStatus
from organizations.models import AuditEntry
from programs.models import Program, ProgramTopic
from tests.conftest import Tenant
from tests.feedback.builders import LivePair, live_pair
from tests.participants.test_enrollment_builders import make_topic

YESTERDAY = date.today() - timedelta(days=1)


def _log(live: LivePair, tenant: Tenant, **fields: Any) -> SessionLog:
    fields.setdefault("held_on", YESTERDAY)
    fields.setdefault("duration_minutes", 45)
    with tenant.scope():
        return sessions.session_log(
            pair=live.pair, by=live.mentor, actor=live.mentor_user, **fields
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"held_on": date.today() + timedelta(days=2)}, "held_on"),
        ({"held_on": date.today() - timedelta(days=400)}, "held_on"),
        ({"held_on": "yesterday"}, "held_on"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": -30}, "duration_minutes"),
        ({"duration_minutes": 601}, "duration_minutes"),
        ({"duration_minutes": True}, "duration_minutes"),
        ({"format": "telepathy"}, "format"),
        ({"learned": "x" * 5001}, "learned"),
    ],
)
def test_bad_session_input_names_the_field_and_saves_nothing(
    org_a: Tenant, fields: dict[str, Any], field: str
) -> None:
    live = live_pair(org_a)
    with pytest.raises(ValidationError) as caught:
        _log(live, org_a, **fields)
    assert field in caught.value.message_dict
    with org_a.scope():
        assert not SessionLog.objects.exists()


def test_a_session_cannot_be_about_a_topic_outside_the_program_focus(org_a: Tenant) -> None:
    live = live_pair(org_a)
    focus, other = make_topic(org_a, "AI tools"), make_topic(org_a, "Finance")
    with org_a.scope():
        ProgramTopic.objects.create(
            organization=org_a.organization, program=live.program, topic=focus
        )
    with pytest.raises(ValidationError) as caught:
        _log(live, org_a, topic_ids=[focus.pk, other.pk])
    assert "topics" in caught.value.message_dict
    session = _log(live, org_a, topic_ids=[focus.pk])
    with org_a.scope():
        assert list(
            SessionTopic.objects.filter(session=session).values_list("topic_id", flat=True)
        ) == [focus.pk]


def test_only_the_pair_logs_and_only_once_it_started(org_a: Tenant) -> None:
    live = live_pair(org_a, charter_accepted=False)
    with pytest.raises(ValidationError, match="accepted the program's charter"):
        _log(live, org_a)
    other = live_pair(org_a)
    with org_a.scope(), pytest.raises(PermissionDenied, match="Only the two people"):
        sessions.session_log(
            pair=other.pair, by=live.mentor, actor=None, held_on=YESTERDAY, duration_minutes=30
        )
    with org_a.scope():
        Pair.objects.filter(pk=other.pair.pk).update(status=PairStatus.ENDED)
        other.pair.refresh_from_db()
    with pytest.raises(ValidationError, match="no longer be logged"):
        _log(other, org_a)


def test_partner_confirms_the_logger_cannot(org_a: Tenant) -> None:
    live = live_pair(org_a)
    session = _log(live, org_a, learned="Prompting patterns")
    assert session.status == SessionStatus.AWAITING
    with org_a.scope():
        with pytest.raises(PermissionDenied, match="Your partner confirms"):
            sessions.session_confirm(session=session, by=live.mentor, actor=live.mentor_user)
        confirmed = sessions.session_confirm(
            session=session, by=live.mentee, actor=live.mentee_user
        )
        assert confirmed.status == SessionStatus.CONFIRMED
        assert confirmed.confirmed_by_id == live.mentee.pk
        assert not confirmed.corrected
        with pytest.raises(ValidationError, match="already confirmed"):
            sessions.session_confirm(session=session, by=live.mentee, actor=live.mentee_user)
        entry = AuditEntry.objects.get(action="session.confirm")
    # The audit log keeps facts for staff, never the pair's text.
    assert "Prompting" not in str(entry.data)


def test_partner_corrects_facts_and_the_audit_keeps_before_and_after(org_a: Tenant) -> None:
    live = live_pair(org_a)
    session = _log(live, org_a, duration_minutes=90, format=SessionFormat.VIDEO)
    with org_a.scope():
        with pytest.raises(ValidationError) as caught:
            sessions.session_confirm(
                session=session,
                by=live.mentee,
                actor=live.mentee_user,
                corrections={"duration_minutes": -5},
            )
        assert "duration_minutes" in caught.value.message_dict
        session.refresh_from_db()
        assert session.status == SessionStatus.AWAITING
        corrected = sessions.session_confirm(
            session=session,
            by=live.mentee,
            actor=live.mentee_user,
            corrections={"duration_minutes": 60, "format": SessionFormat.IN_PERSON},
        )
        entry = AuditEntry.objects.get(action="session.correct_and_confirm")
    assert corrected.corrected
    assert corrected.duration_minutes == 60
    assert entry.data["before"]["duration_minutes"] == 90
    assert entry.data["after"]["format"] == SessionFormat.IN_PERSON


def test_confirmed_facts_are_final_but_shared_text_stays_editable(org_a: Tenant) -> None:
    live = live_pair(org_a)
    session = _log(live, org_a)
    with org_a.scope():
        sessions.session_confirm(session=session, by=live.mentee, actor=None)
        with pytest.raises(ValidationError, match="final"):
            sessions.session_update(
                session=session,
                by=live.mentor,
                actor=None,
                held_on=YESTERDAY,
                duration_minutes=10,
                format=session.format,
            )
        updated = sessions.session_update(
            session=session,
            by=live.mentee,
            actor=None,
            held_on=session.held_on,
            duration_minutes=session.duration_minutes,
            format=session.format,
            action_items="Try the new summariser",
        )
        assert updated.action_items == "Try the new summariser"
        with pytest.raises(ValidationError, match="stays on the record"):
            sessions.session_delete(session=session, by=live.mentor, actor=None)


def test_we_met_makes_one_draft_which_the_member_completes(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        draft = sessions.session_we_met(pair=live.pair, by=live.mentee, held_on=YESTERDAY)
        again = sessions.session_we_met(pair=live.pair, by=live.mentor, held_on=YESTERDAY)
        assert again.pk == draft.pk
        assert draft.status == SessionStatus.DRAFT
        with pytest.raises(ValidationError, match="draft"):
            sessions.session_confirm(session=draft, by=live.mentor, actor=None)
        with pytest.raises(ValidationError):
            sessions.session_we_met(
                pair=live.pair, by=live.mentee, held_on=date.today() + timedelta(days=3)
            )
        completed = sessions.session_update(
            session=draft,
            by=live.mentee,
            actor=None,
            held_on=YESTERDAY,
            duration_minutes=30,
            format=SessionFormat.PHONE,
        )
        assert completed.status == SessionStatus.AWAITING
        assert SessionLog.objects.count() == 1


def test_hours_count_confirmed_sessions_per_pair_person_and_program(
    org_a: Tenant, django_assert_max_num_queries: Any
) -> None:
    live = live_pair(org_a)
    first = _log(live, org_a, duration_minutes=60)
    _log(live, org_a, duration_minutes=30, held_on=YESTERDAY - timedelta(days=7))
    with org_a.scope():
        sessions.session_confirm(session=first, by=live.mentee, actor=None)
        sessions.session_we_met(pair=live.pair, by=live.mentee, held_on=YESTERDAY - timedelta(1))
        with django_assert_max_num_queries(1):
            hours = sessions.pair_hours(live.pair)
        by_person = sessions.hours_by_person(live.program)
        by_pair = sessions.hours_by_pair(live.program)
        program = sessions.program_hours(live.program)
    assert (hours.sessions, hours.confirmed_minutes, hours.awaiting, hours.drafts) == (3, 60, 1, 1)
    assert hours.confirmed_hours == 1.0
    assert by_pair[live.pair.pk] == hours == program
    assert by_person[live.mentor.person_id].confirmed_minutes == 60
    assert by_person[live.mentee.person_id].sessions == 3


def test_the_pairs_first_day_is_counted_in_the_programs_time_zone(org_a: Tenant) -> None:
    """Published at 02:00 UTC is the evening before in New York: a session that evening counts."""
    live = live_pair(org_a)
    published = datetime.combine(YESTERDAY, time(2, 0), tzinfo=UTC)
    evening_before = YESTERDAY - timedelta(days=1)
    with org_a.scope():
        Program.objects.filter(pk=live.program.pk).update(time_zone="America/New_York")
        Pair.objects.filter(pk=live.pair.pk).update(created_at=published)
        live.pair.refresh_from_db()
        live.pair.program.refresh_from_db()
    session = _log(live, org_a, held_on=evening_before)
    assert session.held_on == evening_before
    with pytest.raises(ValidationError) as refused:
        _log(live, org_a, held_on=evening_before - timedelta(days=1))
    assert "held_on" in refused.value.message_dict


def test_an_unconfirmed_session_of_an_ended_pair_can_no_longer_change(org_a: Tenant) -> None:
    live = live_pair(org_a)
    session = _log(live, org_a, duration_minutes=45)
    with org_a.scope():
        Pair.objects.filter(pk=live.pair.pk).update(status=PairStatus.ENDED)
        session.pair.refresh_from_db()
        with pytest.raises(ValidationError, match="no longer be logged"):
            sessions.session_update(
                session=session,
                by=live.mentor,
                actor=None,
                held_on=YESTERDAY,
                duration_minutes=90,
                format=session.format,
            )
        session.refresh_from_db()
    assert (session.duration_minutes, session.status) == (45, SessionStatus.AWAITING)
