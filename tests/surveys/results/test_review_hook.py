"""The mid-program review's survey column (``feedback.hooks.review_pair_surveys``, filled by
``surveys.results.review``): each member's mid answers when the mid survey is attributed; nothing
per pair, only a note and the link to the aggregate results, when it is anonymous."""

from __future__ import annotations

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback import hooks
from matching.models import Pair
from surveys.models import QuestionKind, Wave
from surveys.results.review import ANONYMOUS_NOTE
from surveys.results.review import review_pair_surveys as fills
from tests.conftest import Tenant, login
from tests.feedback.test_engagement_builders import make_pair, running_program
from tests.surveys.results.builders import Cohort, add_survey, answer, likert, question

DURING_REVIEW = "2030-04-02 10:00Z"
FIT = "My partner and I are a good fit"
RHYTHM = "How often do you meet?"
HURDLES = "What gets in the way?"
HURDLE_TEXT = "My manager keeps moving our slot"


def _program(tenant: Tenant, *, anonymous: bool) -> tuple[Cohort, list[Pair]]:
    program = running_program(tenant)
    pairs = [make_pair(tenant, program) for _ in range(3)]
    with tenant.scope():
        pairs = list(
            Pair.objects.select_related("mentor__person", "mentee__person")
            .filter(pk__in=[p.pk for p in pairs])
            .order_by("pk")
        )
    group = Cohort(tenant, program, [p.mentee for p in pairs], [p.mentor for p in pairs])
    add_survey(
        group,
        Wave.MID,
        [
            likert(FIT, "fit"),
            question(QuestionKind.SINGLE, RHYTHM, choices=["Weekly", "Every two weeks"]),
            question(QuestionKind.TEXT, HURDLES, required=False),
        ],
        anonymous=anonymous,
    )
    first = pairs[0]
    answer(group, Wave.MID, first.mentee, {FIT: 4, RHYTHM: ["Weekly"], HURDLES: HURDLE_TEXT})
    answer(group, Wave.MID, first.mentor, {FIT: 2, RHYTHM: ["Every two weeks"]})
    return group, pairs


def _queue(tenant: Tenant, group: Cohort) -> str:
    url = reverse(
        "program_review", kwargs={"org_slug": tenant.slug, "program_pk": group.program.pk}
    )
    return login(Client(), tenant.coordinator.user).get(url).content.decode()


@time_machine.travel(DURING_REVIEW, tick=False)
def test_attributed_mid_answers_show_per_member_without_free_text(org_a: Tenant) -> None:
    group, pairs = _program(org_a, anonymous=False)
    html = _queue(org_a, group)
    first = pairs[0]
    assert "4 of 5 (Agree)" in html  # the mentee's fit
    assert "2 of 5 (Disagree)" in html  # the mentor's
    assert "Every two weeks" in html
    assert HURDLE_TEXT not in html  # free text never goes to the queue
    assert html.count("not answered yet") == 4  # the two other pairs' four people
    page = login(Client(), org_a.coordinator.user).get(
        reverse(
            "review_pair",
            kwargs={"org_slug": org_a.slug, "program_pk": group.program.pk, "pair_pk": first.pk},
        )
    )
    assert "4 of 5 (Agree)" in page.content.decode()


@time_machine.travel(DURING_REVIEW, tick=False)
def test_anonymous_mid_answers_show_nothing_per_pair(org_a: Tenant) -> None:
    group, pairs = _program(org_a, anonymous=True)
    html = _queue(org_a, group)
    assert "4 of 5" not in html
    assert "Weekly" not in html
    assert "not answered yet" not in html  # not even who answered
    assert HURDLE_TEXT not in html
    assert html.count(ANONYMOUS_NOTE) == 3
    results = reverse(
        "survey_results", kwargs={"org_slug": org_a.slug, "pk": group.surveys[Wave.MID].pk}
    )
    assert f'href="{results}"' in html
    pair_page = login(Client(), org_a.coordinator.user).get(
        reverse(
            "review_pair",
            kwargs={"org_slug": org_a.slug, "program_pk": group.program.pk, "pair_pk": pairs[0].pk},
        )
    )
    assert "4 of 5" not in pair_page.content.decode()
    assert ANONYMOUS_NOTE in pair_page.content.decode()


@time_machine.travel(DURING_REVIEW, tick=False)
def test_the_survey_column_costs_the_same_queries_for_more_pairs(org_a: Tenant) -> None:
    group, _pairs = _program(org_a, anonymous=False)
    client = login(Client(), org_a.coordinator.user)
    url = reverse("program_review", kwargs={"org_slug": org_a.slug, "program_pk": group.program.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(4):
        pair = make_pair(org_a, group.program)
        answer(group, Wave.MID, pair.mentee, {FIT: 5, RHYTHM: ["Weekly"]})
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_the_hook_is_registered_by_surveys() -> None:
    assert fills in list(hooks.review_pair_surveys)
