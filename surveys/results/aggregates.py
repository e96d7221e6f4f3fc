"""One program survey's results per question: distribution, mean and median, free text where the
policy allows, filtered and broken down under the privacy floor (``surveys/privacy.py``).

Reads are few and flat (questions, responses, answers: ``values_list``), whatever the number of
respondents; everything else is numpy over those rows. Free text is read only when the caller
passes ``with_text=True`` (the policy's ``survey.results.text``: attributed surveys only), and
never for an anonymous survey whatever the caller says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import FloatField, Q, TextField
from django.db.models.functions import Cast

from surveys import privacy
from surveys.models import Question, QuestionKind, Survey, SurveyAnswer, SurveyResponse
from surveys.results.rows import plain_rows

TEXT_LIMIT = (
    200  # free-text answers listed per question (in no particular order: responses have none)
)
DIMENSIONS = ("role", "department", "level", "group")
DIMENSION_LABELS = {
    "role": "Role",
    "department": "Department",
    "level": "Level",
    "group": "Demographic group",
}
ROLE_LABELS = {"mentor": "Mentors", "mentee": "Mentees"}


@dataclass(frozen=True)
class Filters:
    """Conditions on the respondents. ``group`` is a consented demographic "key:value"."""

    role: str = ""
    department: str = ""
    level: int | None = None
    group: str = ""

    def conditions(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "role": self.role,
            "department": self.department,
            "level": self.level,
            "group": self.group,
        }
        return {name: value for name, value in values.items() if value not in ("", None)}

    @property
    def active(self) -> bool:
        return bool(self.conditions())

    def describe(self) -> str:
        parts = []
        for name, value in self.conditions().items():
            shown = ROLE_LABELS.get(value, value) if name == "role" else value
            parts.append(f"{DIMENSION_LABELS[name].lower()} {shown}")
        return ", ".join(parts)


class Respondents:
    """The survey's responses as parallel arrays (one row per response)."""

    def __init__(self, rows: Iterable[tuple[str, str, str, int | None, Any]]) -> None:
        ids: list[str] = []
        roles: list[str] = []
        departments: list[str] = []
        levels: list[int | None] = []
        self.demographics: list[dict[str, Any]] = []
        for pk, role, department, level, demographics in rows:
            ids.append(pk)
            roles.append(role)
            departments.append(department)
            levels.append(level)
            self.demographics.append(demographics if isinstance(demographics, dict) else {})
        self.index = {pk: i for i, pk in enumerate(ids)}
        self.size = len(ids)
        self.role = np.array(roles, dtype=object)
        self.department = np.array(departments, dtype=object)
        self.level = np.array(levels, dtype=object)

    def condition(self, dimension: str, value: Any) -> np.ndarray:
        if dimension == "role":
            return np.asarray(self.role == value, dtype=bool)
        if dimension == "department":
            return np.asarray(self.department == value, dtype=bool)
        if dimension == "level":
            return np.asarray(self.level == value, dtype=bool)
        key, _, wanted = str(value).partition(":")
        return np.array([str(d.get(key, "")) == wanted for d in self.demographics], dtype=bool)

    def values_of(self, dimension: str) -> list[Any]:
        """The distinct values of a dimension among the respondents (for filters and breakdowns)."""
        if dimension == "role":
            return [r for r in ("mentee", "mentor") if r in set(self.role.tolist())]
        if dimension == "department":
            return sorted({d for d in self.department.tolist() if d})
        if dimension == "level":
            return sorted({lv for lv in self.level.tolist() if lv is not None})
        groups = {
            f"{key}:{value}"
            for demographics in self.demographics
            for key, value in demographics.items()
            if value not in ("", None)
        }
        return sorted(groups)


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class BreakdownCell:
    label: str
    shown: bool
    n: int | None = None
    mean: float | None = None
    median: float | None = None
    note: str = ""


@dataclass
class QuestionResult:
    question: Question
    shown: bool
    note: str = ""
    n: int | None = None
    mean: float | None = None
    median: float | None = None
    nps: float | None = None
    distribution: list[Bucket] = field(default_factory=list)
    # None: free text is not available to this viewer (anonymous survey, or not permitted).
    texts: list[str] | None = None
    texts_total: int = 0
    breakdown: list[BreakdownCell] = field(default_factory=list)

    @property
    def is_numeric(self) -> bool:
        return self.question.is_numeric


@dataclass
class VersionResults:
    number: int
    is_current: bool
    questions: list[QuestionResult]


@dataclass
class SurveyResults:
    survey: Survey
    filters: Filters
    k: int
    respondents: int | None  # under the filters; None when that count is under the floor
    versions: list[VersionResults]
    breakdown_by: str
    breakdown_labels: list[str]
    text_available: bool
    choices: dict[str, list[Any]]


def _load_respondents(survey: Survey) -> Respondents:
    rows = (
        SurveyResponse.objects.filter(survey=survey)
        .annotate(rid=Cast("id", TextField()))
        .values_list("rid", "role", "department", "level", "demographics")
    )
    return Respondents(rows.order_by("id"))


def _number_buckets(question: Question, values: np.ndarray) -> list[Bucket]:
    total = values.size
    if question.kind == QuestionKind.LIKERT:
        points = question.scale_points or 5
        labels = list(question.labels or [])
        keys = list(range(1, points + 1))
        names = [
            f"{i} · {labels[i - 1]}" if i - 1 < len(labels) and labels[i - 1] else str(i)
            for i in keys
        ]
    elif question.kind == QuestionKind.NPS:
        keys = list(range(11))
        names = [str(i) for i in keys]
    else:
        return []
    counts = [int(np.count_nonzero(values == key)) for key in keys]
    return [
        Bucket(name, count, round(100 * count / total, 1) if total else 0.0)
        for name, count in zip(names, counts, strict=True)
    ]


def _choice_buckets(question: Question, chosen: list[list[str]]) -> list[Bucket]:
    total = len(chosen)
    counts: dict[str, int] = defaultdict(int)
    for choices in chosen:
        for choice in set(choices):
            counts[choice] += 1
    options = [str(c) for c in question.choices or []]
    extra = sorted(set(counts) - set(options))  # options of an answer the question later dropped
    return [
        Bucket(option, counts.get(option, 0), round(100 * counts.get(option, 0) / total, 1))
        for option in options + extra
    ]


def _nps(values: np.ndarray) -> float | None:
    if not values.size:
        return None
    promoters = np.count_nonzero(values >= 9)
    detractors = np.count_nonzero(values <= 6)
    return round(100 * float(promoters - detractors) / values.size, 1)


class _Answers:
    """One question's answers as respondent indices and values."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.numbers: list[float] = []
        self.choices: list[list[str]] = []
        self.texts: list[str] = []


def survey_results(
    survey: Survey,
    *,
    k: int,
    filters: Filters | None = None,
    breakdown_by: str = "",
    with_text: bool = False,
) -> SurveyResults:
    """Every question of every answered version of ``survey`` under ``filters``, with a breakdown
    of the numeric questions by ``breakdown_by`` (a dimension, "group:<key>" for a demographic
    key, or ""). Five queries, whatever the number of respondents (four without free text)."""
    filters = filters or Filters()
    with_text = with_text and not survey.anonymous
    questions = list(
        Question.objects.filter(version__survey=survey)
        .select_related("version")
        .order_by("-version__number", "position", "id")
    )
    numeric = [q.pk for q in questions if q.is_numeric]
    choice = [q.pk for q in questions if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)]
    text = [q.pk for q in questions if q.kind == QuestionKind.TEXT]
    people = _load_respondents(survey)
    answers: dict[int, _Answers] = defaultdict(_Answers)
    # Found by question (an index scan); response ids as text and numbers as floats, cast by
    # PostgreSQL, so that no UUID, Decimal or JSON is built per row where it is not needed.
    by_question = SurveyAnswer.objects.annotate(rid=Cast("response_id", TextField())).order_by()
    numeric_rows = (
        by_question.filter(question_id__in=numeric, number__isnull=False)
        .annotate(value=Cast("number", FloatField()))
        .values_list("rid", "question_id", "value")
    )
    for rid, question_id, value in plain_rows(numeric_rows) if numeric else []:
        into = answers[question_id]
        into.rows.append(people.index[rid])
        into.numbers.append(value)
    for rid, question_id, choices in by_question.filter(question_id__in=choice).values_list(
        "rid", "question_id", "choices"
    ):
        into = answers[question_id]
        into.rows.append(people.index[rid])
        into.choices.append(list(choices or []))
    written = by_question.filter(~Q(text=""), question_id__in=text)
    if with_text:
        for rid, question_id, body in written.values_list("rid", "question_id", "text").order_by(
            "question_id", "response_id"
        ):
            answers[question_id].rows.append(people.index[rid])
            answers[question_id].texts.append(body)
    else:
        # Only who answered (for the floor and n), never what.
        for rid, question_id in written.values_list("rid", "question_id"):
            answers[question_id].rows.append(people.index[rid])

    conditions = {
        name: people.condition(name, value) for name, value in filters.conditions().items()
    }
    everyone = privacy.Masks(np.ones(people.size, dtype=bool), conditions)
    everyone_decision = everyone.decide(k)

    cells: list[tuple[str, np.ndarray]] = []
    dimension = breakdown_by.split(":", 1)[0]
    if dimension in DIMENSIONS and dimension not in filters.conditions():
        if dimension == "group":
            key = breakdown_by.partition(":")[2]
            values = [v for v in people.values_of("group") if v.split(":", 1)[0] == key]
        else:
            values = people.values_of(dimension)
        for value in values:
            label = ROLE_LABELS.get(value, str(value)) if dimension == "role" else str(value)
            cells.append((label, people.condition(dimension, value)))
    else:
        breakdown_by = ""

    by_version: dict[int, list[QuestionResult]] = defaultdict(list)
    current = max((q.version.number for q in questions), default=0)
    for question in questions:
        found = answers.get(question.pk, _Answers())
        answered = np.zeros(people.size, dtype=bool)
        index = np.asarray(found.rows, dtype=int)
        answered[index] = True
        masks = privacy.Masks(answered, conditions)
        decision = masks.decide(k)
        result = QuestionResult(question=question, shown=decision.shown)
        if not decision.shown:
            result.note = privacy.TOO_FEW
        else:
            selected = masks.mask(frozenset(conditions))[index]
            result.n = int(np.count_nonzero(selected))
            _fill(result, found, selected, with_text)
            if cells and question.is_numeric:
                numbers = np.asarray(found.numbers, dtype=float)
                for label, cell in cells:
                    result.breakdown.append(
                        _cell(label, masks, conditions, cell, index, numbers, k)
                    )
        by_version[question.version.number].append(result)

    versions = [
        VersionResults(number, number == current, results)
        for number, results in sorted(by_version.items(), reverse=True)
        if number == current or any(r.n or not r.shown for r in results)
    ]
    respondents = everyone.count(frozenset(conditions))
    return SurveyResults(
        survey=survey,
        filters=filters,
        k=k,
        respondents=respondents if everyone_decision.shown else None,
        versions=versions,
        breakdown_by=breakdown_by,
        breakdown_labels=[label for label, _ in cells],
        text_available=with_text,
        choices={name: people.values_of(name) for name in DIMENSIONS},
    )


def _fill(result: QuestionResult, found: _Answers, selected: np.ndarray, with_text: bool) -> None:
    question = result.question
    if question.is_numeric:
        values = np.asarray(found.numbers, dtype=float)[selected]
        result.mean = round(float(values.mean()), 2) if values.size else None
        result.median = float(np.median(values)) if values.size else None
        result.distribution = _number_buckets(question, values)
        if question.kind == QuestionKind.NPS:
            result.nps = _nps(values)
    elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        chosen = [c for c, keep in zip(found.choices, selected, strict=True) if keep]
        result.distribution = _choice_buckets(question, chosen)
    elif with_text:
        texts = [t for t, keep in zip(found.texts, selected, strict=True) if keep]
        result.texts_total = len(texts)
        result.texts = texts[:TEXT_LIMIT]


def _cell(
    label: str,
    masks: privacy.Masks,
    conditions: dict[str, np.ndarray],
    cell: np.ndarray,
    index: np.ndarray,
    values: np.ndarray,
    k: int,
) -> BreakdownCell:
    """One breakdown cell: the filters plus one more condition, under the same rule."""
    with_cell = privacy.Masks(masks.base, {**conditions, "breakdown": cell})
    decision = with_cell.decide(k)
    if not decision.shown:
        return BreakdownCell(label, False, note=privacy.TOO_FEW)
    selected = with_cell.mask(frozenset(with_cell.conditions))[index]
    chosen = values[selected]
    return BreakdownCell(
        label,
        True,
        n=int(chosen.size),
        mean=round(float(chosen.mean()), 2),
        median=float(np.median(chosen)),
    )
