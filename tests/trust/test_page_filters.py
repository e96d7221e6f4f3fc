"""Pages answer an unknown filter value with a 400 naming the parameter and what it takes (the rule
of ``core.params``, shared with the API), and still filter by every known value."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from tests.access.world import World
from tests.trust.routes import first_actor, route_url

# (route, parameter, a known value, the message's list of what it takes)
FILTERS = [
    ("program_list", "status", "active", "Choose one of: draft, enrolling"),
    ("program_list", "archived", "1", "Use true or false."),
    ("enrollment_manage", "role", "mentor", "Choose one of: mentor, mentee."),
    ("enrollment_manage", "status", "accepted", "Choose one of: invited, applied"),
    ("program_pair_list", "status", "active", "Choose one of: pending, active"),
    ("program_check_in_list", "status", "answered", "Choose one of: sent, answered, planned."),
    ("program_check_in_list", "contact", "1", "Use true or false."),
    ("program_engagement", "level", "at_risk", "Choose one of: healthy, watch, at_risk, none."),
    ("program_review", "level", "watch", "Choose one of: healthy, watch, at_risk, none."),
    ("survey_template_list", "archived", "1", "Use true or false."),
    ("survey_preview", "as", "mentor", "Choose one of: mentor, mentee, all."),
    ("survey_invitation_list", "status", "sent", "Choose one of: planned, sent"),
    ("survey_invitation_list", "delivery", "failed", "Choose one of: failed."),
]
UNKNOWN = "AAA"


def _get(client: Client, world: World, route: str, query: dict[str, str]) -> tuple[int, str]:
    client.cookies = SimpleCookie()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[first_actor(route, "GET")]
    with transaction.atomic():
        response = client.get(route_url(world, route), query)
        transaction.set_rollback(True)
    return response.status_code, response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "param", "known", "message"), FILTERS, ids=[f"{r}-{p}" for r, p, *_ in FILTERS]
)
def test_an_unknown_filter_value_is_a_400_saying_what_the_filter_takes(
    world: World, route: str, param: str, known: str, message: str
) -> None:
    client = Client()
    status, body = _get(client, world, route, {param: UNKNOWN})
    assert status == 400
    assert f"{param}: {message}" in body
    assert _get(client, world, route, {param: known})[0] == 200
    assert _get(client, world, route, {param: ""})[0] == 200
