"""Answering pages: the signed link (signed out, or signed in as someone else), the signed-in
page, the thank-you and "already answered" states, My surveys, the home link, the staff page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import InvitationStatus, SurveyResponse, Wave
from surveys.waves import links
from tests.conftest import Tenant, login
from tests.surveys.respond.helpers import open_invitation
from tests.surveys.waves.builders import SurveyWorld, good_answers, make_survey, survey_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> SurveyWorld:
    survey_world(org_b)
    return survey_world(org_a)


def test_the_link_answers_signed_out_then_thanks_then_says_already_answered(
    world: SurveyWorld,
) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE, anonymous=True)
    invitation = open_invitation(world.tenant, survey, world.mentee)
    url = reverse(
        "survey_link", kwargs={"org_slug": world.tenant.slug, "token": links.make_token(invitation)}
    )
    client = Client()
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="viewport"' in html
    assert "<fieldset" in html
    assert "<legend>" in html
    assert 'class="scale-inline"' in html  # the NPS scale wraps on a phone
    assert "anonymous" in html
    with world.tenant.scope():
        body = good_answers(survey, "mentee")
    done = client.post(url, body)
    assert done.status_code == 302
    thanks = client.get(done["Location"])
    assert "Thank you: your answers are in." in thanks.content.decode()
    again = client.get(url)
    assert "You have already answered this survey" in again.content.decode()
    assert "Send my answers" not in again.content.decode()
    second = client.post(url, body)
    assert second.status_code == 200
    with world.tenant.scope():
        assert SurveyResponse.objects.count() == 1


def test_a_link_opened_in_someone_elses_session_answers_for_its_owner(
    world: SurveyWorld,
) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE)
    invitation = open_invitation(world.tenant, survey, world.mentee)
    url = reverse(
        "survey_link", kwargs={"org_slug": world.tenant.slug, "token": links.make_token(invitation)}
    )
    client = login(Client(), world.mentor_user)
    page = client.get(url)
    assert "This link was sent to Eli Executive" in page.content.decode()
    with world.tenant.scope():
        body = good_answers(survey, "mentee")
    assert client.post(url, body).status_code == 302
    with world.tenant.scope():
        response = SurveyResponse.objects.get()
        assert response.respondent_id == world.mentee.pk


def test_bad_input_on_the_page_shows_field_errors_and_keeps_nothing(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE)
    invitation = open_invitation(world.tenant, survey, world.mentee)
    client = login(Client(), world.mentee_user)
    url = reverse("my_survey_answer", kwargs={"org_slug": world.tenant.slug, "pk": invitation.pk})
    with world.tenant.scope():
        body = good_answers(survey, "mentee")
    nps = next(k for k, v in body.items() if v == "9")
    body[nps] = "12"
    page = client.post(url, body)
    assert page.status_code == 400
    html = page.content.decode()
    assert 'role="alert"' in html
    assert "Select a valid choice" in html
    with world.tenant.scope():
        assert SurveyResponse.objects.count() == 0


def test_my_surveys_lists_open_and_past_and_links_to_answer(world: SurveyWorld) -> None:
    open_one = open_invitation(
        world.tenant, make_survey(world.tenant, world.program, Wave.PRE), world.mentee
    )
    open_invitation(
        world.tenant,
        make_survey(world.tenant, world.program, Wave.MID, title="Halfway"),
        world.mentee,
        status=InvitationStatus.CLOSED,
    )
    open_invitation(
        world.tenant,
        make_survey(world.tenant, world.program, Wave.POST, title="Not yet"),
        world.mentee,
        status=InvitationStatus.PLANNED,
    )
    client = login(Client(), world.mentee_user)
    html = client.get(reverse("my_survey_list", kwargs={"org_slug": world.tenant.slug})).content
    text = html.decode()
    answer_url = reverse(
        "my_survey_answer", kwargs={"org_slug": world.tenant.slug, "pk": open_one.pk}
    )
    assert answer_url in text
    assert "Halfway" in text
    assert "This survey closed on" in text
    assert "Not yet" not in text  # planned: not sent yet
    # Someone else's invitation is not theirs to open.
    other = login(Client(), world.mentor_user)
    assert other.get(answer_url).status_code == 404
    empty = other.get(reverse("my_survey_list", kwargs={"org_slug": world.tenant.slug}))
    assert "No survey has been sent to you yet" in empty.content.decode()
    home = client.get(reverse("organization_home", kwargs={"org_slug": world.tenant.slug}))
    assert reverse("my_survey_list", kwargs={"org_slug": world.tenant.slug}) in (
        home.content.decode()
    )


def test_staff_page_counts_statuses_and_never_shows_answers(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE, anonymous=True)
    answered = open_invitation(world.tenant, survey, world.mentee)
    open_invitation(world.tenant, survey, world.mentor)
    with world.tenant.scope():
        from surveys.respond.use_cases import submit_answers

        submit_answers(invitation=answered, actor=None, data=good_answers(survey, "mentee"))
    url = reverse(
        "survey_invitation_list", kwargs={"org_slug": world.tenant.slug, "survey_pk": survey.pk}
    )
    page = login(Client(), world.tenant.coordinator.user).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    counts = dict(re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', html))
    assert counts["Answered"] == "1"
    assert counts["Sent"] == "1"
    assert counts["Total"] == "2"
    assert "Eli Executive" in html
    assert "Mia Mentor" in html
    assert "I use an assistant every week." not in html
    filtered = login(Client(), world.tenant.admin.user).get(url + "?status=answered")
    assert "Mia Mentor" not in filtered.content.decode()
    assert login(Client(), world.mentee_user).get(url).status_code == 404
