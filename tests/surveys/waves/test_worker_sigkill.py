"""Exactly once per (wave, person), through real worker processes: a Celery worker (prefork, two
processes, a separate program on the real Redis broker and PostgreSQL) is killed with SIGKILL in
the middle of sending many due invitations; another worker starts and beat's sweeper runs again
(also its recovery of rows stuck by the dead worker). Every person gets at most one email, and
every invitation ends sent (its email out) or with its touchpoint failed, which the staff page
shows: nothing is lost silently, nothing is sent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback import touchpoints
from feedback.models import Touchpoint, TouchpointStatus
from mentoring.celery import app as celery_app
from participants.models import EnrollmentRole, Person
from programs.models import Program
from surveys.models import InvitationStatus, SurveyInvitation, Wave
from surveys.waves import planning
from tests.conftest import Tenant, login
from tests.surveys.waves.builders import accept, make_survey
from tests.surveys.waves.mailbox import recipients

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PEOPLE = 60
MAIL_DELAY = 0.15  # seconds per email: two processes need several seconds for all of them


def _database_url() -> str:
    db = connection.settings_dict
    user, password = quote(db["USER"], safe=""), quote(db["PASSWORD"], safe="")
    return f"postgres://{user}:{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class WorkerProcess:
    """``celery worker`` as its own program, in its own process group (SIGKILL takes all of it)."""

    def __init__(self, maildir: Path, log: Path) -> None:
        env = {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}
        env.update(
            DATABASE_URL=_database_url(),
            # This test process's own broker database (settings picked it by xdist worker).
            REDIS_URL=settings.CELERY_BROKER_URL,
            FLIPSIDE_CACHE_URL=settings.CACHES["default"]["LOCATION"],
            FLIPSIDE_ENV="test",
            DJANGO_EMAIL_BACKEND="tests.surveys.waves.mailbox.DirectoryBackend",
            WAVES_MAILDIR=str(maildir),
            WAVES_MAIL_DELAY=str(MAIL_DELAY),
            PYTHONPATH=str(settings.BASE_DIR),
        )
        self.log = log.open("ab")
        self.process = subprocess.Popen(
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
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[], WorkerProcess]]:
    started: list[WorkerProcess] = []
    maildir = tmp_path / "mail"
    maildir.mkdir()
    celery_app.control.purge()

    def start() -> WorkerProcess:
        worker = WorkerProcess(maildir, tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    celery_app.control.purge()


def _wait_for(predicate: Callable[[], bool], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def _due_invitations(tenant: Tenant) -> Program:
    """PEOPLE accepted mentees of one program, each with a post-survey invitation due now."""
    today = timezone.localdate()
    with tenant.scope():
        program = Program.objects.create(
            organization=tenant.organization,
            name="Pilot",
            start_date=today - timedelta(days=90),
            end_date=today,
            time_zone="UTC",
        )
        people = Person.objects.bulk_create(
            [
                Person(
                    organization=tenant.organization,
                    full_name=f"Person {n}",
                    email=f"person{n}@{tenant.slug}.test",
                )
                for n in range(PEOPLE)
            ]
        )
    for person in people:
        accept(tenant, program, person, EnrollmentRole.MENTEE, at=timezone.now())
    survey = make_survey(tenant, program, Wave.POST)
    with tenant.scope():
        planning.plan_survey(survey)
        assert SurveyInvitation.objects.count() == PEOPLE
        # Due a minute ago, whatever the hour of the day the test runs at.
        Touchpoint.objects.filter(kind=planning.INVITATION_KIND).update(
            due_at=timezone.now() - timedelta(minutes=1)
        )
    return program


def _statuses(tenant: Tenant) -> Counter[str]:
    with tenant.scope():
        return Counter(
            Touchpoint.objects.filter(kind=planning.INVITATION_KIND).values_list(
                "status", flat=True
            )
        )


def test_a_worker_killed_mid_dispatch_loses_nothing_and_sends_nothing_twice(
    org_a: Tenant, workers: Callable[[], WorkerProcess], tmp_path: Path
) -> None:
    program = _due_invitations(org_a)
    maildir = tmp_path / "mail"
    first = workers()
    assert len(touchpoints.sweep_due()) == PEOPLE
    _wait_for(lambda: len(recipients(maildir)) >= 10)
    first.kill()  # SIGKILL, the whole process group, in the middle of the sends
    at_kill = _statuses(org_a)
    assert at_kill[TouchpointStatus.DONE] < PEOPLE, "the worker finished before it was killed"

    workers()
    # Beat runs again, then (much later) its recovery of the rows the dead worker held: queued
    # ones are queued again, ones it was sending fail (never retried: the email may be out).
    touchpoints.sweep_due()
    later = timezone.now() + timedelta(hours=3)
    touchpoints.sweep_due(now=later)
    touchpoints.sweep_due(now=later)
    unfinished = (TouchpointStatus.PENDING, TouchpointStatus.QUEUED, TouchpointStatus.SENDING)
    _wait_for(lambda: not any(_statuses(org_a)[status] for status in unfinished))
    time.sleep(1)  # room for a duplicate (a redelivered message) to show up

    mailed = Counter(recipients(maildir))
    assert max(mailed.values()) == 1, "someone got the same invitation twice"
    with org_a.scope():
        invitations = list(
            SurveyInvitation.objects.select_related("touchpoint", "enrollment__person")
        )
        failed = 0
        for invitation in invitations:
            assert invitation.touchpoint is not None
            email = invitation.enrollment.person.email
            if invitation.touchpoint.status == TouchpointStatus.DONE:
                assert invitation.status == InvitationStatus.SENT
                assert mailed[email] == 1
            else:
                # Lost mid-send: failed, shown to staff, and not sent a second time.
                assert invitation.touchpoint.status == TouchpointStatus.FAILED
                assert mailed[email] <= 1
                failed += 1
        assert sum(mailed.values()) >= PEOPLE - failed
        survey_id = invitations[0].survey_id
    # Failures are visible on the staff page, not lost silently.
    page = login(Client(), org_a.admin.user).get(
        reverse("survey_invitation_list", kwargs={"org_slug": org_a.slug, "survey_pk": survey_id})
        + "?delivery=failed"
    )
    assert page.status_code == 200
    assert page.content.decode().count("<strong>Email not confirmed</strong>") == failed
    assert program.pk
