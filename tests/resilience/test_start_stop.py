"""Stopping ``./flip start``: Ctrl-C or SIGTERM ends every process it started — gunicorn's master
and workers, both Celery workers and their pools, beat, the embedded Redis — and frees the port; a
child that ignores SIGTERM is killed after the grace period, with everything below it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing, suppress
from pathlib import Path

import psutil
import pytest

from mentoring.runner import BASE_DIR, free_port, stop_processes
from tests.resilience.processes import database_url, wait_for

STUBBORN = """
import signal, subprocess, sys, time
for signum in (signal.SIGINT, signal.SIGTERM):
    signal.signal(signum, signal.SIG_IGN)
if sys.argv[1] == "parent":
    subprocess.Popen([sys.executable, "-c", sys.argv[2], "child", sys.argv[2]])
time.sleep(600)
"""


def _port_is_free(port: int) -> bool:
    with closing(socket.socket()) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _gone(processes: list[psutil.Process]) -> bool:
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            pass
    return True


def test_a_child_ignoring_sigterm_is_killed_after_the_grace_period_with_its_own_children() -> None:
    stubborn = subprocess.Popen(
        [sys.executable, "-c", STUBBORN, "parent", STUBBORN], start_new_session=True
    )
    wait_for(lambda: len(psutil.Process(stubborn.pid).children()) == 1, 30, "grandchild started")
    tree = [psutil.Process(stubborn.pid), *psutil.Process(stubborn.pid).children()]
    started = time.monotonic()
    stop_processes([("stubborn", stubborn)], grace=1.0)
    assert time.monotonic() - started >= 1.0  # it was given the grace period first
    assert stubborn.returncode == -signal.SIGKILL
    assert _gone(tree)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stopping_flip_start_ends_every_child_and_frees_the_port(
    db: None, tmp_path: Path, signum: signal.Signals
) -> None:
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "FLIPSIDE_CACHE_URL", "PYTEST_XDIST_WORKER"}
    }
    # The test database (migrated) and an embedded Redis of the runner's own.
    env.update(DATABASE_URL=database_url(), FLIPSIDE_PORT=str(port), DJANGO_DEBUG="0")
    output = tmp_path / "start.log"
    with output.open("wb") as out:
        runner = subprocess.Popen(
            [sys.executable, "-m", "mentoring.runner", "start", "--no-migrate", "--no-demo"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    tree: list[psutil.Process] = []
    try:
        wait_for(
            lambda: "Flipside is running" in output.read_text(errors="replace"),
            180,
            "flip start is up",
        )
        # gunicorn (master, 2 workers), worker (main, 2 pool), worker-long (main, 1 pool), beat,
        # redis: everything is up before we look.
        wait_for(lambda: len(psutil.Process(runner.pid).children(recursive=True)) >= 10, 60)
        tree = psutil.Process(runner.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in tree)
        for part in ("gunicorn", "--queues celery", "--queues long", "beat", "redis-server"):
            assert part in names
        assert not _port_is_free(port)
        runner.send_signal(signum)
        assert runner.wait(60) in {0, 130}
        wait_for(lambda: _gone(tree), 15, "every child gone")
        assert _port_is_free(port)
        assert "stopped Redis" in output.read_text(errors="replace")
    finally:  # a failed test leaves nothing running either
        for process in [*tree, psutil.Process(runner.pid)] if runner.poll() is None else tree:
            with suppress(psutil.NoSuchProcess):
                process.kill()
