"""CSV exports of results: the same aggregates as the pages, under the same floor. A suppressed
aggregate is a row saying "too few answers to show" with no figure; free text is never exported."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from core.spreadsheets import neutralise
from surveys import privacy
from surveys.results.aggregates import SurveyResults
from surveys.results.outcomes import Outcomes
from surveys.stats import PairedChange


def _number(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _write(header: list[str], rows: Iterable[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    # Question texts, options and group labels are typed by people: no cell may become a formula.
    for row in rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return buffer.getvalue()


SURVEY_HEADER = [
    "version",
    "position",
    "question",
    "kind",
    "group",
    "answer",
    "count",
    "percent",
    "n",
    "mean",
    "median",
    "nps",
    "note",
]


def survey_results_csv(results: SurveyResults) -> str:
    """One row per question (n, mean, median, NPS), per answer option (count, percent) and per
    breakdown cell (n, mean, median)."""
    return _write(SURVEY_HEADER, survey_result_rows(results))


def survey_result_rows(results: SurveyResults) -> Iterable[list[object]]:
    """The rows of ``survey_results_csv`` (columns: ``SURVEY_HEADER``), also written by the
    program exports (``dashboards/exports``). Suppressed aggregates carry no figure."""
    scope = results.filters.describe() or "all respondents"

    def rows() -> Iterable[list[object]]:
        for version in results.versions:
            for result in version.questions:
                q = result.question
                base = [version.number, q.position, q.text, q.kind]
                if not result.shown:
                    yield [*base, scope, "", "", "", "", "", "", "", privacy.TOO_FEW]
                    continue
                yield [
                    *base,
                    scope,
                    "",
                    "",
                    "",
                    result.n,
                    _number(result.mean),
                    _number(result.median),
                    _number(result.nps, 1),
                    "",
                ]
                for bucket in result.distribution:
                    yield [*base, scope, bucket.label, bucket.count, _number(bucket.percent, 1)]
                for cell in result.breakdown:
                    where = f"{scope}; {cell.label}"
                    if not cell.shown:
                        yield [*base, where, "", "", "", "", "", "", "", privacy.TOO_FEW]
                        continue
                    yield [
                        *base,
                        where,
                        "",
                        "",
                        "",
                        cell.n,
                        _number(cell.mean),
                        _number(cell.median),
                        "",
                        "",
                    ]

    return rows()


def outcomes_csv(outcomes: Outcomes) -> str:
    """Response rates, paired change per anchor item and role, and objectives' progress."""

    def rows() -> Iterable[list[object]]:
        for wave in outcomes.rates.waves:
            for rate in (wave.total, *wave.by_role):
                yield [
                    "response rate",
                    wave.wave_label,
                    rate.label,
                    "",
                    rate.invited,
                    rate.answered,
                    _number(rate.percent, 1),
                ]
        program = outcomes.rates.program
        yield [
            "response rate",
            "all waves",
            program.label,
            "",
            program.invited,
            program.answered,
            _number(program.percent, 1),
        ]
        for anchor in outcomes.anchors:
            for change in anchor.changes:
                yield [
                    "paired change",
                    change.label,
                    change.role_label,
                    anchor.item.text,
                    *_change_cells(change.shown, change.result),
                ]
        for objective in outcomes.objectives:
            for progress in objective.progress:
                change = progress.change
                yield [
                    "objective",
                    objective.objective.statement,
                    objective.audience_label,
                    progress.anchor.text,
                    *_change_cells(change.shown, change.result),
                    _number(progress.baseline),
                    _number(float(objective.objective.target)),
                    _number(progress.post_mean),
                    _number(progress.percent, 1),
                ]

    header = [
        "section",
        "what",
        "group",
        "item",
        "invited_or_n",
        "answered_or_mean_change",
        "rate_or_ci_low",
        "ci_high",
        "test",
        "p",
        "effect_size",
        "sentence",
        "baseline",
        "target",
        "post_mean",
        "progress_percent",
    ]
    return _write(header, rows())


def _change_cells(shown: bool, result: PairedChange) -> list[object]:
    if not shown:
        return ["", "", "", "", "", "", "", privacy.TOO_FEW]
    return [
        result.n,
        _number(result.mean_change),
        _number(result.ci_low),
        _number(result.ci_high),
        result.test_label if result.test else "",
        _number(result.p_value, 4),
        _number(result.effect_size),
        result.sentence,
    ]
