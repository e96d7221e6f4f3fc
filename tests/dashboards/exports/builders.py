"""Builders for the export tests (no tests here): a running program with one pair whose life holds
text that must never leave it (session text, notes, check-in blockers), and helpers that run an
export through its task body and read the file back with ``csv`` and openpyxl."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.storage import default_storage
from openpyxl import load_workbook

from accounts.models import User
from dashboards.exports import jobs
from dashboards.models import ExportJob
from feedback.models import (
    CheckIn,
    CheckInStatus,
    EngagementLevel,
    EngagementSnapshot,
    Note,
    NoteVisibility,
    SessionLog,
    SessionStatus,
    SessionTopic,
)
from programs.models import Program, Topic
from tests.conftest import Tenant
from tests.feedback.builders import LivePair, live_pair
from tests.participants.test_enrollment_builders import assign_coordinator

SESSION_LEARNED = "Learned-secret: the board wants a pivot"
SESSION_ACTIONS = "Action-secret: call the lawyer"
NOTE_TEXT = "Note-secret: my manager is difficult"
BLOCKERS = "Blocker-secret: my partner never shows up"


@dataclass
class World:
    tenant: Tenant
    live: LivePair
    session: SessionLog
    check_in: CheckIn
    snapshot: EngagementSnapshot

    @property
    def program(self) -> Program:
        return self.live.program


def world(tenant: Tenant) -> World:
    """The tenant's coordinator runs the program of one live pair with one confirmed session
    (with a topic), a private note, an answered check-in and an engagement row."""
    live = live_pair(tenant)
    assign_coordinator(tenant, live.program)
    today = date.today()
    with tenant.scope():
        organization = tenant.organization
        session = SessionLog.objects.create(
            organization=organization,
            pair=live.pair,
            logged_by=live.mentor,
            held_on=today - timedelta(days=3),
            duration_minutes=90,
            learned=SESSION_LEARNED,
            action_items=SESSION_ACTIONS,
            status=SessionStatus.CONFIRMED,
        )
        topic, _ = Topic.objects.get_or_create(organization=organization, name="Generative AI")
        SessionTopic.objects.create(organization=organization, session=session, topic=topic)
        Note.objects.create(
            organization=organization,
            pair=live.pair,
            author=live.mentee,
            session=session,
            visibility=NoteVisibility.PRIVATE,
            text=NOTE_TEXT,
        )
        CheckIn.objects.filter(pair=live.pair).delete()  # only the one below
        check_in = CheckIn.objects.create(
            organization=organization,
            pair=live.pair,
            enrollment=live.mentee,
            due_on=today - timedelta(days=2),
            status=CheckInStatus.ANSWERED,
            rating=2,
            blockers=BLOCKERS,
            wants_contact=True,
        )
        # Today's row may exist already: the pair is rescored when its events commit.
        snapshot, _ = EngagementSnapshot.objects.update_or_create(
            organization=organization,
            pair=live.pair,
            computed_on=today,
            defaults={
                "score": 72,
                "level": EngagementLevel.WATCH,
                "reasons": [
                    {"code": "low_pulse", "text": "Low check-in rating (2)", "points": -10}
                ],
            },
        )
    return World(tenant, live, session, check_in, snapshot)


def export(
    tenant: Tenant,
    program: Program,
    dataset: str,
    fmt: str = "csv",
    filters: dict[str, Any] | None = None,
    actor: User | None = None,
) -> ExportJob:
    """Ask for an export as ``actor`` (the coordinator by default) and run its task body here."""
    with tenant.scope():
        job = jobs.export_request(
            organization=tenant.organization,
            actor=actor or tenant.coordinator.user,
            program=program,
            dataset=dataset,
            fmt=fmt,
            filters=filters or {},
        )
        assert jobs.run_export(job_id=job.pk) == "done"
        job.refresh_from_db()
    return job


def content(job: ExportJob) -> bytes:
    with default_storage.open(job.file.name, "rb") as stored:
        return bytes(stored.read())


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_rows(data: bytes) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def rows_of(job: ExportJob) -> list[list[Any]]:
    data = content(job)
    return xlsx_rows(data) if job.format == "xlsx" else csv_rows(data)


def as_dicts(rows: list[list[Any]]) -> list[dict[str, Any]]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]
