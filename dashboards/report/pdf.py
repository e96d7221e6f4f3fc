"""The report's HTML as a PDF, by WeasyPrint, with no network: its URL fetcher serves our own
static files (the report's stylesheet) and refuses every other URL, so a link or an image in the
content can never make the server fetch anything.

WeasyPrint takes about 2.5 s to import: it is imported on first use, not when the URLconf loads.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

# WeasyPrint resolves relative URLs against this; nothing is ever fetched from it.
BASE_URL = "https://report.invalid/"
TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}


class RefusedURLError(ValueError):
    pass


def static_file(url: str) -> tuple[bytes, str]:
    """The body and type of a static file named by ``url`` (``BASE_URL`` + ``STATIC_URL`` + name);
    ``RefusedURLError`` for any other URL, an unexpected kind of file or a missing one."""
    prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        raise RefusedURLError(f"The report fetches nothing outside its static files: {url}")
    name = url.removeprefix(prefix).split("?")[0].split("#")[0]
    suffix = name[name.rfind(".") :] if "." in name else ""
    if ".." in name.split("/") or suffix not in TYPES:
        raise RefusedURLError(f"Not a static file the report uses: {name}")
    found = finders.find(name)
    if isinstance(found, str):
        with open(found, "rb") as file:
            return file.read(), TYPES[suffix]
    if staticfiles_storage.exists(name):  # collected (hashed) names in production
        with staticfiles_storage.open(name) as file:
            return file.read(), TYPES[suffix]
    raise RefusedURLError(f"No such static file: {name}")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            body, content_type = static_file(url)
            return URLFetcherResponse(url, body, headers={"Content-Type": content_type})

    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
