"""One survey's results per question (page, API, CSV): distribution, mean and median; free text
only for attributed surveys; who may see them; bad filters."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from organizations.models import Role
from surveys.models import (
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    Wave,
)
from tests.conftest import Tenant, login
from tests.factories import make_member
from tests.surveys.results.builders import Cohort, add_survey, answer, cohort, likert, question

CONFIDENCE = "I feel confident using AI tools"
CHANGED = "What changed in how you work?"
FORMAT = "How did you meet?"
SECRET_TEXT = "Only the admins should ever read this sentence"
# Six mentees' Likert answers: 1, 2, 4, 4, 5, 5 → mean 21 / 6 = 3.5; median (4 + 4) / 2 = 4.0;
# distribution 1:1, 2:1, 3:0, 4:2, 5:2 (16.7 %, 16.7 %, 0 %, 33.3 %, 33.3 %).
POINTS = [1, 2, 4, 4, 5, 5]


def _survey(tenant: Tenant, *, anonymous: bool) -> Cohort:
    group = cohort(tenant, mentees=6)
    add_survey(
        group,
        Wave.POST,
        [
            likert(CONFIDENCE, "ai-confidence"),
            question(QuestionKind.SINGLE, FORMAT, choices=["Video", "In person"]),
            question(QuestionKind.TEXT, CHANGED, required=False),
        ],
        anonymous=anonymous,
    )
    for i, (person, point) in enumerate(zip(group.mentees, POINTS, strict=True)):
        values: dict[str, object] = {
            CONFIDENCE: point,
            FORMAT: ["Video" if i < 4 else "In person"],
        }
        if i == 0:
            values[CHANGED] = SECRET_TEXT
        answer(group, Wave.POST, person, values)
    return group


def _urls(tenant: Tenant, group: Cohort) -> dict[str, str]:
    kwargs = {"org_slug": tenant.slug, "pk": group.surveys[Wave.POST].pk}
    return {
        name: reverse(name, kwargs=kwargs)
        for name in ("survey_results", "survey_results_csv", "api-survey-results")
    }


def test_distribution_mean_and_median_by_hand(org_a: Tenant) -> None:
    group = _survey(org_a, anonymous=False)
    urls = _urls(org_a, group)
    body = login(Client(), org_a.coordinator.user).get(urls["api-survey-results"]).json()
    by_text = {q["text"]: q for q in body["versions"][0]["questions"]}
    likert_result = by_text[CONFIDENCE]
    assert (likert_result["n"], likert_result["mean"], likert_result["median"]) == (6, 3.5, 4.0)
    assert [(b["count"], b["percent"]) for b in likert_result["distribution"]] == [
        (1, 16.7),
        (1, 16.7),
        (0, 0.0),
        (2, 33.3),
        (2, 33.3),
    ]
    assert likert_result["distribution"][4]["answer"] == "5 · Strongly agree"
    choice = by_text[FORMAT]
    assert [(b["answer"], b["count"]) for b in choice["distribution"]] == [
        ("Video", 4),
        ("In person", 2),
    ]
    assert body["respondents"] == 6


def test_free_text_of_an_attributed_survey_reaches_its_staff_but_never_the_export(
    org_a: Tenant,
) -> None:
    group = _survey(org_a, anonymous=False)
    urls = _urls(org_a, group)
    client = login(Client(), org_a.coordinator.user)
    # One written answer: its question is under the floor (1 < 5), so its text is not shown.
    body = client.get(urls["api-survey-results"]).json()
    text_result = next(q for q in body["versions"][0]["questions"] if q["kind"] == "text")
    assert text_result["shown"] is False
    assert SECRET_TEXT not in client.get(urls["survey_results"]).content.decode()


def test_free_text_is_shown_for_attributed_surveys_over_the_floor(org_a: Tenant) -> None:
    group = _survey(org_a, anonymous=False)
    for person in group.mentees[1:]:
        with org_a.scope():
            response = SurveyResponse.objects.get(respondent=person)
            SurveyAnswer.objects.create(
                response=response,
                question=Question.objects.get(text=CHANGED),
                text=f"Answer of {person.pk}",
            )
    urls = _urls(org_a, group)
    client = login(Client(), org_a.coordinator.user)
    body = client.get(urls["api-survey-results"]).json()
    text_result = next(q for q in body["versions"][0]["questions"] if q["kind"] == "text")
    assert text_result["shown"] is True
    assert SECRET_TEXT in text_result["texts"]
    assert text_result["texts_total"] == 6
    assert SECRET_TEXT in client.get(urls["survey_results"]).content.decode()
    assert SECRET_TEXT not in client.get(urls["survey_results_csv"]).content.decode()


def test_no_free_text_of_an_anonymous_survey_anywhere(org_a: Tenant) -> None:
    group = _survey(org_a, anonymous=True)
    for person in group.mentees[1:]:
        with org_a.scope():
            response = SurveyResponse.objects.filter(respondent__isnull=True).exclude(
                answers__question__text=CHANGED
            )[0]
            SurveyAnswer.objects.create(
                response=response,
                question=Question.objects.get(text=CHANGED),
                text=f"Anonymous answer {person.pk}",
            )
    urls = _urls(org_a, group)
    client = login(Client(), org_a.admin.user)
    page = client.get(urls["survey_results"]).content.decode()
    api = client.get(urls["api-survey-results"]).json()
    export = client.get(urls["survey_results_csv"]).content.decode()
    for body in (page, str(api), export):
        assert SECRET_TEXT not in body
        assert "Anonymous answer" not in body
    text_result = next(q for q in api["versions"][0]["questions"] if q["kind"] == "text")
    assert (text_result["shown"], text_result["n"], text_result["texts"]) == (True, 6, None)
    assert "Free-text answers of an anonymous survey are never shown." in page
    # The aggregates are there all the same.
    assert api["versions"][0]["questions"][0]["mean"] == 3.5


def test_the_export_is_a_csv_of_the_aggregates(org_a: Tenant) -> None:
    group = _survey(org_a, anonymous=False)
    response = login(Client(), org_a.admin.user).get(_urls(org_a, group)["survey_results_csv"])
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    summary = next(r for r in rows if r["question"] == CONFIDENCE and r["answer"] == "")
    assert (summary["n"], summary["mean"], summary["median"]) == ("6", "3.5", "4")
    four = next(r for r in rows if r["answer"] == "4 · Agree")
    assert (four["count"], four["percent"]) == ("2", "33.3")


def test_breakdown_by_role_is_floored_per_cell(org_a: Tenant) -> None:
    group = cohort(org_a, mentees=6, mentors=5)
    add_survey(group, Wave.MID, [likert(CONFIDENCE)])
    for person in group.people:
        answer(group, Wave.MID, person, {CONFIDENCE: 4 if person.role == "mentee" else 2})
    url = reverse(
        "api-survey-results", kwargs={"org_slug": org_a.slug, "pk": group.surveys[Wave.MID].pk}
    )
    body = login(Client(), org_a.admin.user).get(url + "?by=role").json()
    cells = body["versions"][0]["questions"][0]["breakdown"]
    assert [(c["group"], c["shown"], c["n"], c["mean"]) for c in cells] == [
        ("Mentees", True, 6, 4.0),
        ("Mentors", True, 5, 2.0),
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?role=ceo", "role"),
        ("?level=abc", "level"),
        ("?by=shoe-size", "by"),
        ("?group=x", "group"),
    ],
)
def test_bad_filters_are_400_with_field_messages(org_a: Tenant, query: str, field: str) -> None:
    group = _survey(org_a, anonymous=False)
    urls = _urls(org_a, group)
    client = login(Client(), org_a.admin.user)
    api = client.get(urls["api-survey-results"] + query)
    assert api.status_code == 400
    assert field in api.json()["fields"]
    assert client.get(urls["survey_results"] + query).status_code == 400
    assert client.get(urls["survey_results_csv"] + query).status_code == 400


def test_who_may_see_a_surveys_results(org_a: Tenant) -> None:
    group = _survey(org_a, anonymous=False)
    urls = _urls(org_a, group)
    other = make_member(org_a.organization, role=Role.COORDINATOR, email="other@acme.test")
    for user, expected in (
        (org_a.admin.user, 200),
        (org_a.coordinator.user, 200),  # assigned to the program
        (other.user, 404),  # a coordinator of other programs cannot tell it exists
        (org_a.member.user, 404),  # a member neither
    ):
        client = login(Client(), user)
        for url in urls.values():
            assert client.get(url).status_code == expected, (user.email, url)
    # Even with bad filters, who may not see the survey gets 404, never the field messages.
    client = login(Client(), other.user)
    assert client.get(urls["api-survey-results"] + "?role=ceo").status_code == 404


def test_a_template_has_no_results(org_a: Tenant) -> None:
    with org_a.scope():
        template = Survey.objects.create(organization=org_a.organization, wave=Wave.PRE, title="T")
    client = login(Client(), org_a.admin.user)
    url = reverse("api-survey-results", kwargs={"org_slug": org_a.slug, "pk": template.pk})
    assert client.get(url).status_code == 404
