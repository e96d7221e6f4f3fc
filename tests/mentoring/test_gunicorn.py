"""The web server's keep-alive does not race its clients (mentoring/gunicorn_conf.py): a connection
left idle longer than gunicorn's default keep-alive (2 s, which reset about one request in 5,500
under load) is still open and answers the next request, on the same socket."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from gunicorn.config import Config  # type: ignore[import-untyped]

from mentoring import gunicorn_conf

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_DEFAULT_KEEPALIVE = 2


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    except OSError:
        return 0
    finally:
        connection.close()


@pytest.fixture
def server() -> Iterator[int]:
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603  (our own venv's gunicorn)
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "mentoring.wsgi",
            "--config",
            "python:mentoring.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, "gunicorn exited"
            if _status(port) == 200:  # a worker has booted and serves
                break
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def test_the_shared_settings_keep_idle_connections_longer_than_proxies_do() -> None:
    config = Config()
    for name in ("worker_class", "keepalive"):
        config.set(name, getattr(gunicorn_conf, name))
    assert config.worker_class_str == "gthread"
    # Above the 60 s idle timeout of the usual proxies and load balancers in front.
    assert config.keepalive > 60


def test_an_idle_keep_alive_connection_is_reused_after_the_default_timeout(server: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    try:
        connection.request("GET", "/healthz")
        first = connection.getresponse()
        assert first.status == 200
        first.read()
        assert not first.will_close
        sock = connection.sock
        assert sock is not None
        local = sock.getsockname()
        # Idle past gunicorn's default keep-alive: with it the server had closed this socket.
        time.sleep(GUNICORN_DEFAULT_KEEPALIVE + 1.5)
        connection.request("GET", "/healthz")
        second = connection.getresponse()
        assert second.status == 200
        second.read()
        # The same socket, not a new connection.
        assert connection.sock is sock
        assert sock.getsockname() == local
    finally:
        connection.close()
