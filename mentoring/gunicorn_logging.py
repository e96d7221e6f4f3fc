"""Gunicorn's access log for ``./flip start``: one line per page or API call, none for the static
files that every page pulls (a page load would otherwise print a dozen lines and bury the demo
emails the console backend prints). Static files that fail (4xx/5xx) are still logged."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

QUIET_PREFIXES = ("/static/", "/favicon.ico")


class PagesOnlyAccessLogger(Logger):
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        path = str(environ.get("PATH_INFO", ""))
        status = getattr(resp, "status_code", None) or 0
        if path.startswith(QUIET_PREFIXES) and status < 400:
            return
        super().access(resp, req, environ, request_time)
