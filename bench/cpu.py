"""CPU time spent serving requests: gunicorn's processes, the bench's PostgreSQL and its Redis.

On a machine shared with other work, requests per second move by several times between runs and
round ratios by ±50 %; the CPU time our own processes spend per request moves much less (other
work takes turns on the cores but does not add to our processes' time). PostgreSQL and Redis
count: they run on the same cores, and a query saved shows there. The load generator does not (it
is the client). Linux only (``/proc``); elsewhere the figures are left out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

PROC = Path("/proc")


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state, ppid, …)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _parent(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None


@dataclass(frozen=True)
class Serving:
    """gunicorn (``server_pid`` and its workers), a PostgreSQL (its postmaster and every backend)
    and the Redis server listening on ``redis_port`` (its command line names ``host:port``)."""

    server_pid: int
    postmaster_pid: int | None
    redis_port: int | None

    @classmethod
    def find(cls, *, server_pid: int, postgres_backend_pid: int, redis_url: str) -> Serving:
        return cls(
            server_pid=server_pid,
            postmaster_pid=_parent(postgres_backend_pid),
            redis_port=urlparse(redis_url).port,
        )

    def _pids(self) -> set[int]:
        """Looked up again at each reading: PostgreSQL starts a backend per new connection."""
        parents = {self.server_pid, self.postmaster_pid}
        pids: set[int] = set()
        for entry in PROC.iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            if (
                pid in parents
                or _parent(pid) in parents
                or (self.redis_port is not None and self._is_redis(entry))
            ):
                pids.add(pid)
        return pids

    def _is_redis(self, entry: Path) -> bool:
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        suffix = f":{self.redis_port}".encode()
        return arguments[0].endswith(b"redis-server") and any(
            argument.endswith(suffix) for argument in arguments[1:]
        )

    def cpu_seconds(self) -> float:
        """User + system CPU time so far of every process, plus what the two parents collected
        from children that ended (``cutime``/``cstime``), so a backend or worker that exits
        between two readings still counts."""
        if not PROC.is_dir():
            return 0.0
        ticks = 0
        for pid in self._pids():
            fields = _stat(pid)
            if not fields:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
            if pid in (self.server_pid, self.postmaster_pid):
                ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
        return ticks / os.sysconf("SC_CLK_TCK")
