"""bench/cpu.py: the CPU time of the serving processes, a child that ended included."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench import cpu

pytestmark = pytest.mark.skipif(not cpu.PROC.is_dir(), reason="needs /proc (Linux)")


def test_cpu_time_keeps_what_an_ended_child_spent() -> None:
    # This process stands in for gunicorn's master: a worker that burns CPU and exits (as a
    # PostgreSQL backend does when its connection closes) must still count.
    serving = cpu.Serving(server_pid=os.getpid(), postmaster_pid=None, redis_port=None)
    before = serving.cpu_seconds()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass",
        ],
        check=True,
    )
    assert serving.cpu_seconds() - before >= 0.25
