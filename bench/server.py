"""Gunicorn serving ``mentoring.wsgi`` with ``bench.settings`` on a free loopback port."""

from __future__ import annotations

import ctypes
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import IO

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM to gunicorn if the harness dies without stopping it
    (e.g. killed outright); a graceful exit stops it itself. Linux only; elsewhere a no-op."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One GET on loopback (for readiness and correctness checks, not for timing)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class AccessLog:
    """Gunicorn's access log: method, path, status and the request's own time in microseconds,
    one line each. The time runs from the worker picking the request up to the response (the
    *server time*): the wait in the listen queue and for a free thread is not in it."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="flipside-bench-")
        self.path = Path(self._directory.name) / "access.log"
        self.path.touch()
        self._offset = 0

    @property
    def gunicorn_args(self) -> tuple[str, ...]:
        return (
            "--access-logfile",
            str(self.path),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
        )

    def skip(self) -> None:
        self._offset = self.path.stat().st_size

    def entries(self) -> list[tuple[str, str, int, float]]:
        """(method, path, status, server ms) of the requests logged since the last read or skip."""
        with self.path.open("rb") as log:
            log.seek(self._offset)
            data = log.read()
        self._offset += len(data)
        found = []
        for line in data.decode(errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[2].isdigit() and parts[3].isdigit():
                found.append((parts[0], parts[1], int(parts[2]), int(parts[3]) / 1000))
        return found

    def read_ms(self, path: str) -> list[float]:
        """Server times (ms) of the 200 answers to ``path`` logged since the last read or skip."""
        path = path.split("?")[0]
        return [ms for _m, logged, status, ms in self.entries() if logged == path and status == 200]

    def close(self) -> None:
        self._directory.cleanup()


class Gunicorn:
    def __init__(
        self,
        *,
        workers: int,
        threads: int,
        env: dict[str, str],
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.extra_args = extra_args  # e.g. an access log with each request's time (dashboards)
        self.workers = workers
        self.threads = threads
        self.env = env
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def description(self) -> str:
        return f"gunicorn {self.workers} workers x {self.threads} threads (gthread)"

    def start(self, timeout: float = 60.0) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "mentoring.wsgi:application",
                "--config",
                "python:mentoring.gunicorn_conf",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--log-level",
                "warning",
                "--error-logfile",
                "-",
                "--no-control-socket",
                "--graceful-timeout",
                "5",
                *self.extra_args,
            ],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our own process group: stopped by us, not by a stray Ctrl-C
            preexec_fn=_die_with_parent,  # safe: the harness runs no threads
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with code {self.process.returncode}:\n{self.log()}"
                )
            try:
                status, _body = get(self.port, "/healthz")
            except OSError:
                status = 0
            if status == 200:
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f}s:\n{self.log()}")

    def log(self, limit: int | None = 4000) -> str:
        """The server's output so far: its last ``limit`` characters (all of it with None)."""
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode(errors="replace")
        return text if limit is None else text[-limit:]

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own group (start_new_session)
                process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None
