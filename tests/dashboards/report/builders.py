"""A hand-built program for the impact report tests (no tests here), its figures counted below.

Seven mentees and five mentors, accepted. Anchor items "I feel confident using AI tools"
(``ai-confidence``) and "I feel heard by leadership" (``heard``) in an **attributed** pre survey and
an **anonymous** post survey, both with a free-text question:

- mentees 1-6 answer both waves: pre [2, 3, 3, 4, 2, 3], post [3, 4, 5, 4, 4, 3]; changes
  [1, 1, 2, 0, 2, 0]: n 6, mean 1.0, SD sqrt(4 / 5) = 0.894, SE 0.894 / sqrt(6) = 0.365,
  t(0.975, 5) = 2.571, 95 % CI 1.0 ± 0.939 = 0.06 to 1.94; pre mean 17 / 6 = 2.83,
  post mean 23 / 6 = 3.83;
- the five mentors answer it in both waves (3 → 4): n 5 (so neither role differs from "everyone"
  by fewer than k = 5);
- only three mentors answer ``heard`` (3 → 4): under the floor for mentors, none for mentees;
- objective "Mentees use AI tools with confidence" (mentees, target 4, no baseline): baseline the
  pre mean 2.83, progress (3.83 - 2.83) / (4 - 2.83) = 85.7 %;
- objective "Mentors feel heard by leadership" (mentors, target 4.5, anchor ``heard``): three
  pairs, under the floor.

Free text: mentee 1 (pre, attributed) allows quoting; mentee 2 (pre, attributed) does not; mentee 3
(post, anonymous) has the consent flag set directly in the database (the form never asks it):
the report must still not quote an anonymous survey.
"""

from __future__ import annotations

from surveys.models import QuestionKind, SurveyResponse, Wave
from tests.conftest import Tenant
from tests.surveys.results.builders import Cohort, add_survey, answer, cohort, likert, objective

AI = "I feel confident using AI tools"
HEARD = "I feel heard by leadership"
HOPE = "What do you hope will change?"
CHANGED = "What changed for you?"
OBJECTIVE = "Mentees use AI tools with confidence"
MENTOR_OBJECTIVE = "Mentors feel heard by leadership"
QUOTED = "I want to stop being afraid of the tools my team already uses."
NOT_QUOTED = "Please keep this private: my manager reads nothing I write."
ANONYMOUS = "Anonymous words that must never be quoted."
MENTEE_PRE = [2, 3, 3, 4, 2, 3]
MENTEE_POST = [3, 4, 5, 4, 4, 3]


def report_program(tenant: Tenant) -> Cohort:
    group = cohort(tenant, mentees=7, mentors=5)
    text = {"kind": QuestionKind.TEXT, "text": HOPE, "required": False}
    add_survey(group, Wave.PRE, [likert(AI, "ai-confidence"), likert(HEARD, "heard"), text])
    post_text = {"kind": QuestionKind.TEXT, "text": CHANGED, "required": False}
    add_survey(
        group,
        Wave.POST,
        [likert(AI, "ai-confidence"), likert(HEARD, "heard"), post_text],
        anonymous=True,
    )
    consenting: list[SurveyResponse] = []
    for i, (person, before, after) in enumerate(
        zip(group.mentees, MENTEE_PRE, MENTEE_POST, strict=False)
    ):
        pre_values: dict[str, object] = {AI: before}
        post_values: dict[str, object] = {AI: after}
        if i == 0:
            pre_values[HOPE] = QUOTED
        if i == 1:
            pre_values[HOPE] = NOT_QUOTED
        if i == 2:
            post_values[CHANGED] = ANONYMOUS
        pre = answer(group, Wave.PRE, person, pre_values)
        post = answer(group, Wave.POST, person, post_values)
        if i == 0:
            consenting.append(pre)
        if i == 2:
            consenting.append(post)  # anonymous: set here only to prove the report ignores it
    for i, person in enumerate(group.mentors):
        heard = i < 3
        answer(group, Wave.PRE, person, {AI: 3, HEARD: 3} if heard else {AI: 3})
        answer(group, Wave.POST, person, {AI: 4, HEARD: 4} if heard else {AI: 4})
    with tenant.scope():
        SurveyResponse.objects.filter(pk__in=[r.pk for r in consenting]).update(quote_consent=True)
    objective(group, OBJECTIVE, target="4", anchors=["ai-confidence"], audience="mentees")
    objective(group, MENTOR_OBJECTIVE, target="4.5", anchors=["heard"], audience="mentors")
    return group
