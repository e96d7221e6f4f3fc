"""The mid-program review's survey column (``feedback.hooks.review_pair_surveys``), as the anonymity
rules allow:

- **attributed** mid survey: each pair member's answers to its numeric and choice questions (never
  free text), or "not answered yet";
- **anonymous** mid survey: nothing per pair (not even who answered), a note saying so and the link
  to the survey's aggregate results, which are under the privacy floor;
- no mid survey: a note.

Two or three queries per page, whatever the number of pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.urls import reverse

from matching.models import Pair
from organizations.models import Membership
from programs.models import Program
from surveys import access
from surveys.models import QuestionKind, Survey, SurveyAnswer, Wave

ANONYMOUS_NOTE = "The mid-program survey is anonymous: no answers are shown per pair."
NO_SURVEY_NOTE = "This program has no mid-program survey."
NOT_PERMITTED_NOTE = "Mid-survey answers are not shown to you."
SHOWN_KINDS = (
    QuestionKind.LIKERT,
    QuestionKind.NPS,
    QuestionKind.NUMBER,
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
)
ROLE_NAMES = {"mentor": "Mentor", "mentee": "Mentee"}


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _answer_text(kind: str, points: int | None, labels: Any, number: Any, choices: Any) -> str:
    if kind == QuestionKind.LIKERT and number is not None:
        point = int(number)
        names = list(labels or [])
        label = names[point - 1] if 0 < point <= len(names) and names[point - 1] else ""
        return f"{point} of {points or 5}" + (f" ({label})" if label else "")
    if kind == QuestionKind.NPS and number is not None:
        return f"{int(number)} of 10"
    if number is not None:
        return _number(Decimal(number))
    return ", ".join(str(choice) for choice in choices or []) or "—"


def review_pair_surveys(
    *, program: Program, membership: Membership, org_slug: str, pairs: Sequence[Pair]
) -> dict[str, Any]:
    survey = Survey.objects.filter(program=program, wave=Wave.MID).first()
    if survey is None:
        return {"surveys_note": NO_SURVEY_NOTE}
    policy = access.survey_access(membership, survey)
    if not policy.allows(access.RESULTS):
        return {"surveys_note": NOT_PERMITTED_NOTE}
    link = reverse("survey_results", kwargs={"org_slug": org_slug, "pk": survey.pk})
    if survey.anonymous:
        return {"surveys_note": ANONYMOUS_NOTE, "surveys_link": link}
    members = {
        enrollment.pk: enrollment
        for pair in pairs
        for enrollment in (pair.mentor, pair.mentee)
        if enrollment is not None
    }
    answered: set[int] = set()
    answers: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = (
        SurveyAnswer.objects.filter(
            response__survey=survey,
            response__respondent_id__in=list(members),
            question__kind__in=SHOWN_KINDS,
        )
        .values_list(
            "response__respondent_id",
            "question__text",
            "question__kind",
            "question__scale_points",
            "question__labels",
            "number",
            "choices",
        )
        .order_by("question__position", "question_id")
    )
    for respondent, text, kind, points, labels, number, choices in rows:
        answered.add(respondent)
        answers[respondent].append((text, _answer_text(kind, points, labels, number, choices)))
    per_pair: dict[int, list[dict[str, Any]]] = {}
    for pair in pairs:
        per_pair[pair.pk] = [
            {
                "name": enrollment.person.full_name,
                "role": ROLE_NAMES[role],
                "answered": enrollment.pk in answered,
                "answers": answers.get(enrollment.pk, []),
            }
            for role, enrollment in (("mentor", pair.mentor), ("mentee", pair.mentee))
        ]
    return {"pair_surveys": per_pair, "surveys_note": "", "surveys_link": link}
