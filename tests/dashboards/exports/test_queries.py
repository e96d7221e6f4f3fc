"""A large-ish export reads its rows in a constant number of queries: the same for 20 rows as for
2,000, plus one progress update per ``PROGRESS_EVERY`` rows (rows stream from one cursor)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.exports import jobs
from feedback.models import CheckIn, EngagementSnapshot, SessionLog, SessionTopic
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus
from programs.models import Topic
from tests.conftest import Tenant
from tests.dashboards.exports.builders import World, rows_of, world
from tests.participants.test_enrollment_builders import make_person

LARGE = 2_000
SMALL = 20


def _grow(built: World, dataset: str, count: int) -> None:
    """``count`` rows of ``dataset`` in the program (on top of the world's own)."""
    organization = built.tenant.organization
    pair, mentor, mentee = built.live.pair, built.live.mentor, built.live.mentee
    start = date(2020, 1, 1)
    with built.tenant.scope():
        if dataset == "sessions":
            made = SessionLog.objects.bulk_create(
                SessionLog(
                    organization=organization,
                    pair=pair,
                    logged_by=mentor,
                    held_on=start + timedelta(days=n),
                    duration_minutes=45,
                    learned="never exported",
                )
                for n in range(count)
            )
            topic = Topic.objects.create(organization=organization, name=f"Topic {count}")
            SessionTopic.objects.bulk_create(
                SessionTopic(organization=organization, session=session, topic=topic)
                for session in made
            )
        elif dataset == "check_ins":
            CheckIn.objects.bulk_create(
                CheckIn(
                    organization=organization,
                    pair=pair,
                    enrollment=mentee,
                    due_on=start + timedelta(days=n),
                    rating=3,
                )
                for n in range(count)
            )
        elif dataset == "engagement":
            EngagementSnapshot.objects.bulk_create(
                EngagementSnapshot(
                    organization=organization,
                    pair=pair,
                    computed_on=start + timedelta(days=n),
                    score=50,
                    level="watch",
                )
                for n in range(count)
            )
    if dataset == "enrolments":
        people = [make_person(built.tenant) for _ in range(count)]
        with built.tenant.scope():
            Enrollment.objects.bulk_create(
                Enrollment(
                    organization=organization,
                    program=built.program,
                    person=person,
                    role=EnrollmentRole.MENTOR,
                    status=EnrollmentStatus.ACCEPTED,
                )
                for person in people
            )


def _queries(built: World, dataset: str, fmt: str) -> tuple[int, int]:
    tenant = built.tenant
    with tenant.scope():
        job = jobs.export_request(
            organization=tenant.organization,
            actor=tenant.coordinator.user,
            program=built.program,
            dataset=dataset,
            fmt=fmt,
            filters={},
        )
        with CaptureQueriesContext(connection) as captured:
            assert jobs.run_export(job_id=job.pk) == "done"
        job.refresh_from_db()
    assert len(rows_of(job)) == job.total_rows + 1
    return len(captured.captured_queries), job.total_rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("dataset", ["sessions", "check_ins", "engagement", "enrolments"])
def test_queries_do_not_grow_with_the_rows(org_a: Tenant, dataset: str, fmt: str) -> None:
    small, large = world(org_a), world(org_a)
    _grow(small, dataset, SMALL)
    _grow(large, dataset, LARGE)
    small_queries, small_rows = _queries(small, dataset, fmt)
    large_queries, large_rows = _queries(large, dataset, fmt)
    assert large_rows - small_rows == LARGE - SMALL
    progress_updates = large_rows // jobs.PROGRESS_EVERY - small_rows // jobs.PROGRESS_EVERY
    assert large_queries == small_queries + progress_updates
