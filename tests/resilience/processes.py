"""Real worker and server processes for the resilience tests, on this test process's database and
Redis databases (see settings: one broker and one cache database per xdist process)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psutil
from django.conf import settings
from django.db import connection

from mentoring.runner import BASE_DIR

CELERY = str(Path(sys.executable).parent / "celery")


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not met within {timeout:.0f}s")


def database_url(name: str | None = None, port: int | None = None) -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{port or db['PORT']}/"
        f"{name or db['NAME']}"
    )


def process_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a child process sharing this test's database, broker and cache."""
    env = dict(os.environ)
    env.pop("PYTEST_XDIST_WORKER", None)  # the URLs below are this process's already
    env.update(
        DJANGO_SETTINGS_MODULE="mentoring.settings",
        PYTHONPATH=str(BASE_DIR),
        FLIPSIDE_ENV="test",
        DATABASE_URL=database_url(),
        REDIS_URL=settings.CELERY_BROKER_URL,
        FLIPSIDE_CACHE_URL=settings.CACHES["default"]["LOCATION"],
        DJANGO_EMAIL_BACKEND="tests.resilience.worker_shims.RecordingBackend",
        FLIPSIDE_TEST_MAIL_LOG=str(tmp / "mail.log"),
        FLIPSIDE_TEST_HOLD=str(tmp / "hold"),
        FLIPSIDE_WORKER_LEASE_SECONDS="2",
    )
    env.update(extra)
    return env


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


class Worker:
    """``celery worker`` in its own process group (prefork pool unless told), started and waited
    for until it consumes; ``kill_main``/``kill_child`` SIGKILL it the way a crash would."""

    def __init__(
        self, tmp: Path, name: str, *, queues: str = "celery,long", concurrency: int = 1, **env: str
    ) -> None:
        self.log = tmp / f"{name}.log"
        self.name = name
        command = [
            CELERY,
            "-A",
            "mentoring",
            "worker",
            "--include",
            "tests.resilience.worker_shims",
            "--queues",
            queues,
            "--hostname",
            f"{name}@%h",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                env=process_env(tmp, **env),
                cwd=BASE_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self._ready, 90, f"worker {name} ready")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"worker {self.name} exited:\n{self.log.read_text()[-3000:]}")
        return " ready." in self.log.read_text(errors="replace")

    def children(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def kill_child(self) -> int:
        [child] = self.children()
        child.kill()
        return child.pid

    def kill_main(self) -> None:
        children = self.children()
        self.process.kill()
        self.process.wait(10)
        # Prefork children die with their parent (PR_SET_PDEATHSIG): nothing of it goes on.
        psutil.wait_procs(children, timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            except ProcessLookupError:
                pass
        with contextlib.suppress(ProcessLookupError):  # orphans of a killed main process
            os.killpg(self.process.pid, signal.SIGKILL)


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the redirect itself is the answer (an HTTPError with its status)


_NO_REDIRECTS = urllib.request.build_opener(_KeepRedirects)


class Server:
    """gunicorn serving the product, as ``./flip start`` runs it (gthread), in its own group."""

    def __init__(self, tmp: Path, port: int, **env: str) -> None:
        self.port = port
        self.log = tmp / f"gunicorn-{port}.log"
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "mentoring.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
            "--worker-class",
            "gthread",
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                env=process_env(tmp, **env),
                cwd=BASE_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(lambda: self.get("/healthz")[0] == 200, 90, "gunicorn serving")

    def get(self, path: str, **headers: str) -> tuple[int, str, dict[str, str]]:
        """(status, body, headers) of a GET; (0, error, {}) when nothing answered."""
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        try:
            with _NO_REDIRECTS.open(request, timeout=20) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)
        except OSError as error:
            return 0, str(error), {}

    def worker_pids(self) -> list[int]:
        return sorted(child.pid for child in psutil.Process(self.process.pid).children())

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
