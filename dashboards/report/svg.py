"""A chart's Vega-Lite spec drawn as SVG on the server by vl-convert (no browser, no network: the
spec carries its data inline, ``dashboards/charts.py``), for the printed report and its PDF.

``VEGA_LITE`` is the compiler vl-convert uses: the minor version of the ``vega-lite`` npm package
the pages draw with (package.json), so the page and the report draw the same spec alike. One
setting differs: the font. Vega sizes the chart (label space, axis offsets) by measuring text in
the font it is given; the spec's "system-ui" means nothing to the converter, so labels measured in
a fallback font were clipped once drawn. The SVG names a font that is installed wherever a PDF is
made (``fonts-dejavu-core``, installed with Pango), so measured and drawn text agree.
"""

from __future__ import annotations

import vl_convert
from django.utils.safestring import SafeString, mark_safe

from dashboards.charts import Chart

VEGA_LITE = "6.4"
FONT = "DejaVu Sans"


def chart_svg(chart: Chart) -> SafeString | None:
    """The chart as an SVG document (None when it has nothing to draw). Vega's SVG renderer
    escapes every text it writes (labels come from the data), so the markup is safe to inline."""
    if chart.spec is None:
        return None
    spec = {**chart.spec, "config": {**chart.spec.get("config", {}), "font": FONT}}
    svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE)
    return mark_safe(svg)  # noqa: S308 (vega's renderer escapes text and attributes)
