"""The respondent's form: one field per question of a survey version, for one audience.

One form serves every place a survey is answered or shown: the signed-link page, the signed-in
page, the API (which binds it to the JSON body: ``{"q<question id>": value}``) and the builder's
preview. Its fields are the rules of an answer: a required question left out, a point off the
scale, an option the question does not offer, a number out of range or text over the bound are
field errors (400), and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms

from programs.models import Audience
from surveys.models import TEXT_ANSWER_MAX_LENGTH, Question, QuestionKind

NPS_LOW, NPS_HIGH = "Not at all likely", "Extremely likely"


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def audience_of(role: str) -> str:
    """The question audience that includes a respondent of ``role`` ("mentor" or "mentee")."""
    return Audience.MENTORS if role == "mentor" else Audience.MENTEES


def questions_for(questions: Iterable[Question], role: str | None) -> list[Question]:
    """The questions a respondent of ``role`` is asked (all of them when ``role`` is None: the
    builder's preview of "both")."""
    if role is None:
        return list(questions)
    audience = audience_of(role)
    return [q for q in questions if q.audience in (Audience.BOTH, audience)]


@dataclass(frozen=True)
class CleanAnswer:
    question: Question
    number: Decimal | None = None
    choices: list[str] = field(default_factory=list)
    text: str = ""


def _likert_choices(question: Question) -> list[tuple[int, str]]:
    points = question.scale_points or 5
    labels = list(question.labels or [])
    return [
        (i, f"{i} · {labels[i - 1]}" if i - 1 < len(labels) and labels[i - 1] else str(i))
        for i in range(1, points + 1)
    ]


def _field_for(question: Question) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.text,
        "required": question.required,
        "help_text": question.help_text,
    }
    kind = question.kind
    if kind == QuestionKind.LIKERT:
        return forms.TypedChoiceField(
            choices=_likert_choices(question), coerce=int, widget=forms.RadioSelect, **common
        )
    if kind == QuestionKind.NPS:
        help_text = question.help_text or f"0 = {NPS_LOW}, 10 = {NPS_HIGH}"
        common["help_text"] = help_text
        return forms.TypedChoiceField(
            choices=[(i, str(i)) for i in range(11)],
            coerce=int,
            widget=forms.RadioSelect(attrs={"class": "scale-inline"}),
            **common,
        )
    if kind == QuestionKind.SINGLE:
        options = [(str(c), str(c)) for c in question.choices or []]
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.MULTIPLE:
        options = [(str(c), str(c)) for c in question.choices or []]
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.NUMBER:
        return forms.DecimalField(
            min_value=question.min_value,
            max_value=question.max_value,
            max_digits=12,
            decimal_places=2,
            **common,
        )
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_ANSWER_MAX_LENGTH,
        strip=True,
        **common,
    )


QUOTE_CONSENT = "quote_consent"
QUOTE_CONSENT_LABEL = (
    "You may quote my written answers, without my name, in the program's impact report."
)


def asks_quote_consent(*, anonymous: bool, questions: Iterable[Question]) -> bool:
    """Whether the form asks "may we quote you": attributed surveys with a free-text question.
    An anonymous survey never does (a quote must not be traced back, nor consent recorded)."""
    return not anonymous and any(q.kind == QuestionKind.TEXT for q in questions)


class AnswerForm(forms.Form):
    """Bound to a version's questions for one respondent (``questions_for`` picks them), with an
    optional "may we quote you" box when ``ask_quote_consent`` (``asks_quote_consent``)."""

    def __init__(
        self,
        questions: Sequence[Question],
        *args: Any,
        ask_quote_consent: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[field_name(question)] = _field_for(question)
        if ask_quote_consent:
            self.fields[QUOTE_CONSENT] = forms.BooleanField(
                label=QUOTE_CONSENT_LABEL, required=False
            )

    def quote_consent_field(self) -> forms.BoundField | None:
        return self[QUOTE_CONSENT] if QUOTE_CONSENT in self.fields else None

    @property
    def quote_consent(self) -> bool:
        """The respondent's yes to being quoted (False when not asked or left unticked)."""
        return QUOTE_CONSENT in self.fields and bool(self.cleaned_data.get(QUOTE_CONSENT))

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Questions grouped under their section titles, in order (a new group whenever the
        section changes)."""
        grouped: list[tuple[str, list[forms.BoundField]]] = []
        for question in self.questions:
            bound = self[field_name(question)]
            if not grouped or grouped[-1][0] != question.section:
                grouped.append((question.section, []))
            grouped[-1][1].append(bound)
        return grouped

    def answers(self) -> list[CleanAnswer]:
        """The valid form's answers; questions left empty (optional ones) give none."""
        result: list[CleanAnswer] = []
        for question in self.questions:
            value = self.cleaned_data.get(field_name(question))
            if value in (None, "", []):
                continue
            if question.kind in (QuestionKind.LIKERT, QuestionKind.NPS):
                result.append(CleanAnswer(question, number=Decimal(int(value))))
            elif question.kind == QuestionKind.NUMBER:
                result.append(CleanAnswer(question, number=Decimal(value)))
            elif question.kind == QuestionKind.SINGLE:
                result.append(CleanAnswer(question, choices=[str(value)]))
            elif question.kind == QuestionKind.MULTIPLE:
                result.append(CleanAnswer(question, choices=[str(v) for v in value]))
            else:
                result.append(CleanAnswer(question, text=str(value)))
        return result
