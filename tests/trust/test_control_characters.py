"""Names and one-line fields refuse control characters (one shared validator), and whatever older
data holds is made one line where it is written: email subjects and calendar fields."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from core.text import CONTROL_MESSAGE, one_line, single_line
from feedback.ics import session_invitation
from matching.pairs import pair_end
from participants.models import Person
from programs.models import Program
from tests.conftest import Tenant, login
from tests.feedback.builders import live_pair

CONTROLS = ["Spring\nBcc: x@evil.test", "A\rB", "Tab\there", "Bell\x07", "Next\x85line", "L\u2028S"]


@pytest.mark.parametrize("value", CONTROLS)
def test_the_validator_refuses_control_characters(value: str) -> None:
    with pytest.raises(ValidationError):
        single_line(value)


def test_the_validator_accepts_ordinary_names() -> None:
    for name in ("Zoë O'Brien-Łukasiewicz", "李小龍", "Anne (HR) — 2026"):
        single_line(name)


def test_one_line_joins_lines_with_a_space() -> None:
    assert one_line("Spring\r\n\r\nBcc: x") == "Spring Bcc: x"
    assert one_line("  plain  ") == "plain"


def _api_post(client: Client, url: str, body: dict[str, object]) -> dict[str, list[str]]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    return response.json()["fields"]


@pytest.mark.parametrize("value", CONTROLS[:3])
def test_api_refuses_control_characters_in_names(org_a: Tenant, value: str) -> None:
    client = login(Client(), org_a.admin.user)
    base = f"/api/v1/o/{org_a.slug}"
    assert _api_post(client, f"{base}/programs/", {"name": value}) == {"name": [CONTROL_MESSAGE]}
    assert _api_post(client, f"{base}/topics/", {"name": value}) == {"name": [CONTROL_MESSAGE]}
    fields = _api_post(client, f"{base}/people/", {"email": "p@acme.test", "full_name": value})
    assert fields == {"full_name": [CONTROL_MESSAGE]}


def test_program_page_form_refuses_a_line_break_in_the_name(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/o/{org_a.slug}/programs/new/", {"name": "Spring\r\nCohort", "time_zone": "UTC"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [CONTROL_MESSAGE]
    with org_a.scope():
        assert not Program.objects.filter(name__contains="Spring").exists()


def test_an_older_name_with_crlf_cannot_add_an_attendee_to_the_ics(org_a: Tenant) -> None:
    live = live_pair(org_a)
    forged = "Ana\r\nATTENDEE;CN=Eve:mailto:eve@evil.test\r\nX"
    with org_a.scope():
        Person.objects.filter(pk=live.mentor.person_id).update(full_name=forged)
        live.pair.mentor.person.refresh_from_db()
        Program.objects.filter(pk=live.program.pk).update(name="Spring\nSUMMARY:forged")
        live.pair.program.refresh_from_db()
        text = session_invitation(
            pair=live.pair, starts_at=timezone.now() + timedelta(days=2), minutes=30
        ).text
    unfolded = text.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    assert sum(line.startswith("ATTENDEE") for line in lines) == 2
    assert "eve@evil.test" not in [line.rsplit("mailto:", 1)[-1] for line in lines]
    assert sum(line.startswith("SUMMARY") for line in lines) == 1
    assert "\n" not in text.replace("\r\n", "")


def test_an_older_program_name_with_a_line_break_still_sends_its_email(
    org_a: Tenant, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    live = live_pair(org_a)
    with org_a.scope():
        Program.objects.filter(pk=live.program.pk).update(name="Spring\r\nBcc: eve@evil.test")
        live.pair.program.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            pair_end(pair=live.pair, actor=org_a.admin.user, reason="Moved away")
    assert mail.outbox
    for message in mail.outbox:
        assert "\n" not in message.subject
        assert "\r" not in message.subject
        assert "Spring Bcc: eve@evil.test" in message.subject
        message.message()  # renders its headers without BadHeaderError
        assert "eve@evil.test" not in message.recipients()
