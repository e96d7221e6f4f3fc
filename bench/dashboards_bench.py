"""Dashboards benchmark: the program dashboard, the homes and the overview on the large tenant.

Run by ``./flip bench --only dashboards`` (``--quick``: scale 0.2, one round) on the throwaway bench
database that ``bench/run.py`` creates, migrates and drops. Steps:

1. Seeds the large tenant of issue #11 (``bench/large_tenant.py``: 5,000 people, 2,500 pairs over
   3 programs, 60,000 sessions, 20,000 check-ins, 20,000 survey answers, 50 small tenants), then
   ``ANALYZE``.
2. Signs in an admin, a coordinator and a participant (sessions in the database, as a browser's
   sign-in leaves them) and, in process through Django's test ``Client``, checks that every
   endpoint answers 200 and counts its SQL queries (``CaptureQueriesContext``).
3. Serves the product under gunicorn (``bench/server.py``; an access log records each request's
   own time, from the worker picking it up to the response: the *server time*, without the wait in
   the listen queue) and drives it from the load generator with 16 keep-alive connections, each
   connection sending its session cookie, in interleaved rounds: the bare JSON view, the program
   dashboard page and its API (the largest program), the staff home (admin and coordinator), the
   participant home and the organisation overview.

Reported per endpoint, medians over rounds: requests/s, client latency p50/p95 (which under 16
connections is mostly queueing: Little's law), server time p50/p95, throughput as a fraction of the
bare view's (round by round, then the median), the time of one request alone (in process, before
the load) and SQL queries per request, and the same in process with the cache emptied first (the
first read after a change computes the figures: ``dashboards.freshness``). Goal (issue #11):
server time median ≤ 100 ms and p95 ≤ 200 ms. Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import large_tenant
from bench.loadgen import LoadResult
from bench.run import BARE_PATH, Target, load
from bench.server import AccessLog, Gunicorn

SLUG = "large"
CONNECTIONS = 16
GOAL_MEDIAN_MS = 100.0
GOAL_P95_MS = 200.0
HOST = {"HTTP_HOST": "127.0.0.1"}


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    path: str
    user: str  # "", "admin", "coordinator", "participant"
    html: bool
    marker: str  # a text the answer must contain (the right page, not a sign-in form)


@dataclass
class EndpointFigures:
    endpoint: Endpoint
    queries: int = 0
    alone_ms: float = 0.0  # in process, one request at a time (median)
    # The same right after a change to the organisation's data (the cache emptied first): what
    # the request costs when its figures must be computed.
    cold_queries: int = 0
    cold_ms: float = 0.0
    rounds: list[LoadResult] = field(default_factory=list)
    server_ms: list[list[float]] = field(default_factory=list)  # per round

    def median(self, attribute: str) -> float:
        return statistics.median(float(getattr(r, attribute)) for r in self.rounds)

    def server_percentile(self, fraction: float) -> float:
        """The median over rounds of each round's server-time percentile."""
        values = []
        for samples in self.server_ms:
            ordered = sorted(samples)
            if ordered:
                values.append(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))])
        return statistics.median(values) if values else float("nan")


@dataclass
class DashboardsRun:
    seeded: large_tenant.LargeTenant
    seed_seconds: float
    figures: list[EndpointFigures]
    rounds: int
    duration: float

    def ratios(self, key: str) -> list[float]:
        bare = next(f for f in self.figures if f.endpoint.key == "bare")
        mine = next(f for f in self.figures if f.endpoint.key == key)
        return [r.rps / b.rps for r, b in zip(mine.rounds, bare.rounds, strict=True) if b.rps > 0]


def endpoints(seeded: large_tenant.LargeTenant) -> list[Endpoint]:
    slug = seeded.organization.slug
    program = seeded.largest_program.pk
    return [
        Endpoint("bare", f"bare JSON view {BARE_PATH}", BARE_PATH, "", False, '"status"'),
        Endpoint(
            "program_page",
            "program dashboard page (largest program, admin)",
            reverse("program_dashboard", args=(slug, program)),
            "admin",
            True,
            seeded.largest_program.name,
        ),
        Endpoint(
            "program_api",
            "program dashboard API (largest program, admin)",
            reverse("api-program-dashboard", args=(slug, program)),
            "admin",
            False,
            '"funnel"',
        ),
        Endpoint(
            "staff_home_admin",
            "staff home (admin: every program)",
            reverse("organization_home", args=(slug,)),
            "admin",
            True,
            seeded.largest_program.name,
        ),
        Endpoint(
            "staff_home_coordinator",
            "staff home (coordinator of 2 programs)",
            reverse("organization_home", args=(slug,)),
            "coordinator",
            True,
            seeded.largest_program.name,
        ),
        Endpoint(
            "participant_home",
            "participant home (mentee, active pair)",
            reverse("organization_home", args=(slug,)),
            "participant",
            True,
            seeded.largest_program.name,
        ),
        Endpoint(
            "overview",
            "organisation overview (admin)",
            reverse("organization_overview", args=(slug,)),
            "admin",
            True,
            seeded.largest_program.name,
        ),
    ]


def sign_in(seeded: large_tenant.LargeTenant) -> dict[str, Client]:
    """One signed-in test client per account: its session row is what gunicorn reads too."""
    clients = {"": Client()}
    for name in ("admin", "coordinator", "participant"):
        client = Client()
        client.force_login(getattr(seeded, name))
        clients[name] = client
    return clients


def headers_for(endpoint: Endpoint, clients: dict[str, Client]) -> dict[str, str]:
    headers = {"Accept": "text/html"} if endpoint.html else {}
    if endpoint.user:
        cookie = clients[endpoint.user].cookies[settings.SESSION_COOKIE_NAME].value
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    return headers


def count_queries(
    endpoint: Endpoint, client: Client, iterations: int
) -> tuple[int, float, int, float]:
    """Check the answer, count one request's SQL queries and time ``iterations`` requests one
    after the other: the cost of one request alone (median, ms), beside the figures under load;
    then the same with the cache emptied before each request (figures computed afresh, as after
    a change to the organisation's data)."""
    accept = "text/html" if endpoint.html else "application/json"

    def get() -> Any:
        return client.get(endpoint.path, HTTP_ACCEPT=accept, **HOST)  # type: ignore[arg-type]

    response = get()
    body = response.content.decode(errors="replace")
    if response.status_code != 200 or endpoint.marker not in body:
        raise RuntimeError(
            f"GET {endpoint.path} as {endpoint.user or 'anonymous'} answered "
            f"{response.status_code} without {endpoint.marker!r}: {body[:300]!r}"
        )

    def measure(cold: bool) -> tuple[int, float]:
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            get()
        # Counted now: the next request's request_started signal clears the log the capture reads.
        queries = len(captured)
        samples = []
        for _ in range(iterations):
            if cold:
                cache.clear()
            started = time.perf_counter()
            get()
            samples.append((time.perf_counter() - started) * 1000)
        return queries, statistics.median(samples)

    cold_queries, cold_ms = measure(cold=True)
    get()  # the cache filled again
    queries, alone_ms = measure(cold=False)
    return queries, alone_ms, cold_queries, cold_ms


def run(
    *,
    quick: bool,
    rounds: int | None,
    duration: float | None,
    workers: int,
    threads: int,
    say: Callable[[str], None],
) -> DashboardsRun:
    scale = 0.2 if quick else 1.0
    rounds = rounds or (1 if quick else 3)
    duration = duration or (3.0 if quick else 5.0)
    say(f"dashboards: seeding the large tenant at scale {scale:g}…")
    started = time.monotonic()
    seeded = large_tenant.seed(slug=SLUG, scale=scale, say=lambda m: say(f"  {m}"))
    seed_seconds = time.monotonic() - started
    say(f"seeded in {seed_seconds:.0f} s")
    clients = sign_in(seeded)
    figures = []
    for endpoint in endpoints(seeded):
        queries, alone, cold_queries, cold = count_queries(
            endpoint, clients[endpoint.user], 5 if quick else 15
        )
        figure = EndpointFigures(
            endpoint, queries=queries, alone_ms=alone, cold_queries=cold_queries, cold_ms=cold
        )
        figures.append(figure)
        say(
            f"{endpoint.label}: {queries} queries, {alone:.1f} ms alone (in process); "
            f"computed afresh {cold_queries} queries, {cold:.1f} ms"
        )
    targets = {
        f.endpoint.key: Target(
            f.endpoint.key, f.endpoint.label, f.endpoint.path, headers_for(f.endpoint, clients)
        )
        for f in figures
    }
    connections.close_all()

    access = AccessLog()
    server = Gunicorn(
        workers=workers, threads=threads, env=dict(os.environ), extra_args=access.gunicorn_args
    )
    try:
        say(f"starting {server.description} on 127.0.0.1:{server.port}…")
        server.start()
        for figure in figures:  # warm-up: every worker has connected and imported everything
            load(server.port, targets[figure.endpoint.key], duration=1.0, concurrency=CONNECTIONS)
        for number in range(1, rounds + 1):
            for figure in figures:
                access.skip()
                result = load(
                    server.port,
                    targets[figure.endpoint.key],
                    duration=duration,
                    concurrency=CONNECTIONS,
                )
                time.sleep(0.2)  # the last lines of the access log
                figure.rounds.append(result)
                figure.server_ms.append(access.read_ms(figure.endpoint.path))
                server_median = statistics.median(figure.server_ms[-1] or [float("nan")])
                say(
                    f"round {number}/{rounds} {figure.endpoint.key:<24} {result.rps:7.1f} req/s  "
                    f"client p50 {result.p50_ms:7.1f} ms  server p50 {server_median:7.1f} ms"
                )
    finally:
        server.stop()
        access.close()
    return DashboardsRun(seeded, seed_seconds, figures, rounds, duration)


def report(measured: DashboardsRun, server_description: str) -> tuple[list[str], dict[str, Any]]:
    counts = measured.seeded.counts
    lines = [
        "",
        "Dashboards on the large tenant (HTTP over loopback, 16 keep-alive connections)",
        f"  {counts['people']:,} people, {counts['pairs']:,} pairs, {counts['sessions']:,} sessions, "
        f"{counts['check_ins']:,} check-ins, {counts['survey_answers']:,} survey answers, "
        f"{counts['small_tenants']} small tenants; seeded in {measured.seed_seconds:.0f} s",
        f"  {server_description}; {measured.rounds} interleaved round(s) of {measured.duration:g} s "
        "per endpoint; medians over rounds",
        f"  goal: server time median ≤ {GOAL_MEDIAN_MS:.0f} ms and p95 ≤ {GOAL_P95_MS:.0f} ms "
        "(server time: gunicorn's own request time, without the listen-queue wait)",
        "",
        f"  {'endpoint':<50}{'req/s':>8}{'x bare':>8}{'client':>9}{'client':>9}"
        f"{'server':>9}{'server':>9}{'alone':>8}{'queries':>9}{'fresh':>8}{'fresh':>8}  verdict",
        f"  {'':<50}{'':>8}{'':>8}{'p50 ms':>9}{'p95 ms':>9}{'p50 ms':>9}{'p95 ms':>9}{'ms':>8}"
        f"{'':>9}{'ms':>8}{'queries':>8}",
    ]
    figures_json: dict[str, Any] = {"counts": counts, "seed_seconds": measured.seed_seconds}
    for figure in measured.figures:
        key = figure.endpoint.key
        ratio = statistics.median(measured.ratios(key))
        server_p50 = figure.server_percentile(0.5)
        server_p95 = figure.server_percentile(0.95)
        verdict = (
            ""
            if key == "bare"
            else "ok"
            if server_p50 <= GOAL_MEDIAN_MS and server_p95 <= GOAL_P95_MS
            else "OVER"
        )
        lines.append(
            f"  {figure.endpoint.label:<50}{figure.median('rps'):>8.1f}{ratio:>8.3f}"
            f"{figure.median('p50_ms'):>9.1f}{figure.median('p95_ms'):>9.1f}"
            f"{server_p50:>9.1f}{server_p95:>9.1f}{figure.alone_ms:>8.1f}{figure.queries:>9}"
            f"{figure.cold_ms:>8.1f}{figure.cold_queries:>8}  {verdict}"
        )
        figures_json[key] = {
            "path": figure.endpoint.path,
            "rps": figure.median("rps"),
            "ratio_to_bare": ratio,
            "client_p50_ms": figure.median("p50_ms"),
            "client_p95_ms": figure.median("p95_ms"),
            "server_p50_ms": server_p50,
            "server_p95_ms": server_p95,
            "alone_ms": figure.alone_ms,
            "queries": figure.queries,
            "fresh_ms": figure.cold_ms,
            "fresh_queries": figure.cold_queries,
        }
    lines += [
        "  alone: one request at a time in process, figures from the cache (nothing changed);",
        "  fresh: the same with the cache emptied first, as for the first read after a change.",
        "",
    ]
    return lines, figures_json
