"""Log a session: one use case for the pair page and the API. A refused person is refused alike
from the use case, the page and the API; a session and its notes are written together or not at
all."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from feedback import notes
from feedback.models import Note, NoteVisibility, SessionLog
from feedback.sessions.use_cases import SessionFacts, log_session
from feedback.visibility import pair_access
from organizations.selectors import membership_of
from tests.conftest import Tenant, login
from tests.feedback.builders import LivePair, live_pair
from tests.participants.test_enrollment_builders import assign_coordinator

pytestmark = pytest.mark.django_db

YESTERDAY = date.today() - timedelta(days=1)
FACTS = SessionFacts(held_on=YESTERDAY, duration_minutes=45, format="video")
REFUSAL = "Only the two people of this pair do this."


def _access(tenant: Tenant, live: LivePair, user):  # type: ignore[no-untyped-def]
    membership = membership_of(user)
    assert membership is not None
    return pair_access(live.pair.pk, membership=membership, user=user)


def test_a_session_and_both_notes_are_logged_in_one_step(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        session = log_session(
            access=_access(org_a, live, live.mentor_user),
            actor=live.mentor_user,
            facts=FACTS,
            shared_note="We tried three prompting styles.",
            private_note="Ask about the board deck next time.",
        )
        kept = dict(Note.objects.filter(session=session).values_list("visibility", "text"))
    assert kept == {
        NoteVisibility.SHARED: "We tried three prompting styles.",
        NoteVisibility.PRIVATE: "Ask about the board deck next time.",
    }


def test_a_refused_note_rolls_the_session_back_and_names_its_field(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        access = _access(org_a, live, live.mentor_user)
        with pytest.raises(ValidationError) as refused:
            log_session(
                access=access,
                actor=live.mentor_user,
                facts=FACTS,
                private_note="x" * (notes.NOTE_MAX_LENGTH + 1),
            )
        assert set(refused.value.message_dict) == {"private_note"}
        assert not SessionLog.objects.filter(pair=live.pair).exists()
        assert not Note.objects.filter(pair=live.pair).exists()


def test_staff_are_refused_alike_by_use_case_page_and_api(org_a: Tenant) -> None:
    live = live_pair(org_a)
    assign_coordinator(org_a, live.program)
    coordinator = org_a.coordinator.user
    with org_a.scope(), pytest.raises(PermissionDenied, match=REFUSAL):
        log_session(access=_access(org_a, live, coordinator), actor=coordinator, facts=FACTS)
    client = login(Client(), coordinator)
    page = client.post(
        f"/o/{org_a.slug}/pairs/{live.pair.pk}/sessions/",
        {"held_on": YESTERDAY.isoformat(), "duration_minutes": 45, "format": "video"},
    )
    assert page.status_code == 403
    assert REFUSAL in page.content.decode()
    api = client.post(
        f"/api/v1/o/{org_a.slug}/pairs/{live.pair.pk}/sessions/",
        data=json.dumps({"held_on": YESTERDAY.isoformat(), "duration_minutes": 45}),
        content_type="application/json",
    )
    assert (api.status_code, api.json()["detail"]) == (403, REFUSAL)
    with org_a.scope():
        assert not SessionLog.objects.filter(pair=live.pair).exists()


def test_the_api_logs_a_session_with_its_notes(org_a: Tenant) -> None:
    live = live_pair(org_a)
    client = login(Client(), live.mentee_user)
    response = client.post(
        f"/api/v1/o/{org_a.slug}/pairs/{live.pair.pk}/sessions/",
        data=json.dumps(
            {
                "held_on": YESTERDAY.isoformat(),
                "duration_minutes": 30,
                "shared_note": "Shared with my mentor",
                "private_note": "Only for me",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    with org_a.scope():
        assert Note.objects.filter(session_id=response.json()["id"]).count() == 2


def test_the_api_refuses_an_oversized_note_and_keeps_nothing(org_a: Tenant) -> None:
    live = live_pair(org_a)
    client = login(Client(), live.mentee_user)
    response = client.post(
        f"/api/v1/o/{org_a.slug}/pairs/{live.pair.pk}/sessions/",
        data=json.dumps(
            {
                "held_on": YESTERDAY.isoformat(),
                "duration_minutes": 30,
                "shared_note": "x" * (notes.NOTE_MAX_LENGTH + 1),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"shared_note"}
    with org_a.scope():
        assert not SessionLog.objects.filter(pair=live.pair).exists()
