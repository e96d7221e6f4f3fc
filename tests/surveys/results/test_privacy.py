"""The privacy floor and its differencing rule (``surveys/privacy.py``): in the rule itself, then in
the results a viewer gets from the page, the API and the CSV export."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from surveys import privacy
from surveys.models import Wave
from surveys.results.aggregates import Filters, survey_results
from tests.conftest import Tenant, login
from tests.surveys.results.builders import Cohort, add_survey, answer, cohort, likert


def _counts(table: dict[tuple[str, ...], int]):  # type: ignore[no-untyped-def]
    return lambda names: table[tuple(sorted(names))]


def test_a_filter_leaving_out_fewer_than_k_is_suppressed() -> None:
    # 12 respondents; "department = Sales" selects 10: 10 ≥ 5, but the whole survey minus Sales
    # would give the answers of the other 2.
    counts = _counts({(): 12, ("department",): 10})
    decision = privacy.decide(counts, frozenset({"department"}), 5)
    assert not decision.shown
    assert "differs from a wider result" in decision.reason


@pytest.mark.parametrize(
    ("selected", "shown"),
    [(12, True), (7, True), (5, True), (4, False), (8, False), (11, False)],
)
def test_the_difference_must_be_zero_or_at_least_k(selected: int, shown: bool) -> None:
    counts = _counts({(): 12, ("role",): selected})
    assert privacy.decide(counts, frozenset({"role"}), 5).shown is shown


def test_every_coarser_query_counts_not_only_the_unfiltered_one() -> None:
    # Mentees in Sales: 6. All mentees: 8 (difference 2: the mentees outside Sales) → suppressed,
    # although the whole survey (20) and all of Sales (12) are far enough away.
    counts = _counts({(): 20, ("role",): 8, ("department",): 12, ("department", "role"): 6})
    assert not privacy.decide(counts, frozenset({"role", "department"}), 5).shown
    counts = _counts({(): 20, ("role",): 11, ("department",): 12, ("department", "role"): 6})
    assert privacy.decide(counts, frozenset({"role", "department"}), 5).shown


def _twelve(tenant: Tenant) -> Cohort:
    """12 mentees answered the pre survey: 10 in Sales, 2 in Legal."""
    group = cohort(
        tenant, mentees=12, departments=["Sales"] * 5 + ["Legal"] + ["Sales"] * 5 + ["Legal"]
    )
    add_survey(group, Wave.PRE, [likert("I feel confident using AI tools", "ai-confidence")])
    for i, person in enumerate(group.mentees):
        answer(group, Wave.PRE, person, {"I feel confident using AI tools": 1 + i % 5})
    return group


def test_twelve_respondents_and_a_filter_selecting_ten_is_suppressed(org_a: Tenant) -> None:
    group = _twelve(org_a)
    survey = group.surveys[Wave.PRE]
    with org_a.scope():
        whole = survey_results(survey, k=5)
        sales = survey_results(survey, k=5, filters=Filters(department="Sales"))
        by_department = survey_results(survey, k=5, breakdown_by="department")
        loose = survey_results(survey, k=2, filters=Filters(department="Sales"))
    [[question]] = [v.questions for v in whole.versions]
    assert (question.shown, question.n, whole.respondents) == (True, 12, 12)
    [[filtered]] = [v.questions for v in sales.versions]
    assert not filtered.shown
    assert (filtered.n, filtered.mean, filtered.distribution) == (None, None, [])
    assert filtered.note == privacy.TOO_FEW
    assert sales.respondents is None
    # Broken down: Legal has 2 (< 5), Sales differs from everyone by 2: both cells suppressed.
    [[broken]] = [v.questions for v in by_department.versions]
    assert [(c.label, c.shown, c.n, c.mean) for c in broken.breakdown] == [
        ("Legal", False, None, None),
        ("Sales", False, None, None),
    ]
    # With k = 2 the same filter is shown (the difference, 2, is now ≥ k).
    [[shown]] = [v.questions for v in loose.versions]
    assert (shown.shown, shown.n) == (True, 10)


def test_the_api_and_the_export_obey_the_floor(org_a: Tenant) -> None:
    group = _twelve(org_a)
    survey = group.surveys[Wave.PRE]
    client = login(Client(), org_a.admin.user)
    kwargs = {"org_slug": org_a.slug, "pk": survey.pk}
    body = client.get(reverse("api-survey-results", kwargs=kwargs) + "?department=Sales").json()
    [question] = body["versions"][0]["questions"]
    assert question["shown"] is False
    assert question["note"] == privacy.TOO_FEW
    assert (question["n"], question["mean"], question["median"], question["distribution"]) == (
        None,
        None,
        None,
        [],
    )
    assert body["respondents"] is None
    export = client.get(reverse("survey_results_csv", kwargs=kwargs) + "?department=Sales")
    text = export.content.decode()
    assert export.status_code == 200
    assert privacy.TOO_FEW in text
    lines = text.strip().splitlines()
    assert len(lines) == 2  # the header and the one suppressed question: no option counts
    page = client.get(reverse("survey_results", kwargs=kwargs) + "?department=Sales")
    html = page.content.decode()
    assert "Too few answers to show" in html
    assert "Strongly agree</th>" not in html  # no distribution table
    # Unfiltered, everything is there.
    body = client.get(reverse("api-survey-results", kwargs=kwargs)).json()
    assert body["versions"][0]["questions"][0]["n"] == 12


def test_the_organisation_setting_is_the_floor(org_a: Tenant) -> None:
    group = _twelve(org_a)
    org_a.organization.min_aggregate_size = 13
    org_a.organization.save(update_fields=["min_aggregate_size"])
    client = login(Client(), org_a.admin.user)
    url = reverse(
        "api-survey-results", kwargs={"org_slug": org_a.slug, "pk": group.surveys[Wave.PRE].pk}
    )
    body = client.get(url).json()
    assert body["min_aggregate_size"] == 13
    assert body["versions"][0]["questions"][0]["shown"] is False
