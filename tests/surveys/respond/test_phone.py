"""A mentee answers a survey from the email link on a 390 px phone screen, signed out: the page
never scrolls sideways (the NPS scale wraps), and the answers arrive."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from surveys.models import SurveyResponse, Wave
from surveys.waves import links
from tests.conftest import Tenant
from tests.surveys.respond.helpers import open_invitation
from tests.surveys.waves.builders import make_survey, survey_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"


def test_a_mentee_answers_from_the_email_link_on_a_phone(
    live_server: Any, page: Page, org_a: Tenant
) -> None:
    world = survey_world(org_a)
    survey = make_survey(org_a, world.program, Wave.PRE, anonymous=True)
    invitation = open_invitation(org_a, survey, world.mentee)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/surveys/{org_a.slug}/{links.make_token(invitation)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title)
    _no_sideways_scroll(page)
    page.get_by_label("4 · Agree").check()
    page.locator(".scale-inline").get_by_label("9", exact=True).check()
    page.get_by_label("Weekly").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you: your answers are in.")
    _no_sideways_scroll(page)
    with org_a.scope():
        response = SurveyResponse.objects.get(survey=survey)
        assert response.respondent_id is None
