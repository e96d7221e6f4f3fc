"""The partner is told by email when a session waits for their confirmation or a shared note is
added, with a link straight to it; each person can turn these emails off; the home shows the same
news whatever they chose."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from feedback import notes
from feedback.models import EmailPreferences, NoteVisibility, SessionStatus
from feedback.notices.partner import NOTE, SESSION, partner_notice
from feedback.notices.preferences import preferences_of, preferences_save, wants
from feedback.sessions import services as sessions
from feedback.sessions.use_cases import SessionFacts, log_session
from feedback.tasks import send_partner_notice
from feedback.visibility import pair_access
from organizations.models import AuditEntry, Membership
from participants.models import Person
from programs.lifecycle import program_today
from tests.conftest import Tenant, login
from tests.feedback.builders import LivePair, live_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(org_a: Tenant, org_b: Tenant) -> LivePair:
    live_pair(org_b)  # look-alike data next door
    return live_pair(org_a)


def _log(live: LivePair, org: Tenant, **extra: Any) -> Any:
    with org.scope():
        return sessions.session_log(
            pair=live.pair,
            by=live.mentor,
            actor=live.mentor_user,
            held_on=program_today(live.program) - timedelta(days=1),
            duration_minutes=45,
            **extra,
        )


def test_logging_a_session_queues_one_notice_for_the_partner_after_commit(
    live: LivePair, org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        patch.object(send_partner_notice, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
        org_a.scope(),
    ):
        access = pair_access(
            live.pair.pk, membership=_membership(org_a, live), user=live.mentor_user
        )
        session = log_session(
            access=access,
            actor=live.mentor_user,
            facts=SessionFacts(
                held_on=program_today(live.program) - timedelta(days=1),
                duration_minutes=30,
                format="video",
            ),
            shared_note="Bring the deck next time",
            private_note="Mine only",
        )
    # The session and its shared note make one email, not two.
    assert queued.call_count == 1
    kwargs = queued.call_args.kwargs["kwargs"]
    assert kwargs == {
        "organization_id": org_a.organization.pk,
        "pair_id": live.pair.pk,
        "by_id": live.mentor.pk,
        "kind": SESSION,
        "object_id": session.pk,
    }


def test_nothing_is_queued_when_the_transaction_rolls_back(
    live: LivePair, org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    def log_then_fail() -> None:
        with transaction.atomic():
            _log(live, org_a)
            raise RuntimeError("rolled back")

    with (
        patch.object(send_partner_notice, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        log_then_fail()
    assert queued.call_count == 0


def _membership(org: Tenant, live: LivePair) -> Membership:
    return Membership.objects.get(organization=org.organization, user=live.mentor_user)


def test_session_notice_emails_the_partner_with_a_link_to_the_session(
    live: LivePair, org_a: Tenant
) -> None:
    session = _log(live, org_a)
    with org_a.scope():
        outcome = partner_notice(
            pair_id=live.pair.pk, by_id=live.mentor.pk, kind=SESSION, object_id=session.pk
        )
    assert outcome == "sent"
    (email,) = mail.outbox
    assert email.to == [live.mentee.person.email]
    assert live.mentor.person.full_name in email.subject
    assert "confirm" in email.subject
    path = reverse("pair_detail", args=(org_a.slug, live.pair.pk))
    assert f"{path}#session-{session.pk}" in email.body
    assert "45 min" in email.body


def test_no_email_once_the_session_is_confirmed(live: LivePair, org_a: Tenant) -> None:
    session = _log(live, org_a)
    with org_a.scope():
        sessions.session_confirm(session=session, by=live.mentee, actor=live.mentee_user)
        outcome = partner_notice(
            pair_id=live.pair.pk, by_id=live.mentor.pk, kind=SESSION, object_id=session.pk
        )
    assert outcome == "session no longer awaits"
    assert mail.outbox == []


def test_shared_note_is_emailed_private_note_never(live: LivePair, org_a: Tenant) -> None:
    with org_a.scope():
        shared = notes.note_create(
            pair=live.pair,
            author=live.mentee,
            actor=live.mentee_user,
            text="Loved the demo",
            visibility=NoteVisibility.SHARED,
        )
        private = notes.note_create(
            pair=live.pair,
            author=live.mentee,
            actor=live.mentee_user,
            text="Secret",
            visibility=NoteVisibility.PRIVATE,
        )
        assert (
            partner_notice(
                pair_id=live.pair.pk, by_id=live.mentee.pk, kind=NOTE, object_id=private.pk
            )
            == "note gone"
        )
        assert (
            partner_notice(
                pair_id=live.pair.pk, by_id=live.mentee.pk, kind=NOTE, object_id=shared.pk
            )
            == "sent"
        )
    (email,) = mail.outbox
    assert email.to == [live.mentor.person.email]
    assert f"#note-{shared.pk}" in email.body
    assert "Loved the demo" not in email.body  # the note stays on the pair page
    assert "Secret" not in email.body


def test_partner_who_turned_it_off_gets_no_email(live: LivePair, org_a: Tenant) -> None:
    session = _log(live, org_a)
    with org_a.scope():
        preferences_save(
            organization_id=org_a.organization.pk,
            user=live.mentee_user,
            actor=live.mentee_user,
            values={
                "partner_activity": False,
                "check_in_reminders": True,
                "survey_reminders": True,
            },
        )
        outcome = partner_notice(
            pair_id=live.pair.pk, by_id=live.mentor.pk, kind=SESSION, object_id=session.pk
        )
        assert session.status == SessionStatus.AWAITING
    assert outcome == "turned off"
    assert mail.outbox == []


def test_preferences_default_on_and_are_per_organisation(
    live: LivePair, org_a: Tenant, org_b: Tenant
) -> None:
    with org_a.scope():
        assert preferences_of(live.mentee_user.pk) == {
            "partner_activity": True,
            "check_in_reminders": True,
            "survey_reminders": True,
        }
        preferences_save(
            organization_id=org_a.organization.pk,
            user=live.mentee_user,
            actor=live.mentee_user,
            values={
                "partner_activity": False,
                "check_in_reminders": False,
                "survey_reminders": True,
            },
        )
        assert not wants(live.mentee_user.pk, "partner_activity")
        entry = AuditEntry.objects.get(action="email_preferences.update")
        assert entry.data["before"]["partner_activity"] is True
        assert entry.data["after"]["partner_activity"] is False
    with org_b.scope():
        assert EmailPreferences.objects.count() == 0
        assert wants(live.mentee_user.pk, "partner_activity")


def test_preferences_page_saves_the_person_own_choices(live: LivePair, org_a: Tenant) -> None:
    client = login(Client(), live.mentee_user)
    url = reverse("my_email_preferences", args=(org_a.slug,))
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'type="checkbox" name="partner_activity"' in text
    assert "checked" in text
    response = client.post(url, {"check_in_reminders": "on"})
    assert response.status_code == 302
    with org_a.scope():
        assert preferences_of(live.mentee_user.pk) == {
            "partner_activity": False,
            "check_in_reminders": True,
            "survey_reminders": False,
        }
        # Nobody else's row was written.
        assert EmailPreferences.objects.count() == 1


def test_home_shows_the_partner_shared_note_and_the_session_to_confirm(
    live: LivePair, org_a: Tenant
) -> None:
    _log(live, org_a)
    with org_a.scope():
        note = notes.note_create(
            pair=live.pair,
            author=live.mentor,
            actor=live.mentor_user,
            text="See you Tuesday",
            visibility=NoteVisibility.SHARED,
        )
    home = login(Client(), live.mentee_user).get(reverse("organization_home", args=(org_a.slug,)))
    text = home.content.decode()
    assert "Your partner logged a session on" in text
    assert f'href="/o/{org_a.slug}/pairs/{live.pair.pk}/#todo"' in text
    assert "shared a note with you" in text
    assert f"#note-{note.pk}" in text
    # The author's own home says nothing of it.
    own = login(Client(), live.mentor_user).get(reverse("organization_home", args=(org_a.slug,)))
    assert "shared a note with you" not in own.content.decode()


def test_a_line_break_in_an_older_name_does_not_break_the_notice(
    live: LivePair, org_a: Tenant
) -> None:
    # Names refuse control characters now; a row written before that rule may still hold one.
    with org_a.scope():
        Person.objects.filter(pk=live.mentor.person_id).update(full_name="Morgan\r\nMentor")
    session = _log(live, org_a)
    with org_a.scope():
        outcome = partner_notice(
            pair_id=live.pair.pk, by_id=live.mentor.pk, kind=SESSION, object_id=session.pk
        )
    assert outcome == "sent"
    (email,) = mail.outbox
    assert email.subject.endswith("Morgan Mentor logged a session: please confirm it")
