"""Load: 50 people of one organisation sign in from one address and use the product for a minute.

Run by ``./flip bench --only load`` on the throwaway bench database that ``bench/run.py`` creates,
migrates and drops. Steps:

1. Seeds a small version of the large tenant (``bench/large_tenant.py``, scale 0.05: 250 people,
   about 125 pairs with their sessions, check-ins and surveys), then gives 50 people of active pairs
   of the largest program an account with a password (verified email) and a sent check-in
   for each day of the answer window to answer.
2. Serves the product under gunicorn (``bench/server.py``, the product's gunicorn settings:
   ``mentoring/gunicorn_conf.py``) and runs the locust journey (``bench/journey.py``) in its own
   process: 50 users, spawned over 45 s, all from 127.0.0.1 (one address, as an office behind a
   NAT), each signing in through the sign-in form (CSRF and all), then in a loop with 0.5 to 2 s
   pauses: home, pair page, log a session (the form), answer a check-in (the form), the API's
   pair list (session-authenticated), for 60 s after the last one started.
3. Prints requests, failures and p50/p95 per step as the people saw them (locust: a form's step
   includes the page its redirect lands on), then the *server time* of each kind of request from
   gunicorn's access log (from a worker taking the request up to its answer: no wait in the
   listen queue, no client), p50/p95 per kind, and writes all of it as JSON (``--json``). Zero
   failures is the requirement: a failure (any status other than the expected one, a reset
   connection, a sign-in refused by a rate limit) makes the bench exit non-zero. Timings are
   reported, never asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bench import large_tenant
from bench.server import AccessLog, Gunicorn
from feedback.checkins import ANSWER_WINDOW_DAYS
from feedback.models import CheckIn, CheckInStatus
from matching.models import Pair, PairStatus
from organizations.models import Membership, Role
from organizations.scope import tenant_scope
from participants.models import Person
from programs.lifecycle import program_today

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOG_PATH = PROJECT_ROOT / "var" / "bench" / "load-server.log"
SLUG = "load"
PEOPLE = 50
DURATION = 60.0
SPAWN_SECONDS = 45.0
PASSWORD = "load-password-not-secret"  # noqa: S105  (throwaway database, dropped after the run)


@dataclass(frozen=True)
class LoadPerson:
    email: str
    home: str
    pair: str
    session_log: str
    check_ins: list[str]
    api_list: str


def seed(say: Callable[[str], None]) -> list[LoadPerson]:
    seeded = large_tenant.seed(slug=SLUG, scale=0.05, small_tenants=2, say=say)
    organization = seeded.organization
    program = seeded.largest_program
    encoded = make_password(PASSWORD)
    people: list[LoadPerson] = []
    with transaction.atomic(), tenant_scope(organization):
        pairs = list(
            Pair.objects.filter(program=program, status=PairStatus.ACTIVE)
            .exclude(mentee__person__user__isnull=False)
            .select_related("mentor", "mentee")
            .order_by("pk")[: PEOPLE // 2]
        )
        if 2 * len(pairs) < PEOPLE:
            raise RuntimeError(f"only {len(pairs)} active pairs to give {PEOPLE} people")
        today = program_today(program)
        for pair in pairs:
            for enrollment in (pair.mentor, pair.mentee):
                number = len(people) + 1
                email = f"person{number:02d}@{SLUG}.bench.test"
                user = User.objects.create(
                    email=email, password=encoded, full_name=f"Load {number}"
                )
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                Membership.objects.create(user=user, role=Role.MEMBER)
                Person.objects.filter(pk=enrollment.person_id).update(user=user, email=email)
                # One check-in a day over the answer window (a day the seed already has keeps
                # its own), all sent and still open.
                window = [today - timedelta(days=day) for day in range(ANSWER_WINDOW_DAYS)]
                CheckIn.objects.filter(enrollment=enrollment, due_on__in=window).delete()
                CheckIn.objects.bulk_create(
                    [
                        CheckIn(
                            organization=organization,
                            pair=pair,
                            enrollment=enrollment,
                            due_on=day,
                            status=CheckInStatus.SENT,
                            sent_at=timezone.now(),
                        )
                        for day in window
                    ]
                )
                open_ids = CheckIn.objects.filter(
                    enrollment=enrollment, due_on__in=window
                ).values_list("pk", flat=True)
                slug = organization.slug
                people.append(
                    LoadPerson(
                        email=email,
                        home=reverse("organization_home", args=(slug,)),
                        pair=reverse("pair_detail", args=(slug, pair.pk)),
                        session_log=reverse(
                            "pair_session_log", kwargs={"org_slug": slug, "pair_pk": pair.pk}
                        ),
                        check_ins=[
                            reverse("my_check_in_answer", kwargs={"org_slug": slug, "pk": pk})
                            for pk in open_ids
                        ],
                        api_list=reverse("api-pair-list", args=(slug,)),
                    )
                )
    say(f"{len(people)} people with accounts, {ANSWER_WINDOW_DAYS} open check-ins each")
    return people


@dataclass
class LoadRun:
    people: int
    duration: float
    server: str
    steps: dict[str, dict[str, Any]]
    failures: list[dict[str, Any]]
    signed_in: int
    sign_ins_within_s: float
    server_ms: dict[str, list[float]]


# The kinds of request in the journey, as the access log shows them (method, path) — a form's
# POST and the page its redirect lands on are separate requests here.
SERVER_KINDS = (
    "sign-in page",
    "sign in (POST)",
    "home",
    "pair page",
    "log a session (POST)",
    "answer a check-in (POST)",
    "check-in page",
    "API list",
    "other",
)


def _kinds(people: list[LoadPerson], login: str) -> dict[tuple[str, str], str]:
    def bare(url: str) -> str:
        return url.split("?")[0]

    kinds = {("GET", bare(login)): "sign-in page", ("POST", bare(login)): "sign in (POST)"}
    for person in people:
        kinds[("GET", bare(person.home))] = "home"
        kinds[("GET", bare(person.pair))] = "pair page"
        kinds[("POST", bare(person.session_log))] = "log a session (POST)"
        kinds[("GET", bare(person.api_list))] = "API list"
        for url in person.check_ins:
            kinds[("POST", bare(url))] = "answer a check-in (POST)"
            kinds[("GET", bare(url))] = "check-in page"
    return kinds


def server_times(
    entries: list[tuple[str, str, int, float]], kinds: dict[tuple[str, str], str]
) -> dict[str, list[float]]:
    """Server times (ms) per kind of request; what the journey does not name is "other"."""
    times: dict[str, list[float]] = {kind: [] for kind in SERVER_KINDS}
    for method, path, _status, ms in entries:
        times[kinds.get((method, path), "other")].append(ms)
    return {kind: found for kind, found in times.items() if found}


def run(*, workers: int, threads: int, say: Callable[[str], None]) -> LoadRun:
    say("seeding the load tenant…")
    people = seed(say)
    access = AccessLog()
    server = Gunicorn(
        workers=workers, threads=threads, env=dict(os.environ), extra_args=access.gunicorn_args
    )
    try:
        say(f"starting {server.description} on 127.0.0.1:{server.port}…")
        server.start()
        access.skip()  # the start's health checks
        login = reverse("account_login")
        config = {
            "host": f"http://127.0.0.1:{server.port}",
            "password": PASSWORD,
            "people": [vars(person) for person in people],
            "duration": DURATION,
            "spawn_seconds": SPAWN_SECONDS,
            "login": login,
            "today": timezone.now().date().isoformat(),
        }
        say(f"locust: {len(people)} users spawned over {SPAWN_SECONDS:g} s, then {DURATION:g} s…")
        completed = subprocess.run(
            [sys.executable, "-m", "bench.journey"],
            input=json.dumps(config),
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=SPAWN_SECONDS + DURATION + 180,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"the locust journey failed:\n{completed.stderr[-4000:]}")
        figures = json.loads(completed.stdout)
        if figures["failures"]:
            # The server's own account of what went wrong (tracebacks of 5xx): its first error
            # in full here, all of it in a file.
            text = server.log(limit=None)
            LOG_PATH.parent.mkdir(parents=True, exist_ok=True)
            LOG_PATH.write_text(text)
            first = text.find("Traceback")
            say(f"the server's first error (whole log: {LOG_PATH}):\n{text[first : first + 8000]}")
        time.sleep(0.2)  # the last lines of the access log
        logged = server_times(access.entries(), _kinds(people, login))
    finally:
        server.stop()
        access.close()
    return LoadRun(
        people=len(people),
        duration=DURATION,
        server=server.description,
        steps=figures["steps"],
        failures=figures["failures"],
        signed_in=figures["signed_in"],
        sign_ins_within_s=figures["sign_ins_within_s"],
        server_ms=logged,
    )


STEP_ORDER = ("sign in", "home", "pair page", "log a session", "answer a check-in", "API list")


def report(result: LoadRun) -> tuple[list[str], dict[str, Any]]:
    def row(label: str, *values: str) -> str:
        return f"  {label:<28}" + "".join(f"{value:>10}" for value in values)

    total = sum(step["requests"] for step in result.steps.values())
    # A person who never got in is a failure too, even if no request of theirs failed.
    failed = sum(step["failures"] for step in result.steps.values()) + (
        result.people - result.signed_in
    )
    lines = [
        "",
        f"Load journey: {result.people} people from one address (127.0.0.1), {result.server}",
        f"  {result.signed_in} of {result.people} signed in, the last "
        f"{result.sign_ins_within_s:.0f} s after the first started; then {result.duration:g} s "
        f"with all of them; {total} requests, {failed} failures",
        "",
        row("step", "requests", "failures", "p50 ms", "p95 ms", "max ms"),
    ]
    for name in STEP_ORDER:
        step = result.steps.get(name)
        if step is None:
            continue
        lines.append(
            row(
                name,
                str(step["requests"]),
                str(step["failures"]),
                f"{step['p50_ms']:.0f}",
                f"{step['p95_ms']:.0f}",
                f"{step['max_ms']:.0f}",
            )
        )
    lines += [
        "",
        "  Server time per request (gunicorn's access log: from a worker thread taking the request",
        "  to its answer; not the wait for a free thread nor the client's time, but the CPU shared",
        "  with the other requests in progress is: on a saturated machine it grows with the load)",
        row("request", "requests", "p50 ms", "p95 ms", "max ms"),
    ]
    server_figures: dict[str, dict[str, float]] = {}
    for kind in SERVER_KINDS:
        times = sorted(result.server_ms.get(kind, []))
        if not times:
            continue
        figure = {
            "requests": len(times),
            "p50_ms": _quantile(times, 0.5),
            "p95_ms": _quantile(times, 0.95),
            "max_ms": times[-1],
        }
        server_figures[kind] = figure
        lines.append(
            row(
                kind,
                str(len(times)),
                f"{figure['p50_ms']:.0f}",
                f"{figure['p95_ms']:.0f}",
                f"{figure['max_ms']:.0f}",
            )
        )
    for failure in result.failures[:10]:
        lines.append(f"  FAILURE {failure['step']}: {failure['error']} (x{failure['count']})")
    figures = {
        "people": result.people,
        "duration_s": result.duration,
        "server": result.server,
        "signed_in": result.signed_in,
        "sign_ins_within_s": result.sign_ins_within_s,
        "requests": total,
        "failures": failed,
        "steps": result.steps,
        "server_ms": server_figures,
        "failure_samples": result.failures,
    }
    return lines, figures


def _quantile(ordered: list[float], fraction: float) -> float:
    """The value at ``fraction`` of a sorted list (nearest rank)."""
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]
