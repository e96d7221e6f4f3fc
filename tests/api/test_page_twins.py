"""The last five pages' API operations (issue #14): each calls the page's use case, is refused
alike (403 before the body, 404 outside), and answers bad input with a 400 naming the field."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from feedback.models import EmailPreferences, SessionLog, SessionStatus
from feedback.sessions import services as sessions
from participants.models import EnrollmentRole, EnrollmentStatus
from surveys.models import Survey
from surveys.selectors import current_questions
from tests.conftest import Tenant, login
from tests.feedback.builders import live_pair
from tests.participants.test_enrollment_builders import enrol, make_person, make_program
from tests.surveys.builder.builders import CHOICE, LIKERT, staffed_program, template

pytestmark = pytest.mark.django_db


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json")


# --- programs/<id>/open-invitations/ ------------------------------------------------------------


def test_open_invitations_are_closed_through_the_api(org_a: Tenant) -> None:
    program = make_program(org_a)
    invited = [enrol(org_a, program, make_person(org_a), EnrollmentRole.MENTOR) for _ in range(2)]
    url = f"/api/v1/o/{org_a.slug}/programs/{program.pk}/open-invitations/"
    member = login(Client(), org_a.member.user)
    assert _send(member, "POST", url, {"decision": "close"}).status_code == 403
    admin = login(Client(), org_a.admin.user)
    bad = _send(admin, "POST", url, {"decision": "maybe"})
    assert bad.status_code == 400
    assert "decision" in bad.json()["fields"]
    done = _send(admin, "POST", url, {"decision": "close"})
    assert done.status_code == 200, done.content
    assert done.json() == {"detail": "2 open invitations were closed.", "open_invitations": 0}
    with org_a.scope():
        for enrollment in invited:
            enrollment.refresh_from_db()
            assert enrollment.status == EnrollmentStatus.WITHDRAWN


def test_open_invitations_of_another_program_are_not_found(org_a: Tenant, org_b: Tenant) -> None:
    program = make_program(org_b)
    url = f"/api/v1/o/{org_a.slug}/programs/{program.pk}/open-invitations/"
    admin = login(Client(), org_a.admin.user)
    assert _send(admin, "POST", url, {"decision": "keep"}).status_code == 404


# --- pairs/<id>/sessions/<id>/correct/ ------------------------------------------------------------


def test_the_partner_corrects_and_confirms_a_session(org_a: Tenant) -> None:
    live = live_pair(org_a)
    held_on = date.today() - timedelta(days=2)
    with org_a.scope():
        session = sessions.session_log(
            pair=live.pair, by=live.mentor, actor=live.mentor_user, held_on=held_on,
            duration_minutes=60,
        )  # fmt: skip
    url = f"/api/v1/o/{org_a.slug}/pairs/{live.pair.pk}/sessions/{session.pk}/correct/"
    facts = {
        "held_on": held_on.isoformat(),
        "duration_minutes": 45,
        "format": "phone",
        "topics": [],
    }
    logger = login(Client(), live.mentor_user)
    refused = _send(logger, "POST", url, facts)
    assert refused.status_code == 403
    assert "Your partner confirms" in refused.json()["detail"]
    partner = login(Client(), live.mentee_user)
    incomplete = _send(partner, "POST", url, {"duration_minutes": 45})
    assert incomplete.status_code == 400
    assert {"held_on", "format", "topics"} <= set(incomplete.json()["fields"])
    too_long = _send(partner, "POST", url, {**facts, "duration_minutes": 6000})
    assert too_long.status_code == 400
    assert "duration_minutes" in too_long.json()["fields"]
    done = _send(partner, "POST", url, facts)
    assert done.status_code == 200, done.content
    assert done.json()["corrected"] is True
    assert done.json()["duration_minutes"] == 45
    with org_a.scope():
        stored = SessionLog.objects.get(pk=session.pk)
        assert (stored.status, stored.format) == (SessionStatus.CONFIRMED, "phone")
    again = _send(partner, "POST", url, facts)
    assert again.status_code == 400  # already confirmed


# --- survey questions' move --------------------------------------------------------------------


def test_a_question_moves_up_through_the_api(org_a: Tenant) -> None:
    survey = template(org_a, LIKERT, CHOICE)
    with org_a.scope():
        first, second = list(current_questions(survey))
    base = f"/api/v1/o/{org_a.slug}/survey-templates/{survey.pk}/questions"
    coordinator = login(Client(), org_a.coordinator.user)
    assert (
        _send(coordinator, "POST", f"{base}/{second.pk}/move/", {"direction": "up"}).status_code
        == 403
    )
    admin = login(Client(), org_a.admin.user)
    bad = _send(admin, "POST", f"{base}/{second.pk}/move/", {"direction": "sideways"})
    assert bad.status_code == 400
    assert "direction" in bad.json()["fields"]
    moved = _send(admin, "POST", f"{base}/{second.pk}/move/", {"direction": "up"})
    assert moved.status_code == 200, moved.content
    assert [q["id"] for q in moved.json()] == [second.pk, first.pk]
    with org_a.scope():
        assert [q.pk for q in current_questions(survey)] == [second.pk, first.pk]
    assert _send(admin, "POST", f"{base}/999999/move/", {"direction": "up"}).status_code == 404


# --- programs/<id>/surveys/recommended/ ---------------------------------------------------------


def test_the_recommended_surveys_are_added_once(org_a: Tenant) -> None:
    program = staffed_program(org_a)
    url = f"/api/v1/o/{org_a.slug}/programs/{program.pk}/surveys/recommended/"
    assert _send(login(Client(), org_a.member.user), "POST", url).status_code == 404
    coordinator = login(Client(), org_a.coordinator.user)
    added = _send(coordinator, "POST", url)
    assert added.status_code == 200, added.content
    assert len(added.json()) == 4
    with org_a.scope():
        assert Survey.objects.filter(program=program).count() == 4
    assert _send(coordinator, "POST", url).json() == []


# --- me/email-preferences/ -----------------------------------------------------------------------


def test_a_member_reads_and_changes_their_own_email_preferences(org_a: Tenant) -> None:
    url = f"/api/v1/o/{org_a.slug}/me/email-preferences/"
    member = login(Client(), org_a.member.user)
    assert member.get(url).json() == {
        "partner_activity": True,
        "check_in_reminders": True,
        "survey_reminders": True,
    }
    patched = _send(member, "PATCH", url, {"survey_reminders": False})
    assert patched.status_code == 200
    assert patched.json()["survey_reminders"] is False
    assert patched.json()["partner_activity"] is True
    incomplete = _send(member, "PUT", url, {"survey_reminders": True})
    assert incomplete.status_code == 400
    assert {"partner_activity", "check_in_reminders"} <= set(incomplete.json()["fields"])
    wrong = _send(member, "PATCH", url, {"survey_reminders": "sometimes"})
    assert wrong.status_code == 400
    assert "survey_reminders" in wrong.json()["fields"]
    with org_a.scope():
        row = EmailPreferences.objects.get(user=org_a.member.user)
        assert row.survey_reminders is False
        # Nobody else's row changed.
        assert EmailPreferences.objects.count() == 1
    admin = login(Client(), org_a.admin.user)
    assert admin.get(url).json()["survey_reminders"] is True
