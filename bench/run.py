"""Flipside benchmark: what a tenant-scoped, authenticated API request costs next to a bare view.

Run it with ``./flip bench`` (``./flip bench --quick`` for a short run); see bench/README.md.

1. Creates a throwaway database (``flipside_bench_<pid>``) with the app role, migrates it and seeds
   two look-alike organisations with an admin, N memberships and an API token each.
2. Serves the product under gunicorn with ``bench.settings`` (the product's settings plus one bare
   JSON view) on a free loopback port, and drives it from a separate load-generator process:
   (a) ``GET /bench/bare`` and (b) ``GET /api/v1/o/<slug>/members/?page_size=20`` with a Bearer
   token, in interleaved rounds (a, b, a, b, …); medians over the rounds.
3. Stops gunicorn and measures in-process what the tenancy middleware and the RLS settings cost, and
   which queries one request to (b) runs.
4. Prints the figures, stops everything it started and drops the database. Timings are reported,
   never asserted: the exit code only says whether the harness itself worked.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ itself first on sys.path, where settings.py and urls.py would
# shadow top-level modules of those names: use the project root instead.
sys.path[:] = [str(PROJECT_ROOT)] + [
    entry
    for entry in sys.path
    if Path(entry or ".").resolve() not in {PROJECT_ROOT, PROJECT_ROOT / "bench"}
]

from bench import cpu  # noqa: E402
from bench.database import PREFIX as BENCH_DATABASE_PREFIX  # noqa: E402
from bench.database import BenchDatabase  # noqa: E402
from bench.loadgen import LoadResult  # noqa: E402
from bench.server import Gunicorn, get  # noqa: E402

if TYPE_CHECKING:
    from bench.inprocess import InProcessResult

BARE_PATH = "/bench/bare"
BARE_DRF_PATH = "/bench/drf-members/?page_size=20"


@dataclass(frozen=True)
class Options:
    quick: bool
    rounds: int
    duration: float
    single_duration: float
    warmup: float
    concurrency: int
    workers: int
    threads: int
    members: int
    iterations: int
    json_path: Path | None
    only: str
    import_rows: int
    import_runs: int
    profile: Path | None


def _rls_round_trip(sql: str) -> bool:
    """A query that only sets the RLS settings (a round trip of its own), not a statement that
    carries them in its own query message (organizations/scope.py)."""
    statements = [part for part in sql.split(";") if part.strip()]
    return bool(statements) and all("set_config(" in part for part in statements)


def parse_options(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="./flip bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="a short run, as CI runs it (about a minute)"
    )
    parser.add_argument("--rounds", type=int, help="interleaved rounds per endpoint (5; quick: 2)")
    parser.add_argument(
        "--duration", type=float, help="seconds per endpoint per round (3; quick: 1)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="open connections (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (4)")
    parser.add_argument("--members", type=int, help="memberships per organisation (40; quick: 30)")
    parser.add_argument("--iterations", type=int, help="in-process iterations (500; quick: 100)")
    parser.add_argument("--json", type=Path, dest="json_path", help="also write the figures here")
    parser.add_argument(
        "--only",
        choices=(
            "all",
            "http",
            "import",
            "matching",
            "surveys",
            "survey_results",
            "dashboards",
            "load",
        ),
        default="all",
        help="run only the HTTP part, the directory import part, matching (engine only and "
        "end to end in Django on its own bench database), survey dispatch (bench/surveys_bench.py), "
        "survey results for a 2,000-respondent program or the dashboards on the large tenant "
        "(bench/dashboards_bench.py: 16 connections, its own rounds and durations; --quick: scale "
        "0.2, one round), the locust journey of 50 people signing in from one address "
        "(bench/load_bench.py; fails on any error); all: HTTP and import (the others run only "
        "when asked)",
    )
    parser.add_argument(
        "--import-rows", type=int, help="rows of the import file (10000; quick: 2000)"
    )
    parser.add_argument("--import-runs", type=int, help="import runs (3; quick: 1)")
    parser.add_argument(
        "--profile",
        type=Path,
        help="also profile (pyinstrument) 300 in-process requests to (b) and (c); "
        "writes DIR/<name>.txt and .html",
    )
    args = parser.parse_args(argv)
    quick: bool = args.quick
    options = Options(
        quick=quick,
        rounds=args.rounds or (2 if quick else 5),
        duration=(duration := args.duration or (1.0 if quick else 3.0)),
        single_duration=max(1.0, duration / 2),
        warmup=0.5 if quick else 2.0,
        concurrency=args.concurrency,
        workers=args.workers,
        threads=args.threads,
        members=args.members or (30 if quick else 40),
        iterations=args.iterations or (100 if quick else 500),
        json_path=args.json_path,
        only=args.only,
        import_rows=args.import_rows or (2_000 if quick else 10_000),
        import_runs=args.import_runs or (1 if quick else 3),
        profile=args.profile,
    )
    if options.members < 21:
        parser.error("--members must be at least 21 so that a page of 20 has a next page")
    if (
        min(
            options.rounds,
            options.concurrency,
            options.workers,
            options.threads,
            options.iterations,
            options.import_rows,
            options.import_runs,
        )
        < 1
    ):
        parser.error("counts must be positive")
    if not 0 < options.duration <= 30:
        parser.error("--duration must be between 0 and 30 seconds")
    return options


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- HTTP over loopback ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    path: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Mode:
    key: str
    label: str
    concurrency: int
    duration: float


@dataclass
class RoundFigures:
    """Load results per (target, mode) in round order: ``results["b", "load"][round]``; the CPU
    time per request of gunicorn, PostgreSQL and Redis in each round with many connections
    (``cpu_ms["b"][round]``, bench/cpu.py; empty where /proc is not there)."""

    results: dict[tuple[str, str], list[LoadResult]] = field(default_factory=dict)
    cpu_ms: dict[str, list[float]] = field(default_factory=dict)

    def add(self, target: Target, mode: Mode, result: LoadResult) -> None:
        self.results.setdefault((target.key, mode.key), []).append(result)

    def median(self, target: str, mode: str, attribute: str) -> float:
        return statistics.median(float(getattr(r, attribute)) for r in self.results[target, mode])

    def ratios(self, mode: str, attribute: str, of: str = "b", to: str = "a") -> list[float]:
        """(of)/(to) for one figure, round by round (each pair measured back to back)."""
        return [
            float(getattr(x, attribute)) / float(getattr(y, attribute))
            for x, y in zip(self.results[of, mode], self.results[to, mode], strict=True)
            if float(getattr(y, attribute)) > 0
        ]


def load(port: int, target: Target, *, duration: float, concurrency: int) -> LoadResult:
    config = {
        "port": port,
        "path": target.path,
        "headers": target.headers,
        "concurrency": concurrency,
        "duration": duration,
        "max_requests": 200_000,
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bench.loadgen", json.dumps(config)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the load generator failed:\n{completed.stderr[-3000:]}")
    result = LoadResult(**json.loads(completed.stdout))
    unexpected = {code: n for code, n in result.statuses.items() if code != "200"}
    if result.errors or unexpected or not result.requests:
        raise RuntimeError(
            f"{target.label}: {result.errors} errors {result.error_samples}, "
            f"unexpected statuses {unexpected}, {result.requests} answered requests"
        )
    return result


def _page_of_20(port: int, target: Target) -> list[dict[str, Any]]:
    status, body = get(port, target.path, target.headers)
    page = json.loads(body) if status == 200 else {}
    results: list[dict[str, Any]] = page.get("results", [])
    if status != 200 or len(results) != 20 or not page.get("next"):
        raise RuntimeError(
            f"GET {target.path} answered {status} with {len(results)} items: {body[:300]!r}"
        )
    return results


def check_responses(
    port: int, api: Target, bare_drf: Target, *, other_token: str, other_slug: str, slug: str
) -> None:
    """Before timing anything: every endpoint answers what it should, and tenancy holds."""
    status, body = get(port, BARE_PATH)
    if status != 200 or json.loads(body).get("status") != "ok":
        raise RuntimeError(f"GET {BARE_PATH} answered {status}: {body[:300]!r}")
    results = _page_of_20(port, api)
    if any(not item["email"].endswith(f"@{slug}.bench.test") for item in results):
        raise RuntimeError(f"GET {api.path} listed people of another organisation")
    # The bare-DRF baseline serves the same page: same people, same fields, same order.
    if _page_of_20(port, bare_drf) != results:
        raise RuntimeError(f"GET {bare_drf.path} did not answer the same page as {api.path}")
    # Another organisation's token is a token not valid here: 401 (as at an unknown slug); no
    # token at all looks like an unknown organisation: 404.
    for headers, expected in (({"Authorization": f"Bearer {other_token}"}, 401), ({}, 404)):
        status, body = get(port, api.path, headers)
        if status != expected:
            raise RuntimeError(
                f"GET {api.path} with {headers or 'no token'} answered {status}, not {expected}"
            )
    status, body = get(port, api.path.replace(f"/o/{slug}/", f"/o/{other_slug}/"), api.headers)
    if status != 401:
        raise RuntimeError(f"org A's token on org B's members answered {status}, not 401")


def modes(options: Options) -> list[Mode]:
    return [
        Mode("load", f"{options.concurrency} connections", options.concurrency, options.duration),
        Mode("single", "1 connection", 1, options.single_duration),
    ]


def serving(server: Gunicorn) -> cpu.Serving | None:
    """The processes whose CPU time a request costs (bench/cpu.py): gunicorn's, the PostgreSQL
    this bench's database lives in (found from a backend of ours) and the Redis in REDIS_URL."""
    from django.db import connection

    if server.process is None or not cpu.PROC.is_dir():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
        found = cpu.Serving.find(
            server_pid=server.process.pid,
            postgres_backend_pid=backend,
            redis_url=os.environ.get("REDIS_URL", ""),
        )
    connection.close()
    return found


def run_http(server: Gunicorn, targets: list[Target], options: Options) -> RoundFigures:
    for target in targets:
        load(server.port, target, duration=options.warmup, concurrency=options.concurrency)
    figures = RoundFigures()
    processes = serving(server)
    for number in range(1, options.rounds + 1):
        for mode in modes(options):
            for target in targets:
                measured = processes if mode.key == "load" else None
                cpu_before = measured.cpu_seconds() if measured else 0.0
                result = load(
                    server.port, target, duration=mode.duration, concurrency=mode.concurrency
                )
                if measured:
                    spent = measured.cpu_seconds() - cpu_before
                    figures.cpu_ms.setdefault(target.key, []).append(1000 * spent / result.requests)
                figures.add(target, mode, result)
                say(
                    f"round {number}/{options.rounds} ({target.key}) {mode.label:>14}: "
                    f"{result.rps:7.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
                    f"p99 {result.p99_ms:7.2f} ms"
                )
    return figures


# --- Report ----------------------------------------------------------------------------------------


def _row(label: str, *values: str, width: int = 56) -> str:
    return f"  {label:<{width}}" + "".join(f"{value:>11}" for value in values)


def _ratio_line(label: str, ratios: list[float], digits: int) -> list[str]:
    return [
        _row(label, f"{statistics.median(ratios):.{digits}f}"),
        "      per round: " + "  ".join(f"{ratio:.{digits}f}" for ratio in ratios),
    ]


def report(
    *,
    options: Options,
    server_description: str,
    seeded: dict[str, int],
    targets: list[Target],
    figures: RoundFigures,
    inprocess: InProcessResult,
    started: float,
) -> dict[str, Any]:
    load_mode, single_mode = modes(options)
    lines = [
        "",
        "Flipside benchmark" + (" (--quick)" if options.quick else ""),
        f"  {os.cpu_count()} CPU cores, shared by the server, the load generator and PostgreSQL; "
        f"{server_description}",
        f"  {options.rounds} interleaved rounds (a, b, c, a, b, c): {load_mode.duration:g} s per endpoint "
        f"with {load_mode.concurrency} keep-alive connections, then {single_mode.duration:g} s with "
        f"1; {options.warmup:g} s warm-up each",
        "  memberships: " + ", ".join(f"{slug} {count}" for slug, count in seeded.items()),
    ]
    for mode in (load_mode, single_mode):
        lines += ["", _row(f"HTTP, {mode.label} (median over rounds)", "req/s", "p50 ms", "p99 ms")]
        for target in targets:
            lines.append(
                _row(
                    f"({target.key}) {target.label}",
                    f"{figures.median(target.key, mode.key, 'rps'):.1f}",
                    f"{figures.median(target.key, mode.key, 'p50_ms'):.2f}",
                    f"{figures.median(target.key, mode.key, 'p99_ms'):.2f}",
                )
            )
    throughput = figures.ratios(load_mode.key, "rps")
    latency = figures.ratios(single_mode.key, "p50_ms")
    throughput_drf = figures.ratios(load_mode.key, "rps", of="b", to="c")
    latency_drf = figures.ratios(single_mode.key, "p50_ms", of="b", to="c")
    throughput_c = figures.ratios(load_mode.key, "rps", of="c", to="a")
    lines += [
        "",
        *_ratio_line(f"(b)/(c) throughput, {load_mode.label}, median ratio", throughput_drf, 3),
        "      goal: (b) tenant list >= 0.8 x (c) bare-DRF list",
        *_ratio_line(f"(b)/(c) p50 latency, {single_mode.label}, median ratio", latency_drf, 2),
        *_ratio_line(f"(b)/(a) throughput, {load_mode.label}, median ratio", throughput, 3),
        *_ratio_line(f"(b)/(a) p50 latency, {single_mode.label}, median ratio", latency, 2),
        *_ratio_line(f"(c)/(a) throughput, {load_mode.label}, median ratio", throughput_c, 3),
    ]
    if figures.cpu_ms:
        lines += [
            "",
            _row(
                f"CPU per request, {load_mode.label}: gunicorn + PostgreSQL + Redis",
                "median ms",
            ),
            *(
                _row(f"  ({key})", f"{statistics.median(values):.3f}")
                + "   rounds "
                + " ".join(f"{value:.2f}" for value in values)
                for key, values in figures.cpu_ms.items()
            ),
        ]
        if "b" in figures.cpu_ms and "c" in figures.cpu_ms:
            cpu_b = statistics.median(figures.cpu_ms["b"])
            cpu_c = statistics.median(figures.cpu_ms["c"])
            lines.append(
                _row(
                    "  (c)/(b) by CPU: the throughput ratio a CPU-bound server allows",
                    f"{cpu_c / cpu_b:.3f}",
                )
            )
    lines += [
        "",
        _row(f"In process (median of {options.iterations} iterations)", "median µs", "p90 µs"),
    ]
    for timing in inprocess.timings:
        lines.append(_row(timing.label, f"{timing.median_us:.1f}", f"{timing.p90_us:.1f}"))
    middleware_cost = inprocess.median("OrganizationMiddleware, API path") - inprocess.median(
        "OrganizationMiddleware, other path"
    )
    rls_cost = inprocess.median("members page query, RLS policy on") - inprocess.median(
        "members page query, RLS off (NO FORCE)"
    )
    client_b = inprocess.median("Client GET (b) members API")
    client_c = inprocess.median("Client GET (c) bare-DRF list")
    lines += [
        _row(
            "=> tenancy middleware per API request (API - other)",
            f"{middleware_cost:.1f}",
            f"{100 * middleware_cost / client_b:.0f}% of (b)",
        ),
        _row("=> RLS policy on the list query (on - off)", f"{rls_cost:.1f}"),
        _row(
            "=> (b) - (c): what tenancy, token, membership, throttle add",
            f"{client_b - client_c:.1f}",
        ),
        _row("=> (b)/(c) in process", f"{client_b / client_c:.2f}"),
        "",
        _row("Python calls per request (cProfile; a count, not a time)", "(a)", "(b)"),
        _row(
            "  (a) bare view, (b) members API",
            f"{inprocess.calls['a']:,}",
            f"{inprocess.calls['b']:,}",
        ),
        _row(
            "  (c) bare-DRF list, (b)/(c)",
            f"{inprocess.calls['c']:,}",
            f"{inprocess.calls['b'] / inprocess.calls['c']:.2f}",
        ),
    ]
    for key, queries in (("b", inprocess.queries), ("c", inprocess.queries_c)):
        rls = sum(1 for query in queries if _rls_round_trip(query))
        lines += [
            "",
            f"  Queries per request for ({key}): {len(queries)}, of which {rls} only set the RLS "
            "settings (they normally ride with the statements) (plus the connection health "
            "check's SELECT 1 when a kept connection is reused)",
        ]
        for number, query in enumerate(queries, 1):
            compact = " ".join(query.split())
            lines.append(f"    {number}. {compact[:110]}{'…' if len(compact) > 110 else ''}")
    lines += ["", f"  Total run time {time.monotonic() - started:.0f} s", ""]
    print("\n".join(lines), flush=True)
    return {
        "options": {
            key: str(value) if isinstance(value, Path) else value
            for key, value in asdict(options).items()
        },
        "server": server_description,
        "cpu_count": os.cpu_count(),
        "memberships": seeded,
        "http": {
            f"{target.key}:{mode.key}": {
                "path": target.path,
                "concurrency": mode.concurrency,
                "rounds": [asdict(r) for r in figures.results[target.key, mode.key]],
                "median_rps": figures.median(target.key, mode.key, "rps"),
                "median_p50_ms": figures.median(target.key, mode.key, "p50_ms"),
                "median_p99_ms": figures.median(target.key, mode.key, "p99_ms"),
            }
            for target in targets
            for mode in (load_mode, single_mode)
        },
        "ratio_b_over_a_rps": statistics.median(throughput),
        "ratio_b_over_a_p50_single": statistics.median(latency),
        "ratio_b_over_c_rps": statistics.median(throughput_drf),
        "ratio_b_over_c_rps_rounds": throughput_drf,
        "ratio_b_over_c_p50_single": statistics.median(latency_drf),
        "ratio_c_over_a_rps": statistics.median(throughput_c),
        "cpu_ms_per_request": {
            key: {"median": statistics.median(values), "rounds": values}
            for key, values in figures.cpu_ms.items()
        },
        "inprocess_ratio_b_over_c": client_b / client_c,
        "inprocess_us": {timing.label: timing.median_us for timing in inprocess.timings},
        "tenancy_middleware_us": middleware_cost,
        "rls_policy_us": rls_cost,
        "python_calls_per_request": inprocess.calls,
        "queries_b": inprocess.queries,
        "queries_per_request_b": len(inprocess.queries),
        "rls_queries_per_request_b": sum(1 for q in inprocess.queries if _rls_round_trip(q)),
        "queries_c": inprocess.queries_c,
        "queries_per_request_c": len(inprocess.queries_c),
    }


# --- Main ------------------------------------------------------------------------------------------


def _terminate(signum: int, frame: FrameType | None) -> None:
    # Unwinds through main's ExitStack: gunicorn stopped, database dropped.
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    if options.only == "matching":
        from bench import matching_bench

        extra = ["--json", str(options.json_path)] if options.json_path else []
        return matching_bench.main((["--quick"] if options.quick else []) + extra)
    if options.only == "surveys":
        from bench import surveys_bench

        return surveys_bench.main(["--quick"] if options.quick else [])
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _terminate)
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url:
        say("DATABASE_URL is not set: run the benchmark with ./flip bench")
        return 2
    database = BenchDatabase(base_url=base_url, name=f"{BENCH_DATABASE_PREFIX}{os.getpid()}")
    for name in database.drop_abandoned():
        say(f"dropped {name}, left behind by a run that was killed")
    with ExitStack() as stack:
        say(f"creating database {database.name}…")
        database.create()
        stack.callback(database.drop)
        os.environ["FLIPSIDE_BENCH_DATABASE_URL"] = database.url
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        os.environ.setdefault("FLIPSIDE_ENV", "test")

        import django
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        stack.callback(connections.close_all)  # before the drop (callbacks run last-in, first-out)

        # These import models, so only now that Django is set up.
        from bench import inprocess
        from bench.seed import seed

        say("migrating…")
        call_command("migrate", interactive=False, verbosity=0)
        figures_json: dict[str, Any] = {}
        load_failed = False
        if options.only == "survey_results":
            from bench import survey_results_bench

            iterations = 10 if options.quick else 30
            seeded, timings = survey_results_bench.run(iterations=iterations, say=say)
            print("\n".join(survey_results_bench.report(seeded, timings, iterations)), flush=True)
            figures_json["survey_results"] = {
                timing.label: {"median_ms": timing.median_ms, "queries": timing.queries}
                for timing in timings
            }
        elif options.only == "dashboards":
            from bench import dashboards_bench

            dashboards = dashboards_bench.run(
                quick=options.quick,
                rounds=None,
                duration=None,
                workers=options.workers,
                threads=options.threads,
                say=say,
            )
            lines, figures_json["dashboards"] = dashboards_bench.report(
                dashboards,
                f"gunicorn {options.workers} workers x {options.threads} threads (gthread)",
            )
            print("\n".join(lines), flush=True)
        elif options.only == "load":
            from bench import load_bench

            loaded = load_bench.run(workers=options.workers, threads=options.threads, say=say)
            lines, figures_json["load"] = load_bench.report(loaded)
            print("\n".join(lines), flush=True)
            if figures_json["load"]["failures"]:
                load_failed = True
            if options.json_path is None:
                written = PROJECT_ROOT / "var" / "bench" / "load.json"
                written.parent.mkdir(parents=True, exist_ok=True)
                written.write_text(json.dumps(figures_json, indent=2) + "\n")
                say(f"figures written to {written}")
        elif options.only != "import":
            say(f"seeding two organisations with {options.members} members each…")
            data = seed(members=options.members)
            connections.close_all()
            slug = data.tenant.organization.slug
            targets = [
                Target("a", f"GET {BARE_PATH}", BARE_PATH, {}),
                Target(
                    "b",
                    f"GET /api/v1/o/{slug}/members/?page_size=20",
                    f"/api/v1/o/{slug}/members/?page_size=20",
                    {"Authorization": f"Bearer {data.tenant.token}"},
                ),
                Target("c", f"GET {BARE_DRF_PATH} (bare DRF)", BARE_DRF_PATH, {}),
            ]

            server = Gunicorn(
                workers=options.workers, threads=options.threads, env=dict(os.environ)
            )
            stack.callback(server.stop)
            say(f"starting {server.description} on 127.0.0.1:{server.port}…")
            server.start()
            check_responses(
                server.port,
                targets[1],
                targets[2],
                other_token=data.other.token,
                other_slug=data.other.organization.slug,
                slug=slug,
            )
            figures = run_http(server, targets, options)
            server.stop()

            say("measuring in process…")
            measured = inprocess.run(
                organization=data.tenant.organization,
                api_path=targets[1].path,
                bare_path=BARE_PATH,
                bare_drf_path=BARE_DRF_PATH,
                token=data.tenant.token,
                iterations=options.iterations,
            )
            if options.profile:
                say(f"profiling 300 requests each to (b) and (c) into {options.profile}…")
                for written in inprocess.profile(
                    paths={
                        "api-members": (
                            targets[1].path,
                            {"authorization": f"Bearer {data.tenant.token}"},
                        ),
                        "bare-drf-members": (BARE_DRF_PATH, {}),
                    },
                    requests=300,
                    directory=options.profile,
                ):
                    say(f"  {written}")
            figures_json = report(
                options=options,
                server_description=server.description,
                seeded={
                    slug: data.tenant.memberships,
                    data.other.organization.slug: data.other.memberships,
                },
                targets=targets,
                figures=figures,
                inprocess=measured,
                started=started,
            )
        if options.only in ("all", "import"):
            from bench import import_bench

            say(f"import: {options.import_rows:,} rows, {options.import_runs} runs…")
            imported = import_bench.run(rows=options.import_rows, runs=options.import_runs, say=say)
            print("\n".join(import_bench.report(imported)), flush=True)
            figures_json["import"] = {
                "rows": imported.rows,
                "median_s": {label: imported.median(label) for label in imported.timings},
            }
        if options.json_path:
            options.json_path.write_text(json.dumps(figures_json, indent=2) + "\n")
            say(f"figures written to {options.json_path}")
    if database.exists():
        say(f"database {database.name} is still there after the run")
        return 1
    if load_failed:
        say("the load journey had failures (above): zero are required")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
