"""Survey dispatch benchmark: N due survey invitations rendered and handed to the email backend by
a Celery worker with 2 processes, next to N due check-ins dispatched the same way in the same run.

Run it with ``./flip bench --only surveys`` (``--quick``: 2,000 of each, one round). Steps:

1. Creates a throwaway database (``flipside_bench_<pid>``), migrates it and seeds one organisation
   with a program of N/2 active pairs (N people), one post-program survey (the test builders' seven
   questions) with an invitation per person, and one check-in per person, each with its touchpoint.
2. Starts ``celery worker --concurrency 2`` (prefork) on its own Redis database, with an email
   backend that renders every message to bytes and drops it (``bench/mail.py``).
3. Rounds, interleaved (surveys, check-ins, surveys, …): every touchpoint of the kind is made due
   now, the sweeper is called until it has claimed them all (as beat would), and the clock stops when
   the last one is done. Between rounds the rows are put back as planned (sent flags cleared,
   reminders and closes deleted). Reported: median seconds and rate per kind, and the median of the
   round-by-round ratio survey time / check-in time. Goal: 10,000 survey invitations ≤ 60 s.

Timings are printed, never asserted; the exit code says whether the harness worked (every row
sent exactly once each round).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and str(PROJECT_ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.database import PREFIX as BENCH_DATABASE_PREFIX  # noqa: E402
from bench.database import BenchDatabase  # noqa: E402

BROKER_DATABASE = 62  # the bench's own Redis databases: never a test's or the app's queues
CACHE_DATABASE = 63


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _redis(database: int) -> str:
    base = os.environ["REDIS_URL"]
    return f"{base.rsplit('/', 1)[0]}/{database}" if base.count("/") > 2 else f"{base}/{database}"


def seed(people: int) -> dict[str, Any]:
    """The organisation, program, pairs, survey, invitations and check-ins (bulk, not timed)."""
    from django.db import connection
    from django.utils import timezone

    from feedback.models import CheckIn, Touchpoint
    from matching.models import Pair, PairStatus
    from organizations.models import Organization
    from organizations.scope import tenant_scope
    from participants.models import Enrollment, EnrollmentStatus, Person
    from programs.models import Program, ProgramStatus
    from surveys.models import SurveyInvitation, Wave
    from surveys.waves.planning import INVITATION_KIND
    from tests.surveys.waves.builders import add_version, default_questions

    organization = Organization.objects.create(slug="bench-surveys", name="Bench Surveys")
    today = timezone.localdate()
    with tenant_scope(organization):
        org = {"organization": organization}
        program = Program.objects.create(
            **org,
            name="Bench program",
            status=ProgramStatus.ACTIVE,
            start_date=today - timedelta(days=90),
            end_date=today,
        )
        persons = Person.objects.bulk_create(
            [
                Person(**org, full_name=f"Person {n}", email=f"p{n}@bench.test", department="Ops")
                for n in range(people)
            ],
            batch_size=2000,
        )
        enrollments = Enrollment.objects.bulk_create(
            [
                Enrollment(
                    **org,
                    program=program,
                    person=person,
                    role="mentor" if n % 2 == 0 else "mentee",
                    status=EnrollmentStatus.ACCEPTED,
                )
                for n, person in enumerate(persons)
            ],
            batch_size=2000,
        )
        pairs = Pair.objects.bulk_create(
            [
                Pair(
                    **org,
                    program=program,
                    mentor=enrollments[n],
                    mentee=enrollments[n + 1],
                    status=PairStatus.ACTIVE,
                )
                for n in range(0, people - 1, 2)
            ],
            batch_size=2000,
        )
        from surveys.models import Survey

        survey = Survey.objects.create(**org, program=program, wave=Wave.POST, title="After")
        add_version(survey, default_questions())
        now = timezone.now()
        invitation_points = Touchpoint.objects.bulk_create(
            [
                Touchpoint(
                    **org, kind=INVITATION_KIND, idempotency_key=f"bench-s:{e.pk}", due_at=now
                )
                for e in enrollments
            ],
            batch_size=2000,
        )
        SurveyInvitation.objects.bulk_create(
            [
                SurveyInvitation(
                    **org,
                    survey=survey,
                    enrollment=e,
                    opens_on=today,
                    closes_on=today + timedelta(days=14),
                    touchpoint=t,
                )
                for e, t in zip(enrollments, invitation_points, strict=True)
            ],
            batch_size=2000,
        )
        check_in_points = Touchpoint.objects.bulk_create(
            [
                Touchpoint(**org, kind="check_in", idempotency_key=f"bench-c:{e.pk}", due_at=now)
                for e in enrollments
            ],
            batch_size=2000,
        )
        pair_of = {}
        for pair in pairs:
            pair_of[pair.mentor_id] = pair
            pair_of[pair.mentee_id] = pair
        CheckIn.objects.bulk_create(
            [
                CheckIn(**org, pair=pair_of[e.pk], enrollment=e, due_on=today, touchpoint=t)
                for e, t in zip(enrollments, check_in_points, strict=True)
                if e.pk in pair_of
            ],
            batch_size=2000,
        )
    # Planner statistics as autovacuum would leave them a minute later: straight after a bulk
    # insert they say "empty table", and every send's lookup would scan the whole table.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"organization_id": organization.pk}


def reset(organization_id: int) -> None:
    """Every invitation and check-in planned again, with its touchpoint pending and due now."""
    from django.utils import timezone

    from feedback.models import CheckIn, Touchpoint
    from organizations.scope import tenant_scope
    from surveys.models import InvitationStatus, SurveyInvitation

    with tenant_scope(organization_id):
        Touchpoint.objects.exclude(idempotency_key__startswith="bench-").delete()
        Touchpoint.objects.update(
            status="pending", due_at=timezone.now(), attempts=0, claimed_at=None, done_at=None
        )
        SurveyInvitation.objects.update(
            status=InvitationStatus.PLANNED, sent_at=None, reminders_sent=0
        )
        CheckIn.objects.update(status="planned", sent_at=None, reminders_sent=0)


def dispatch(organization_id: int, kind: str, expected: int) -> float:
    """Seconds from the first sweep until every touchpoint of ``kind`` is done."""
    from feedback import touchpoints
    from feedback.models import Touchpoint
    from organizations.scope import tenant_scope

    with tenant_scope(organization_id):
        # Only this kind is due: the other waits for its own round.
        Touchpoint.objects.exclude(kind=kind).update(due_at="2999-01-01T00:00:00Z")
    started = time.perf_counter()
    claimed = 0
    while claimed < expected:
        batch = touchpoints.sweep_due()
        claimed += len(batch)
        if not batch:
            time.sleep(0.05)
    with tenant_scope(organization_id):
        pending = Touchpoint.objects.filter(kind=kind).exclude(status="done")
        while pending.exists():
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        failed = Touchpoint.objects.filter(kind=kind, status="failed").count()
    if failed:
        raise RuntimeError(f"{failed} {kind} touchpoints failed")
    return elapsed


def _sent_counts(organization_id: int) -> tuple[int, int]:
    from feedback.models import CheckIn
    from organizations.scope import tenant_scope
    from surveys.models import SurveyInvitation

    with tenant_scope(organization_id):
        return (
            SurveyInvitation.objects.filter(status="sent").count(),
            CheckIn.objects.filter(status="sent").count(),
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="./flip bench --only surveys")
    parser.add_argument("--quick", action="store_true", help="2,000 of each, one round")
    parser.add_argument("--people", type=int, help="invitations and check-ins per round (10000)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (3; quick: 1)")
    args = parser.parse_args(argv)
    people = args.people or (2000 if args.quick else 10_000)
    rounds = args.rounds or (1 if args.quick else 3)
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url:
        say("DATABASE_URL is not set: run the benchmark with ./flip bench --only surveys")
        return 2
    database = BenchDatabase(base_url=base_url, name=f"{BENCH_DATABASE_PREFIX}{os.getpid()}")
    for name in database.drop_abandoned():
        say(f"dropped {name}, left behind by a run that was killed")
    env_updates = {
        "FLIPSIDE_BENCH_DATABASE_URL": database.url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "REDIS_URL": _redis(BROKER_DATABASE),
        "FLIPSIDE_CACHE_URL": _redis(CACHE_DATABASE),
        "DJANGO_EMAIL_BACKEND": "bench.mail.RenderingBackend",
        "FLIPSIDE_ENV": "test",
    }
    with ExitStack() as stack:
        say(f"creating database {database.name}…")
        database.create()
        stack.callback(database.drop)
        os.environ.update(env_updates)
        import django
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        stack.callback(connections.close_all)
        from mentoring.celery import app as celery_app

        say("migrating…")
        call_command("migrate", interactive=False, verbosity=0)
        say(f"seeding {people} people, {people // 2} pairs, an invitation and a check-in each…")
        organization_id = seed(people)["organization_id"]
        connections.close_all()
        celery_app.control.purge()
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mentoring",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        )

        def stop_worker() -> None:
            worker.terminate()
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()

        stack.callback(stop_worker)
        stack.callback(celery_app.control.purge)
        figures: dict[str, list[float]] = {"survey_invitation": [], "check_in": []}
        expected = {"survey_invitation": people, "check_in": people - people % 2}
        for number in range(1, rounds + 1):
            for kind in ("survey_invitation", "check_in"):
                reset(organization_id)
                seconds = dispatch(organization_id, kind, expected[kind])
                figures[kind].append(seconds)
                say(f"round {number}: {expected[kind]} {kind} in {seconds:.1f} s")
                sent = _sent_counts(organization_id)[0 if kind == "survey_invitation" else 1]
                if sent != expected[kind]:
                    raise RuntimeError(f"{kind}: {sent} sent, expected {expected[kind]}")
        survey_median = statistics.median(figures["survey_invitation"])
        check_in_median = statistics.median(figures["check_in"])
        ratios = [
            s / c for s, c in zip(figures["survey_invitation"], figures["check_in"], strict=True)
        ]
        print(
            "\n".join(
                [
                    "",
                    f"Survey dispatch: {people} due invitations, Celery worker with 2 processes",
                    f"  survey invitations  median {survey_median:7.1f} s  "
                    f"{people / survey_median:7.0f} /s   (goal ≤ 60 s for 10,000)",
                    f"  check-ins           median {check_in_median:7.1f} s  "
                    f"{expected['check_in'] / check_in_median:7.0f} /s",
                    f"  surveys / check-ins median ratio {statistics.median(ratios):.2f} "
                    f"(round by round: {', '.join(f'{r:.2f}' for r in ratios)})",
                ]
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
