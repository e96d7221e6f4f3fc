"""What the impact report reads beyond the program dashboard: quotes and published stories.

**Quotes** come only from free-text answers to **attributed** surveys whose author ticked "you may
quote my written answers" (``SurveyResponse.quote_consent``, asked by the answering form). An
anonymous survey's answers are never quoted: a sentence can identify its writer, and the survey
promised no link to them. A quote shows the author's role and the wave, never their name.

**Stories** are ``feedback.actions.selectors.published_stories`` (both members agreed).
"""

from __future__ import annotations

from dataclasses import dataclass

from feedback.actions.selectors import published_stories
from feedback.models import SuccessStory
from programs.models import Program
from surveys.models import WAVE_ORDER, QuestionKind, SurveyAnswer, Wave

QUOTES_LIMIT = 20
STORIES_LIMIT = 10
WAVE_LABELS = dict(Wave.choices)
ROLE_LABELS = {"mentee": "A mentee", "mentor": "A mentor"}


@dataclass(frozen=True)
class Quote:
    text: str
    author: str  # "A mentee" / "A mentor": never a name
    wave: str
    question: str


def consented_quotes(program: Program, *, limit: int = QUOTES_LIMIT) -> list[Quote]:
    """Free-text answers to the program's attributed surveys whose author allowed quoting, in wave
    order (one query)."""
    rows = (
        SurveyAnswer.objects.filter(
            response__survey__program=program,
            response__survey__anonymous=False,
            response__respondent__isnull=False,
            response__quote_consent=True,
            question__kind=QuestionKind.TEXT,
        )
        .exclude(text="")
        .values_list("text", "response__role", "response__survey__wave", "question__text")
        .order_by("response__submitted_at", "question__position", "id")
    )
    quotes = [
        Quote(text, ROLE_LABELS.get(role, "A participant"), str(WAVE_LABELS[wave]), question)
        for text, role, wave, question in rows
    ]
    quotes.sort(key=lambda quote: _wave_rank(quote.wave))
    return quotes[:limit]


def _wave_rank(label: str) -> int:
    by_label = {str(WAVE_LABELS[wave]): index for index, wave in enumerate(WAVE_ORDER)}
    return by_label.get(label, len(WAVE_ORDER))


def report_stories(program: Program, *, limit: int = STORIES_LIMIT) -> list[SuccessStory]:
    return list(published_stories(program)[:limit])
