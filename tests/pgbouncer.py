"""A real PgBouncer in transaction mode in front of the test database, started by the tests.

Debian's ``pgbouncer`` package (installed by ``./flip test``, see ``mentoring/runner.py``) runs with a
configuration written here: one database (the test database of this process), ``pool_mode =
transaction`` and a pool of ONE server connection, so every client of it shares the same PostgreSQL
session, as the web and worker processes of many machines do behind a production pooler.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PGBOUNCER = "/usr/sbin/pgbouncer"
# PgBouncer refuses to run as root; the embedded PostgreSQL's system user serves (mentoring/runner.py).
RUN_AS = "flipside_pg"


@dataclass(frozen=True)
class Pooler:
    host: str
    port: int
    # PgBouncer's log: one "new connection to server" line per server connection it opens.
    log: Path

    def server_connections_opened(self) -> int:
        return self.log.read_text().count("new connection to server")

    def settings_for(self, settings_dict: dict[str, Any]) -> dict[str, Any]:
        """A copy of a Django database settings dict that goes through the pooler."""
        return {**settings_dict, "HOST": self.host, "PORT": str(self.port)}


def available() -> bool:
    return Path(PGBOUNCER).exists() or shutil.which("pgbouncer") is not None


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _log(log: Path) -> str:
    return log.read_text()[-2000:] if log.exists() else "(no log written)"


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited ({process.returncode}): {_log(log)}")
        with closing(socket.socket()) as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not listen on {port}: {_log(log)}")


@contextmanager
def running(settings_dict: dict[str, Any]) -> Iterator[Pooler]:
    """Start PgBouncer (transaction mode, pool size 1) in front of ``settings_dict``'s database."""
    binary = PGBOUNCER if Path(PGBOUNCER).exists() else shutil.which("pgbouncer")
    assert binary, "pgbouncer is not installed (./flip test installs Debian's package)"
    # Its own directory, readable by the user it runs as (pytest's tmp_path is root's alone).
    with tempfile.TemporaryDirectory(prefix="flipside-pgbouncer-") as name:
        directory = Path(name)
        os.chmod(directory, 0o755)  # noqa: S103 (it holds only a test pooler's files)
        with _started(binary, settings_dict, directory) as pooler:
            yield pooler


@contextmanager
def _started(binary: str, settings_dict: dict[str, Any], directory: Path) -> Iterator[Pooler]:
    port = _free_port()
    name, user = settings_dict["NAME"], settings_dict["USER"]
    password = settings_dict.get("PASSWORD") or ""
    log = directory / "pgbouncer.log"
    (directory / "userlist.txt").write_text(f'"{user}" "{password}"\n')
    (directory / "pgbouncer.ini").write_text(
        "\n".join(
            [
                "[databases]",
                f"{name} = host={settings_dict['HOST'] or '127.0.0.1'} "
                f"port={settings_dict['PORT'] or 5432} dbname={name}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = plain",
                f"auth_file = {directory / 'userlist.txt'}",
                "pool_mode = transaction",
                "default_pool_size = 1",
                "min_pool_size = 0",
                "reserve_pool_size = 0",
                "max_client_conn = 100",
                # Django sends these at connect; the pooler must not refuse them.
                "ignore_startup_parameters = extra_float_digits,options",
                "server_reset_query =",
                f"logfile = {log}",
                f"pidfile = {directory / 'pgbouncer.pid'}",
                "",
            ]
        )
    )
    command = [binary]
    if os.geteuid() == 0:
        entry = pwd.getpwnam(RUN_AS)
        for path in [directory, *directory.iterdir()]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
        command += ["-u", RUN_AS]
    command.append(str(directory / "pgbouncer.ini"))
    process = subprocess.Popen(  # noqa: S603 (our own binary and config)
        command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait_for(port, process, log)
        yield Pooler(host="127.0.0.1", port=port, log=log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
