"""WeasyPrint's URL fetcher: our static files only, nothing from the network, no path escape."""

from __future__ import annotations

import pytest

from dashboards.report import pdf as pdf_module
from dashboards.report.pdf import BASE_URL, RefusedURLError, html_to_pdf, static_file


def test_the_reports_stylesheet_is_served_from_the_static_files() -> None:
    body, content_type = static_file(f"{BASE_URL}static/css/report.css")
    assert content_type == "text/css"
    assert b"@page" in body


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/css/report.css",  # another host
        "http://127.0.0.1/static/css/report.css",
        "file:///etc/passwd",
        f"{BASE_URL}media/upload.css",  # not under STATIC_URL
        f"{BASE_URL}static/../mentoring/settings.py",  # escape and not a type the report uses
        f"{BASE_URL}static/css/../../mentoring/x.css",
        f"{BASE_URL}static/css/missing.css",
    ],
)
def test_any_other_url_is_refused(url: str) -> None:
    with pytest.raises(RefusedURLError):
        static_file(url)


def test_every_url_in_the_content_goes_through_the_fetcher_and_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def recording(url: str) -> tuple[bytes, str]:
        asked.append(url)
        return static_file(url)

    monkeypatch.setattr(pdf_module, "static_file", recording)
    pdf = html_to_pdf('<p>Hello</p><img src="https://example.com/tracker.png" alt="">')
    assert asked == ["https://example.com/tracker.png"]  # refused: the PDF is made without it
    assert pdf.startswith(b"%PDF-")
