"""After answering a check-in, the person sees their own answers on the page they land on, in the
app and through the email's link alike."""

from __future__ import annotations

from typing import Any

import time_machine
from django.test import Client

from tests.conftest import login
from tests.feedback.test_checkins import _sent, clock, world
from tests.feedback.test_checkins_builders import CheckInWorld

__all__ = ["clock", "world"]  # the check-in tests' fixtures, reused


def _answered_page(client: Client, url: str) -> str:
    response = client.post(
        url, {"rating": "4", "blockers": "Hard to find a slot", "wants_contact": "on"}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_app_shows_the_answers_after_answering(
    world: CheckInWorld, clock: time_machine.Traveller, django_capture_on_commit_callbacks: Any
) -> None:
    check_in, _, _ = _sent(world)
    url = f"/o/{world.tenant.slug}/me/check-ins/{check_in.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        html = _answered_page(login(Client(), world.mentor_user), url)
    answers = html[html.index('id="answers-heading"') :]
    assert "4 of 5: Well" in answers
    assert "Hard to find a slot" in answers
    assert "Yes, you asked for it" in answers
    assert "Send my check-in" not in html


def test_the_email_link_shows_the_answers_after_answering(
    world: CheckInWorld, clock: time_machine.Traveller, django_capture_on_commit_callbacks: Any
) -> None:
    _check_in, answer_url, _ = _sent(world)
    with django_capture_on_commit_callbacks(execute=True):
        html = _answered_page(Client(), answer_url)
    answers = html[html.index('id="answers-heading"') :]
    assert "4 of 5: Well" in answers
    assert "Hard to find a slot" in answers
