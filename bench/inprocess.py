"""In-process measurements: what tenancy (middleware + RLS settings) costs per request.

Import after ``django.setup()``. Everything here runs in the harness's own process against the bench
database, with gunicorn already stopped so the two do not compete for the CPU.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from organizations.middleware import OrganizationMiddleware
from organizations.models import Membership, Organization
from organizations.scope import no_scope, tenant_scope

HOST_HEADERS = {"host": "127.0.0.1"}


@dataclass(frozen=True)
class Timing:
    label: str
    median_us: float
    p90_us: float
    iterations: int


@dataclass
class InProcessResult:
    timings: list[Timing] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)  # SQL of one request to (b), in order
    queries_c: list[str] = field(default_factory=list)  # and of one request to (c)
    # Python function calls per request (cProfile), for (a), (b), (c): a count, not a time, so it
    # is the same on a busy machine as on a quiet one.
    calls: dict[str, int] = field(default_factory=dict)

    def median(self, label: str) -> float:
        return next(t.median_us for t in self.timings if t.label == label)


def measure(
    label: str, action: Callable[[], object], *, iterations: int, warmup: int = 50
) -> Timing:
    for _ in range(warmup):
        action()
    samples: list[int] = []
    for _ in range(iterations):
        started = time.perf_counter_ns()
        action()
        samples.append(time.perf_counter_ns() - started)
    samples.sort()
    return Timing(
        label=label,
        median_us=statistics.median(samples) / 1000,
        p90_us=samples[int(0.9 * (len(samples) - 1))] / 1000,
        iterations=iterations,
    )


def python_calls(action: Callable[[], None], *, repeats: int = 20) -> int:
    """Python function calls per ``action()`` (cProfile's count, calls into C included): what the
    interpreter does for a request, whatever else the machine is doing."""
    action()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        action()
    profiler.disable()
    return round(pstats.Stats(profiler).total_calls / repeats)  # type: ignore[attr-defined]


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _enter_and_leave(scope: Callable[[], AbstractContextManager[None]]) -> Callable[[], None]:
    def action() -> None:
        with scope():
            pass

    return action


def _members_page() -> None:
    """The list query of (b) (a page of 20, plus one to know there is a next page)."""
    list(Membership.objects.select_related("user").order_by("-id")[:21])


def _set_force_rls(table: str, force: bool) -> None:
    # The app role owns the bench tables (it migrated them): as owner it may switch FORCE off,
    # after which the policy no longer applies to it. Restored before the database is dropped.
    verb = "FORCE" if force else "NO FORCE"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} {verb} ROW LEVEL SECURITY")


def run(
    *,
    organization: Organization,
    api_path: str,
    bare_path: str,
    bare_drf_path: str,
    token: str,
    iterations: int,
) -> InProcessResult:
    result = InProcessResult()
    _select_one()  # open the connection: the scope functions only touch open connections

    def ok_response(request: HttpRequest) -> HttpResponse:
        return HttpResponse(b"ok")

    middleware = OrganizationMiddleware(ok_response)
    factory = RequestFactory(headers=HOST_HEADERS)
    api_request, bare_request = factory.get(api_path), factory.get(bare_path)
    client = Client(headers=HOST_HEADERS, raise_request_exception=True)
    auth = {"authorization": f"Bearer {token}"}

    def client_get(path: str, headers: dict[str, str] | None = None) -> Callable[[], None]:
        def action() -> None:
            response = client.get(path, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(
                    f"GET {path} answered {response.status_code}: {response.content[:300]!r}"
                )

        return action

    result.timings.append(measure("SELECT 1 round trip", _select_one, iterations=iterations))
    result.timings.append(
        measure(
            "tenant_scope(org) enter + exit",
            _enter_and_leave(lambda: tenant_scope(organization)),
            iterations=iterations,
        )
    )
    result.timings.append(
        measure(
            "no_scope() enter + exit (no change)", _enter_and_leave(no_scope), iterations=iterations
        )
    )
    result.timings.append(
        measure(
            "OrganizationMiddleware, API path",
            lambda: middleware(api_request),
            iterations=iterations,
        )
    )
    result.timings.append(
        measure(
            "OrganizationMiddleware, other path",
            lambda: middleware(bare_request),
            iterations=iterations,
        )
    )
    result.timings.append(
        measure("Client GET (a) bare view", client_get(bare_path), iterations=iterations)
    )
    result.timings.append(
        measure("Client GET (b) members API", client_get(api_path, auth), iterations=iterations)
    )
    result.timings.append(
        measure("Client GET (c) bare-DRF list", client_get(bare_drf_path), iterations=iterations)
    )

    # One request first, as under steady traffic: the organisation is remembered for a few seconds
    # (organizations.selectors.organization_for_request), which the timings above may outlast.
    client_get(api_path, auth)()
    with CaptureQueriesContext(connection) as captured:
        client_get(api_path, auth)()
    result.queries = [query["sql"] for query in captured.captured_queries]
    with CaptureQueriesContext(connection) as captured:
        client_get(bare_drf_path)()
    result.queries_c = [query["sql"] for query in captured.captured_queries]

    for key, path, headers in (
        ("a", bare_path, None),
        ("b", api_path, auth),
        ("c", bare_drf_path, None),
    ):
        result.calls[key] = python_calls(client_get(path, headers))

    # Cost of the RLS policy on the list query itself: FORCE (policy applies) vs NO FORCE, in
    # alternating blocks so that drift on a noisy machine hits both alike.
    table = Membership._meta.db_table
    with_rls: list[Timing] = []
    without_rls: list[Timing] = []
    block = max(iterations // 4, 50)
    try:
        with tenant_scope(organization):
            for _ in range(2):
                _set_force_rls(table, force=False)
                without_rls.append(measure("", _members_page, iterations=block))
                _set_force_rls(table, force=True)
                with_rls.append(measure("", _members_page, iterations=block))
    finally:
        _set_force_rls(table, force=True)
    for label, blocks in (
        ("members page query, RLS policy on", with_rls),
        ("members page query, RLS off (NO FORCE)", without_rls),
    ):
        result.timings.append(
            Timing(
                label=label,
                median_us=statistics.median(t.median_us for t in blocks),
                p90_us=statistics.median(t.p90_us for t in blocks),
                iterations=sum(t.iterations for t in blocks),
            )
        )
    return result


def profile(
    *, paths: dict[str, tuple[str, dict[str, str]]], requests: int, directory: Path
) -> list[Path]:
    """pyinstrument over ``requests`` whole requests per path (Django's test Client, in process).

    Writes ``<name>.txt`` (the call tree) and ``<name>.html`` per path; returns the text files.
    """
    from pyinstrument import Profiler

    directory.mkdir(parents=True, exist_ok=True)
    client = Client(headers=HOST_HEADERS, raise_request_exception=True)
    written: list[Path] = []
    for name, (path, headers) in paths.items():
        for _ in range(20):
            client.get(path, headers=headers)
        profiler = Profiler(interval=0.0001)
        profiler.start()
        for _ in range(requests):
            response = client.get(path, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code} while profiling")
        profiler.stop()
        text = directory / f"{name}.txt"
        text.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        (directory / f"{name}.html").write_text(profiler.output_html())
        written.append(text)
    return written
