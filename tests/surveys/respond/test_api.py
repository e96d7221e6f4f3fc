"""The invitations API: one's own invitations and answering them (400 with field messages,
nothing stored), staff see statuses only and may not answer."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import SurveyResponse, Wave
from tests.conftest import Tenant, login
from tests.surveys.respond.helpers import open_invitation
from tests.surveys.waves.builders import SurveyWorld, good_answers, make_survey, survey_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> SurveyWorld:
    survey_world(org_b)
    return survey_world(org_a)


def _post(client: Client, url: str, body: object) -> tuple[int, dict]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_the_person_answers_through_the_api(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE)
    invitation = open_invitation(world.tenant, survey, world.mentor)
    slug = world.tenant.slug
    client = login(Client(), world.mentor_user)
    listed = client.get(reverse("api-survey-invitation-list", kwargs={"org_slug": slug}))
    assert [row["id"] for row in listed.json()["results"]] == [invitation.pk]
    url = reverse("api-survey-invitation-answer", kwargs={"org_slug": slug, "pk": invitation.pk})
    with world.tenant.scope():
        body = good_answers(survey, "mentor")
    likert = next(k for k, v in body.items() if v == "4")
    status, error = _post(client, url, {**body, likert: 9})
    assert status == 400
    assert list(error["fields"]) == [likert]
    with world.tenant.scope():
        assert SurveyResponse.objects.count() == 0
    status, answered = _post(client, url, {**body, likert: 4})
    assert status == 200
    assert answered["status"] == "answered"
    status, again = _post(client, url, body)
    assert status == 400
    assert "already answered" in again["detail"]
    with world.tenant.scope():
        assert SurveyResponse.objects.count() == 1


def test_staff_see_statuses_and_cannot_answer(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE, anonymous=True)
    invitation = open_invitation(world.tenant, survey, world.mentee)
    slug = world.tenant.slug
    coordinator = login(Client(), world.tenant.coordinator.user)
    listed = coordinator.get(
        reverse("api-survey-invitation-list", kwargs={"org_slug": slug}) + f"?survey={survey.pk}"
    ).json()["results"]
    assert [(row["person"], row["status"], row["answered_at"]) for row in listed] == [
        ("Eli Executive", "sent", None)
    ]
    assert set(listed[0]) >= {"status", "opens_on", "closes_on"}
    assert not {"answers", "response", "pseudonym"} & set(listed[0])
    url = reverse("api-survey-invitation-answer", kwargs={"org_slug": slug, "pk": invitation.pk})
    with world.tenant.scope():
        body = good_answers(survey, "mentee")
    status, error = _post(coordinator, url, body)
    assert status == 403
    assert error["detail"] == "This invitation is someone else's."
    # The partner does not see it at all.
    status, _ = _post(login(Client(), world.mentor_user), url, body)
    assert status == 404
    bad = coordinator.get(
        reverse("api-survey-invitation-list", kwargs={"org_slug": slug}) + "?status=maybe"
    )
    assert bad.status_code == 400
    with world.tenant.scope():
        assert SurveyResponse.objects.count() == 0
