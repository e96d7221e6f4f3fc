"""``{% chart_scripts %}``: the scripts that draw ``dashboards/_chart.html`` figures, once per page.

The import map is written byte for byte as ``settings.CHARTS_IMPORT_MAP``, whose hash the CSP
allows; any other inline script is still refused.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_VENDOR = (
    "vendor/vega/vega.min.js",
    "vendor/vega-lite/vega-lite.min.js",
    "vendor/vega-embed/vega-embed.min.js",
)


@register.simple_tag
def chart_scripts() -> SafeString:
    import_map = mark_safe(f'<script type="importmap">{settings.CHARTS_IMPORT_MAP}</script>')  # noqa: S308 (settings' constant, hash-pinned by the CSP)
    classic = "".join(format_html('<script src="{}" defer></script>', static(p)) for p in _VENDOR)
    module = format_html('<script type="module" src="{}"></script>', static("js/charts.js"))
    return mark_safe(import_map + classic + module)  # noqa: S308 (each part escaped above)
