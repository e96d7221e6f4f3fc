"""PostgreSQL restarted under requests: while it is down every request gets the product's own 503
(page or JSON body, no traceback); once it is back the same server processes serve again, without
a restart. The test runs its own PostgreSQL (the shared test database stays up)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from mentoring.runner import VAR, EmbeddedPostgres, free_port, provision_app_role
from tests.resilience.processes import Server, database_url

pytestmark = pytest.mark.integration

# A page with a session cookie (the session is read from the database; unknown: to the sign-in
# page), and an API list (the organisation middleware reads it: no such organisation here).
PAGE = "/o/acme/"
SESSION = {"Cookie": "sessionid=no-such-session"}
API = "/api/v1/o/acme/programs/"


def _copy_schema(admin_url: str, app_url: str) -> None:
    """The test database's schema (tables, row-level security, owners) into the new server."""
    bin_dir = EmbeddedPostgres(Path("/nonexistent")).bin
    dump = subprocess.run(
        [str(bin_dir / "pg_dump"), "--schema-only", "--no-privileges", database_url()],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(
        [
            str(bin_dir / "psql"),
            "--quiet",
            "--set",
            "ON_ERROR_STOP=1",
            admin_url.rsplit("/", 1)[0] + "/flipside",
        ],
        input=dump,
        capture_output=True,
        check=True,
    )


def test_requests_during_a_database_restart_get_a_clean_503_then_the_same_server_recovers(
    db: None, tmp_path: Path
) -> None:
    # Under var/ like the shared server: pytest resets its own temporary tree to 0700 whenever a
    # session starts, which would lock the server's system user out of its data directory.
    root = Path(tempfile.mkdtemp(prefix="test-postgres-", dir=VAR))
    postgres = EmbeddedPostgres(root)
    admin_url = postgres.start()
    server: Server | None = None
    try:
        app_url = provision_app_role(admin_url)
        _copy_schema(admin_url, app_url)
        server = Server(tmp_path, free_port(), DATABASE_URL=app_url)
        assert server.get(PAGE, **SESSION)[0] == 302
        assert server.get(API)[0] == 404
        workers = server.worker_pids()

        postgres.stop()
        for _ in range(3):
            status, body, headers = server.get(PAGE, **SESSION)
            assert status == 503
            assert "Briefly unavailable" in body
            assert "Traceback" not in body
            assert headers["Retry-After"] == "10"
            status, body, _headers = server.get(API, Accept="application/json")
            assert status == 503
            assert body.startswith('{"detail": "The service is briefly unavailable.')

        # Back on the same port (pg_ctl directly: the port may still be in TIME_WAIT for a probe).
        postgres._run(
            "pg_ctl",
            "-D",
            str(postgres.data),
            "-l",
            str(postgres.data / "server.log"),
            "-w",
            "-o",
            f"-p {postgres.port}",
            "start",
        )
        assert server.get(PAGE, **SESSION)[0] == 302
        assert server.get(API)[0] == 404
        assert server.worker_pids() == workers  # the same processes: nothing was restarted
    finally:
        if server is not None:
            server.stop()
        postgres.started_here = True
        with contextlib.suppress(RuntimeError):  # already stopped
            postgres.stop()
        shutil.rmtree(root, ignore_errors=True)
