"""./flip start shows the product's own error pages and keeps its console readable: one access
line per page, none for the static files each page pulls, so the demo emails stand out."""

from __future__ import annotations

import logging
import subprocess
import sys
from types import SimpleNamespace

from gunicorn.config import Config  # type: ignore[import-untyped]

from mentoring.gunicorn_logging import PagesOnlyAccessLogger
from mentoring.runner import BASE_DIR, start_env


def test_start_turns_the_debug_page_off_unless_asked() -> None:
    env = start_env({})
    assert env["FLIPSIDE_ENV"] == "development"
    assert env["DJANGO_DEBUG"] == "0"
    assert start_env({"DJANGO_DEBUG": "1"})["DJANGO_DEBUG"] == "1"


def test_settings_of_start_have_debug_off() -> None:
    env = {
        **start_env({}),
        "DATABASE_URL": "postgres://x@127.0.0.1:1/x",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "PATH": "/usr/bin",
    }
    env["DJANGO_SETTINGS_MODULE"] = "mentoring.settings"
    env["PYTHONPATH"] = str(BASE_DIR)
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=BASE_DIR,
    )
    assert out.stdout.strip() == "False"


def _log(logger: PagesOnlyAccessLogger, path: str, status: int) -> None:
    resp = SimpleNamespace(status=f"{status} X", status_code=status, sent=10, headers=[])
    req = SimpleNamespace(headers=[], method="GET", path=path, query="", version=(1, 1))
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "",
        "RAW_URI": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    logger.access(resp, req, environ, __import__("datetime").timedelta(seconds=0.01))


def test_access_log_keeps_pages_and_failures_drops_static_files() -> None:
    config = Config()
    config.set("accesslog", "-")
    logger = PagesOnlyAccessLogger(config)
    access_lines: list[str] = []

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            access_lines.append(record.getMessage())

    logger.access_log.addHandler(Recorder())
    _log(logger, "/o/acme/", 200)
    _log(logger, "/static/css/app.css", 200)
    _log(logger, "/static/js/missing.js", 404)
    _log(logger, "/favicon.ico", 304)
    joined = "\n".join(access_lines)
    assert "/o/acme/" in joined
    assert "/static/js/missing.js" in joined
    assert "/static/css/app.css" not in joined
    assert "favicon" not in joined
