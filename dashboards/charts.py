"""Charts: a Vega-Lite spec, the same figures as a table, and one sentence that says what they show.

One :class:`Chart` serves the page (``dashboards/_chart.html`` draws the spec with vega-embed through
``static/js/charts.js``, the table beside it is the accessible form and works without JavaScript) and
the printed report (the spec is self-contained: data inline, nothing loaded from a URL, so a
converter can turn it into SVG as it is).

Colours are the Okabe-Ito palette, readable with the common colour-vision deficiencies. A chart
with no data carries no spec at all: the template shows its empty message instead of an empty axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Okabe & Ito (2008), "Color Universal Design": black first dropped, it is the text colour.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH = 480
HEIGHT = 240
NO_DATA = "Nothing to show yet."

Cell = str | int | float | None


@dataclass(frozen=True)
class Chart:
    """A chart as a spec, a table and a sentence. ``spec`` is ``None`` when there is nothing to
    draw; ``empty`` is then the sentence the page shows in its place."""

    key: str  # unique on a page: the id of the figure and of its JSON script
    title: str
    spec: dict[str, Any] | None
    columns: list[str]
    rows: list[list[Cell]]
    summary: str
    empty: str = NO_DATA
    notes: list[str] = field(default_factory=list)
    missing: str = "—"  # how a table cell without a figure reads (e.g. "too few answers to show")

    @property
    def is_empty(self) -> bool:
        return self.spec is None

    @property
    def spec_id(self) -> str:
        return f"chart-spec-{self.key}"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _base(title: str, values: list[dict[str, Any]], description: str) -> dict[str, Any]:
    """The spec's common part. The title is the figure's heading (page and report alike), so it is
    not drawn a second time inside the chart; it stays in the description (the SVG's label)."""
    return {
        "$schema": SCHEMA,
        "description": f"{title}. {description}",
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": values},
        "config": {
            "range": {"category": list(OKABE_ITO)},
            "font": "system-ui, sans-serif",
            "axis": {"labelFontSize": 12, "titleFontSize": 12},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "view": {"stroke": None},
        },
    }


def _empty(key: str, title: str, columns: list[str], empty: str) -> Chart:
    return Chart(key, title, None, columns, [], empty, empty=empty)


# --- Bars --------------------------------------------------------------------------------------


def bar_chart(
    *,
    key: str,
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | int | None]],
    category_title: str,
    value_title: str,
    stacked: bool = False,
    empty: str = NO_DATA,
    missing: str = "—",
) -> Chart:
    """Bars per category, one colour per series: side by side (grouped) or stacked.

    ``series`` maps a series' name to one value per category (``None``: not shown, e.g. under the
    privacy floor; it is left out of the spec and reads as such in the table)."""
    columns = [category_title, *series]
    values: list[dict[str, Any]] = []
    rows: list[list[Cell]] = []
    for index, category in enumerate(categories):
        row: list[Cell] = [category]
        for name, numbers in series.items():
            value = numbers[index]
            row.append(value)
            if value is not None:
                values.append({"category": category, "series": name, "value": value})
        rows.append(row)
    if not values or all(v["value"] == 0 for v in values):
        kept = rows if values else []
        return Chart(key, title, None, columns, kept, empty, empty=empty, missing=missing)
    spec = _base(title, values, f"Bar chart: {value_title} by {category_title.lower()}")
    many = len(series) > 1
    encoding: dict[str, Any] = {
        "x": {
            "field": "category",
            "type": "nominal",
            "title": category_title,
            "sort": None,
            "axis": {"labelAngle": 0, "labelLimit": 120},
        },
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": value_title,
            "stack": "zero" if stacked else None,
        },
        "color": {
            "field": "series",
            "type": "nominal",
            "title": None,
            "sort": list(series),
            "legend": {} if many else None,
        },
        "tooltip": [
            {"field": "category", "title": category_title},
            {"field": "series", "title": "Series"},
            {"field": "value", "title": value_title},
        ],
    }
    if many and not stacked:
        encoding["xOffset"] = {"field": "series", "sort": list(series)}
    spec["mark"] = {"type": "bar", "tooltip": True}
    spec["encoding"] = encoding
    summary = _bar_summary(categories, series, value_title, by_series=many and not stacked)
    return Chart(key, title, spec, columns, rows, summary, missing=missing)


def _bar_summary(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | int | None]],
    value_title: str,
    *,
    by_series: bool,
) -> str:
    """The highest and the lowest bar: each series' own bars when side by side, the categories'
    totals when stacked or alone."""
    bars: list[tuple[str, float]] = []
    for index, category in enumerate(categories):
        shown = {name: v[index] for name, v in series.items() if v[index] is not None}
        if by_series:
            bars += [
                (f"{name} in {category}", value)
                for name, value in shown.items()
                if value is not None
            ]
        elif shown:
            bars.append((category, sum(v for v in shown.values() if v is not None)))
    top, top_value = max(bars, key=lambda bar: bar[1])
    low, low_value = min(bars, key=lambda bar: bar[1])
    if len(bars) == 1:
        return f"{value_title}: {_number(top_value)} for {top}."
    if top_value == low_value:
        return f"{value_title}: {_number(top_value)} for each."
    return f"{value_title}: highest for {top} ({_number(top_value)}), lowest for {low} ({_number(low_value)})."


# --- Line over time ----------------------------------------------------------------------------


def line_chart(
    *,
    key: str,
    title: str,
    points: Sequence[tuple[str, str, float | int | None]],
    period_title: str,
    value_title: str,
    series: Sequence[str] = (),
    empty: str = NO_DATA,
    missing: str = "—",
) -> Chart:
    """One line per series over ordered periods. ``points`` are (period label, series, value) in
    period order (a period label such as "Sep 2026": ordinal, so the order is the data's)."""
    names = list(series) or list(dict.fromkeys(name for _, name, _ in points))
    periods = list(dict.fromkeys(period for period, _, _ in points))
    table: dict[str, dict[str, float | int | None]] = {period: {} for period in periods}
    for period, name, value in points:
        table[period][name] = value
    columns = [period_title, *names]
    rows: list[list[Cell]] = [
        [period, *(table[period].get(n) for n in names)] for period in periods
    ]
    values = [
        {"period": period, "series": name, "value": value}
        for period, name, value in points
        if value is not None
    ]
    if not values:
        return Chart(key, title, None, columns, rows, empty, empty=empty, missing=missing)
    spec = _base(title, values, f"Line chart: {value_title} by {period_title.lower()}")
    spec["mark"] = {"type": "line", "point": True, "tooltip": True}
    spec["encoding"] = {
        "x": {
            "field": "period",
            "type": "ordinal",
            "title": period_title,
            "sort": periods,
            "axis": {"labelAngle": 0},
        },
        "y": {"field": "value", "type": "quantitative", "title": value_title},
        "color": {
            "field": "series",
            "type": "nominal",
            "title": None,
            "sort": names,
            "legend": {} if len(names) > 1 else None,
        },
    }
    summary = _line_summary(names, table, periods, value_title)
    return Chart(key, title, spec, columns, rows, summary, missing=missing)


def _line_summary(
    names: list[str],
    table: dict[str, dict[str, float | int | None]],
    periods: list[str],
    value_title: str,
) -> str:
    sentences = []
    for name in names:
        shown = [(p, table[p].get(name)) for p in periods if table[p].get(name) is not None]
        if not shown:
            continue
        subject = value_title if len(names) == 1 else name
        (first, a), (last, b) = shown[0], shown[-1]
        assert a is not None
        assert b is not None
        if len(shown) == 1:
            sentences.append(f"{subject}: {_number(a)} in {first}.")
        elif b > a:
            sentences.append(
                f"{subject} rose from {_number(a)} in {first} to {_number(b)} in {last}."
            )
        elif b < a:
            sentences.append(
                f"{subject} fell from {_number(a)} in {first} to {_number(b)} in {last}."
            )
        else:
            sentences.append(f"{subject} stayed at {_number(a)} from {first} to {last}.")
    return " ".join(sentences)


# --- Funnel ------------------------------------------------------------------------------------


def funnel_chart(
    *,
    key: str,
    title: str,
    stages: Sequence[tuple[str, int]],
    unit: str = "people",
    empty: str = NO_DATA,
) -> Chart:
    """Horizontal bars, one per stage in order, each with its share of the first stage."""
    columns = ["Stage", f"Number of {unit}", "Share of the first stage"]
    first = stages[0][1] if stages else 0
    if not first:
        return _empty(key, title, columns, empty)
    rows: list[list[Cell]] = []
    values = []
    for stage, count in stages:
        share = round(100 * count / first, 1)
        rows.append([stage, count, f"{share:g} %"])
        values.append({"stage": stage, "count": count, "share": share})
    spec = _base(title, values, f"Funnel: {unit} at each stage")
    labels = [stage for stage, _ in stages]
    spec["height"] = max(120, 36 * len(stages))
    spec["encoding"] = {
        "y": {
            "field": "stage",
            "type": "nominal",
            "title": None,
            "sort": labels,
            "axis": {"labelLimit": 180},
        },
        "x": {"field": "count", "type": "quantitative", "title": f"Number of {unit}"},
    }
    spec["layer"] = [
        {"mark": {"type": "bar", "color": OKABE_ITO[0], "tooltip": True}},
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "color": "#000000"},
            "encoding": {"text": {"field": "count", "type": "quantitative"}},
        },
    ]
    last_stage, last = stages[-1]
    summary = (
        f"Of {first} {unit} at “{stages[0][0]}”, {last} ({round(100 * last / first, 1):g} %) "
        f"reached “{last_stage}”."
    )
    return Chart(key, title, spec, columns, rows, summary)
