"""A program's outcomes: response rates, paired change per anchor item (mentees and mentors apart,
attributed pre paired with anonymous post by pseudonym), objectives' progress, the floor, and a
pinned number of queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Role
from surveys.models import InvitationStatus, SurveyResponse, Wave
from tests.conftest import Tenant, login
from tests.factories import make_member
from tests.surveys.results.builders import (
    Cohort,
    add_survey,
    answer,
    cohort,
    invite,
    likert,
    objective,
)

AI = "I feel confident using AI tools"
# Mentees 1-6 answer both waves; mentee 7 is invited to the pre survey but answers the post only.
MENTEE_PRE = [2, 3, 3, 4, 2, 3]
MENTEE_POST = [3, 4, 5, 4, 4, 3, 5]
# changes [1, 1, 2, 0, 2, 0]: mean 6 / 6 = 1.0; pre mean 17 / 6 = 2.833; post mean 23 / 6 = 3.833
MENTOR_PRE = [3, 3, 3, 3, 3]
MENTOR_POST = [4, 4, 4, 4, 4]  # every mentor +1: no spread


def _program(tenant: Tenant) -> Cohort:
    group = cohort(tenant, mentees=7, mentors=5)
    add_survey(group, Wave.PRE, [likert(AI, "ai-confidence")])
    add_survey(group, Wave.POST, [likert(AI, "ai-confidence")], anonymous=True)
    for person, point in zip(group.mentees, MENTEE_PRE, strict=False):
        answer(group, Wave.PRE, person, {AI: point})
    invite(group, Wave.PRE, group.mentees[6], InvitationStatus.SENT)
    for person, point in zip(group.mentees, MENTEE_POST, strict=True):
        answer(group, Wave.POST, person, {AI: point})
    for person, before, after in zip(group.mentors, MENTOR_PRE, MENTOR_POST, strict=True):
        answer(group, Wave.PRE, person, {AI: before})
        answer(group, Wave.POST, person, {AI: after})
    return group


def _api(tenant: Tenant, group: Cohort, user=None):  # type: ignore[no-untyped-def]
    url = reverse(
        "api-program-outcomes", kwargs={"org_slug": tenant.slug, "program_pk": group.program.pk}
    )
    return login(Client(), user or tenant.admin.user).get(url)


def test_anonymous_post_answers_pair_with_attributed_pre_answers_by_pseudonym(
    org_a: Tenant,
) -> None:
    group = _program(org_a)
    with org_a.scope():
        post = SurveyResponse.objects.filter(survey=group.surveys[Wave.POST])
        assert not post.filter(respondent__isnull=False).exists()  # no link to the person
    body = _api(org_a, group).json()
    [anchor] = body["anchors"]
    assert anchor["item"]["key"] == "ai-confidence"
    changes = {(c["since"], c["until"], c["role"]): c for c in anchor["changes"]}
    mentees = changes["pre", "post", "mentee"]["result"]
    assert mentees["n"] == 6  # mentee 7 answered the post only: not paired
    assert mentees["mean_change"] == pytest.approx(1.0)
    assert mentees["mean_pre"] == pytest.approx(17 / 6)
    assert mentees["test"] == "wilcoxon"  # Likert answers are ordinal
    assert mentees["sentence"].startswith(f"“{AI}” rose 1.0 point on a 5-point scale, 95 % CI ")
    mentors = changes["pre", "post", "mentor"]["result"]
    assert (mentors["n"], mentors["mean_change"], mentors["sd_change"]) == (5, 1.0, 0.0)
    assert (
        mentors["sentence"]
        == f"“{AI}” rose 1.0 point on a 5-point scale for every one of the n = 5 people."
    )


def test_objective_progress_against_the_target(org_a: Tenant) -> None:
    group = _program(org_a)
    objective(group, "Executives use AI tools confidently", target="4.5", anchors=["ai-confidence"])
    objective(
        group,
        "Executives use AI tools, from a known baseline",
        target="4.0",
        baseline="2.0",
        anchors=["ai-confidence"],
    )
    body = _api(org_a, group).json()
    first, second = body["objectives"]
    [progress] = first["progress"]
    # No baseline on the objective: the pre mean 17/6; post mean 23/6; target 4.5 = 27/6:
    # (23/6 - 17/6) / (27/6 - 17/6) = 6/10 = 60 %
    assert progress["baseline_source"] == "pre mean"
    assert progress["baseline"] == pytest.approx(17 / 6)
    assert progress["post_mean"] == pytest.approx(23 / 6)
    assert progress["percent"] == 60.0
    assert progress["change"]["result"]["n"] == 6  # the objective's audience: mentees
    # Baseline 2.0, target 4.0: (23/6 - 2) / (4 - 2) = (11/6) / 2 = 0.9167 → 91.7 %
    [progress] = second["progress"]
    assert (progress["baseline"], progress["percent"]) == (2.0, 91.7)
    page = login(Client(), org_a.coordinator.user).get(
        reverse("program_outcomes", kwargs={"org_slug": org_a.slug, "program_pk": group.program.pk})
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "60 %" in html
    assert "92 %" in html
    assert "Executives use AI tools confidently" in html
    assert f"“{AI}” rose 1.0 point on a 5-point scale, 95 % CI" in html


def test_response_rates_per_wave_role_and_program(org_a: Tenant) -> None:
    group = _program(org_a)
    rates = _api(org_a, group).json()["rates"]
    pre, post = rates["waves"]
    assert (pre["wave"], pre["total"]["invited"], pre["total"]["answered"]) == ("pre", 12, 11)
    assert [(r["group"], r["invited"], r["answered"]) for r in pre["by_role"]] == [
        ("Mentees", 7, 6),
        ("Mentors", 5, 5),
    ]
    assert (post["total"]["answered"], post["total"]["percent"]) == (12, 100.0)
    assert (rates["program"]["invited"], rates["program"]["answered"]) == (24, 23)
    assert rates["program"]["percent"] == pytest.approx(95.8)


def test_a_role_is_suppressed_when_everyone_minus_it_is_under_the_floor(org_a: Tenant) -> None:
    group = _program(org_a)
    org_a.organization.min_aggregate_size = 6
    org_a.organization.save(update_fields=["min_aggregate_size"])
    [anchor] = _api(org_a, group).json()["anchors"]
    changes = {c["role"]: c for c in anchor["changes"]}
    # Mentors: 5 pairs < 6. Mentees: 6 pairs, but all 11 pairs minus them leaves 5 < 6.
    assert changes["mentor"]["shown"] is False
    assert changes["mentor"]["result"] is None
    assert changes["mentee"]["shown"] is False
    assert changes["mentee"]["result"] is None
    export = login(Client(), org_a.admin.user).get(
        reverse(
            "program_outcomes_csv",
            kwargs={"org_slug": org_a.slug, "program_pk": group.program.pk},
        )
    )
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    changed = [r for r in rows if r["section"] == "paired change"]
    assert {r["sentence"] for r in changed} == {"too few answers to show"}
    assert {r["answered_or_mean_change"] for r in changed} == {""}


def test_who_may_see_the_outcomes(org_a: Tenant) -> None:
    group = _program(org_a)
    other = make_member(org_a.organization, role=Role.COORDINATOR, email="other@acme.test")
    kwargs = {"org_slug": org_a.slug, "program_pk": group.program.pk}
    for user, expected in (
        (org_a.admin.user, 200),
        (org_a.coordinator.user, 200),
        (other.user, 404),
        (org_a.member.user, 404),
    ):
        client = login(Client(), user)
        for name in ("program_outcomes", "program_outcomes_csv", "api-program-outcomes"):
            assert client.get(reverse(name, kwargs=kwargs)).status_code == expected, (name, user)


def test_outcomes_queries_do_not_grow_with_respondents(org_a: Tenant) -> None:
    group = _program(org_a)
    objective(group, "Executives use AI tools confidently", target="4.5", anchors=["ai-confidence"])
    client = login(Client(), org_a.coordinator.user)
    url = reverse(
        "api-program-outcomes", kwargs={"org_slug": org_a.slug, "program_pk": group.program.pk}
    )
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    more = cohort(org_a, mentees=6)
    for person in more.mentees:  # the same program's surveys, six more people
        person.program = group.program
    with org_a.scope():
        for person in more.mentees:
            person.save(update_fields=["program"])
    for person in more.mentees:
        answer(group, Wave.PRE, person, {AI: 2})
        answer(group, Wave.POST, person, {AI: 3})
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
    # Organisation, session, user, membership (4; the RLS settings ride with the statements); the
    # program (1), its surveys (1), the survey policy's coordinator check (1); rates, anchor
    # items, anchor answers, objective links, objectives (5).
    assert len(large) == 12, "\n".join(q["sql"][:100] for q in large.captured_queries)


def test_survey_results_queries_do_not_grow_with_respondents(org_a: Tenant) -> None:
    group = _program(org_a)
    client = login(Client(), org_a.admin.user)
    url = reverse(
        "api-survey-results", kwargs={"org_slug": org_a.slug, "pk": group.surveys[Wave.PRE].pk}
    )
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url + "?by=role").status_code == 200
    more = cohort(org_a, mentees=5)
    with org_a.scope():
        for person in more.mentees:
            person.program = group.program
            person.save(update_fields=["program"])
    for person in more.mentees:
        answer(group, Wave.PRE, person, {AI: 2})
    with CaptureQueriesContext(connection) as large:
        assert client.get(url + "?by=role").status_code == 200
    assert len(large) == len(small)
    # Organisation, session, user, membership (4; the RLS settings ride with the statements); the
    # survey (1); questions, responses, numeric answers (3). Choice and text answers have a query
    # each only when the survey has such questions (this one has none).
    assert len(large) == 8, "\n".join(q["sql"][:150] for q in large.captured_queries)
