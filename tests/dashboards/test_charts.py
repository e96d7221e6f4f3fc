"""The chart builders: spec shape (self-contained, Okabe-Ito colours), the table, the sentence, and
an empty state instead of an empty chart."""

from __future__ import annotations

import json

from django.template.loader import render_to_string

from dashboards.charts import OKABE_ITO, bar_chart, funnel_chart, line_chart


def _self_contained(spec: dict) -> None:
    text = json.dumps(spec)
    assert '"url"' not in text  # data inline: the page and the PDF draw the same spec
    assert spec["data"]["values"]
    assert spec["config"]["range"]["category"] == list(OKABE_ITO)


def test_grouped_bar_has_one_bar_per_series_side_by_side_and_a_row_per_category() -> None:
    chart = bar_chart(
        key="rates",
        title="Response rate",
        categories=["Pre", "Post"],
        series={"Mentees": [80, 60], "Mentors": [90, None]},
        category_title="Wave",
        value_title="Response rate",
    )
    assert chart.spec is not None
    _self_contained(chart.spec)
    assert chart.spec["mark"]["type"] == "bar"
    assert chart.spec["encoding"]["xOffset"]["field"] == "series"
    assert chart.spec["encoding"]["y"]["stack"] is None
    # None (e.g. under the privacy floor) is left out of the drawing, kept in the table.
    assert {(v["category"], v["series"]) for v in chart.spec["data"]["values"]} == {
        ("Pre", "Mentees"),
        ("Pre", "Mentors"),
        ("Post", "Mentees"),
    }
    assert chart.columns == ["Wave", "Mentees", "Mentors"]
    assert chart.rows == [["Pre", 80, 90], ["Post", 60, None]]
    assert chart.summary == (
        "Response rate: highest for Mentors in Pre (90), lowest for Mentees in Post (60)."
    )


def test_stacked_bar_stacks_and_has_no_offset() -> None:
    chart = bar_chart(
        key="actions",
        title="Actions",
        categories=["Hybrid work", "AI"],
        series={"Committed": [3, 5], "Implemented": [1, 2]},
        category_title="Topic",
        value_title="Actions",
        stacked=True,
    )
    assert chart.spec is not None
    assert chart.spec["encoding"]["y"]["stack"] == "zero"
    assert "xOffset" not in chart.spec["encoding"]
    assert chart.summary == "Actions: highest for AI (7), lowest for Hybrid work (4)."


def test_single_series_bar_has_no_legend() -> None:
    chart = bar_chart(
        key="pairs",
        title="Pairs",
        categories=["Active", "Paused"],
        series={"Pairs": [4, 4]},
        category_title="State",
        value_title="Pairs",
    )
    assert chart.spec is not None
    assert chart.spec["encoding"]["color"]["legend"] is None
    assert chart.summary == "Pairs: 4 for each."


def test_line_summary_says_how_it_moved() -> None:
    chart = line_chart(
        key="sessions",
        title="Sessions",
        points=[
            ("Sep 2026", "Sessions", 12),
            ("Oct 2026", "Sessions", 20),
            ("Nov 2026", "Sessions", 31),
        ],
        period_title="Month",
        value_title="Sessions",
    )
    assert chart.spec is not None
    _self_contained(chart.spec)
    assert chart.spec["mark"]["type"] == "line"
    assert chart.spec["encoding"]["x"]["sort"] == ["Sep 2026", "Oct 2026", "Nov 2026"]
    assert chart.rows == [["Sep 2026", 12], ["Oct 2026", 20], ["Nov 2026", 31]]
    assert chart.summary == "Sessions rose from 12 in Sep 2026 to 31 in Nov 2026."


def test_line_with_two_series_has_a_sentence_each_and_skips_hidden_points() -> None:
    chart = line_chart(
        key="pulse",
        title="Pulse",
        points=[
            ("Sep 2026", "Mentees", 4.0),
            ("Sep 2026", "Mentors", 3.5),
            ("Oct 2026", "Mentees", 3.2),
            ("Oct 2026", "Mentors", None),
        ],
        period_title="Month",
        value_title="Mean rating",
    )
    assert chart.spec is not None
    assert len(chart.spec["data"]["values"]) == 3
    assert chart.rows == [["Sep 2026", 4.0, 3.5], ["Oct 2026", 3.2, None]]
    assert chart.summary == (
        "Mentees fell from 4 in Sep 2026 to 3.2 in Oct 2026. Mentors: 3.5 in Sep 2026."
    )


def test_funnel_is_horizontal_in_stage_order_with_shares() -> None:
    chart = funnel_chart(
        key="funnel",
        title="Enrolment",
        stages=[("Invited", 40), ("Registered", 30), ("Matched", 12)],
    )
    assert chart.spec is not None
    _self_contained(chart.spec)
    assert chart.spec["encoding"]["y"]["sort"] == ["Invited", "Registered", "Matched"]
    assert chart.spec["encoding"]["x"]["type"] == "quantitative"
    assert chart.rows == [
        ["Invited", 40, "100 %"],
        ["Registered", 30, "75 %"],
        ["Matched", 12, "30 %"],
    ]
    assert chart.summary == "Of 40 people at “Invited”, 12 (30 %) reached “Matched”."


def test_empty_data_is_an_empty_state_not_a_chart() -> None:
    charts = [
        bar_chart(
            key="a",
            title="A",
            categories=[],
            series={"X": []},
            category_title="C",
            value_title="V",
            empty="No pairs yet.",
        ),
        bar_chart(
            key="b",
            title="B",
            categories=["x"],
            series={"X": [None]},
            category_title="C",
            value_title="V",
            empty="No pairs yet.",
        ),
        line_chart(
            key="c", title="C", points=[], period_title="M", value_title="V", empty="No pairs yet."
        ),
        funnel_chart(
            key="d", title="D", stages=[("Invited", 0), ("Matched", 0)], empty="No pairs yet."
        ),
    ]
    for chart in charts:
        assert chart.is_empty
        assert chart.spec is None
        html = render_to_string("dashboards/_chart.html", {"chart": chart})
        assert "No pairs yet." in html
        assert "application/json" not in html
        assert "data-chart-spec" not in html


def test_all_zero_bars_keep_their_table_but_draw_nothing() -> None:
    chart = bar_chart(
        key="z",
        title="Z",
        categories=["Active", "Paused"],
        series={"Pairs": [0, 0]},
        category_title="State",
        value_title="Pairs",
    )
    assert chart.is_empty
    assert chart.rows == [["Active", 0], ["Paused", 0]]


def test_include_renders_spec_as_json_script_and_a_table_with_header_cells() -> None:
    chart = bar_chart(
        key="pairs",
        title="Pairs <by> state",
        categories=["Active"],
        series={"Pairs": [3]},
        category_title="State",
        value_title="Pairs",
    )
    html = render_to_string("dashboards/_chart.html", {"chart": chart})
    assert 'data-chart-spec="chart-spec-pairs"' in html
    assert '<script id="chart-spec-pairs" type="application/json">' in html
    assert '<th scope="col">State</th>' in html
    assert '<th scope="row">Active</th>' in html
    assert "Pairs &lt;by&gt; state" in html
    assert chart.summary in html


def test_a_cell_without_a_figure_reads_as_the_chart_says() -> None:
    chart = line_chart(
        key="pulse",
        title="Pulse",
        points=[("Sep 2026", "Mean rating", 4.0), ("Oct 2026", "Mean rating", None)],
        period_title="Month",
        value_title="Mean rating",
        missing="too few answers to show",
    )
    html = render_to_string("dashboards/_chart.html", {"chart": chart})
    assert "<td>too few answers to show</td>" in html
    plain = bar_chart(
        key="rates",
        title="Rates",
        categories=["Pre"],
        series={"Mentees": [50], "Mentors": [None]},
        category_title="Wave",
        value_title="Response rate",
    )
    assert "<td>—</td>" in render_to_string("dashboards/_chart.html", {"chart": plain})
