"""The "may we quote you" box: asked on attributed surveys with a free-text question, stored on the
response only when ticked, never asked of (nor stored for) an anonymous survey or one without free
text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import QuestionKind, SurveyResponse, Wave
from surveys.respond.forms import QUOTE_CONSENT, QUOTE_CONSENT_LABEL
from surveys.respond.use_cases import answer_form, submit_answers
from tests.conftest import Tenant, login
from tests.surveys.respond.helpers import open_invitation
from tests.surveys.waves.builders import SurveyWorld, good_answers, make_survey, survey_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_a: Tenant) -> SurveyWorld:
    return survey_world(org_a)


@pytest.mark.parametrize(("ticked", "stored"), [("on", True), ("", False)])
def test_an_attributed_survey_stores_the_answer_to_may_we_quote_you(
    world: SurveyWorld, ticked: str, stored: bool
) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE)
    invitation = open_invitation(world.tenant, survey, world.mentee)
    with world.tenant.scope():
        form = answer_form(invitation)
        field = form.quote_consent_field()
        assert field is not None
        assert field.label == QUOTE_CONSENT_LABEL
        assert not field.field.required
        body = {**good_answers(survey, "mentee"), QUOTE_CONSENT: ticked}
        submit_answers(invitation=invitation, actor=None, data=body)
        assert SurveyResponse.objects.get(survey=survey).quote_consent is stored


def test_an_anonymous_survey_never_asks_nor_stores_it(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST, anonymous=True)
    invitation = open_invitation(world.tenant, survey, world.mentor)
    with world.tenant.scope():
        assert answer_form(invitation).quote_consent_field() is None
        body = {**good_answers(survey, "mentor"), QUOTE_CONSENT: "on"}
        submit_answers(invitation=invitation, actor=None, data=body)
        assert SurveyResponse.objects.get(survey=survey).quote_consent is False


def test_a_survey_without_free_text_does_not_ask(world: SurveyWorld) -> None:
    likert = {
        "kind": QuestionKind.LIKERT,
        "text": "I am confident using AI tools",
        "scale_points": 5,
        "required": True,
    }
    survey = make_survey(world.tenant, world.program, Wave.PRE, questions=[likert])
    invitation = open_invitation(world.tenant, survey, world.mentee)
    with world.tenant.scope():
        assert answer_form(invitation).quote_consent_field() is None


def test_the_answering_page_shows_the_box_and_posting_it_stores_consent(
    world: SurveyWorld,
) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE)
    invitation = open_invitation(world.tenant, survey, world.mentee)
    client = login(Client(), world.mentee_user)
    url = reverse("my_survey_answer", kwargs={"org_slug": world.tenant.slug, "pk": invitation.pk})
    html = client.get(url).content.decode()
    assert f'<input type="checkbox" name="{QUOTE_CONSENT}"' in html
    assert QUOTE_CONSENT_LABEL.replace("'", "&#x27;") in html
    with world.tenant.scope():
        body = {**good_answers(survey, "mentee"), QUOTE_CONSENT: "on"}
    assert client.post(url, body).status_code in (200, 302)
    with world.tenant.scope():
        assert SurveyResponse.objects.get(survey=survey).quote_consent is True
