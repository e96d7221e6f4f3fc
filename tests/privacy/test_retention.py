"""Retention: the admin sets months per kind, sees a dry run of what would go, and the nightly sweep
deletes exactly that (idempotent, audited), in its own organisation only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback.models import CheckIn, CheckInStatus, Note, NoteVisibility, SessionLog
from organizations.models import AuditEntry
from privacy.models import RetentionPolicy
from privacy.retention.services import months_before, preview, retention_sweep_organization
from programs.models import Program, ProgramStatus
from surveys.models import SurveyAnswer, SurveyInvitation
from tests.conftest import Tenant, login
from tests.feedback.builders import LivePair, live_pair
from tests.privacy.test_erasure import _answer, _survey

pytestmark = pytest.mark.django_db

RULES = {
    "pair_notes_months": "12",
    "survey_text_months": "6",
    "check_in_text_months": "6",
    "audit_months": "24",
}


def _old_program(tenant: Tenant) -> LivePair:
    """A program that closed 13 months ago, with notes, session notes, a survey whose invitations
    closed then, an answered check-in, and an audit entry three years old."""
    live = live_pair(tenant)
    today = date.today()
    long_ago = timezone.now() - timedelta(days=400)
    with tenant.scope():
        Program.objects.filter(pk=live.program.pk).update(
            status=ProgramStatus.CLOSED,
            start_date=today - timedelta(days=600),
            mid_review_date=today - timedelta(days=500),
            end_date=today - timedelta(days=400),
        )
        Note.objects.create(
            pair=live.pair, author=live.mentor, visibility=NoteVisibility.PRIVATE, text="old"
        )
        SessionLog.objects.create(
            pair=live.pair,
            logged_by=live.mentor,
            held_on=today - timedelta(days=450),
            duration_minutes=30,
            learned="old learning",
        )
        survey, scale, text = _survey(live, anonymous=False, wave="post")
        SurveyInvitation.objects.create(
            survey=survey,
            enrollment=live.mentor,
            opens_on=today - timedelta(days=420),
            closes_on=today - timedelta(days=405),
        )
        _answer(survey, live.mentor, scale, text, "old words")
        CheckIn.objects.create(
            pair=live.pair,
            enrollment=live.mentor,
            due_on=today - timedelta(days=430),
            status=CheckInStatus.ANSWERED,
            rating=3,
            blockers="old blocker",
            answered_at=long_ago,
        )
        AuditEntry.objects.create(
            action="old.event", created_at=timezone.now() - timedelta(days=1100)
        )
    return live


def _set_rules(tenant: Tenant) -> Client:
    client = login(Client(), tenant.admin.user)
    response = client.post(reverse("retention_settings", args=[tenant.slug]), RULES)
    assert response.status_code == 302
    return client


def test_the_dry_run_counts_what_the_sweep_then_deletes_once(org_a: Tenant, org_b: Tenant) -> None:
    live = _old_program(org_a)
    _old_program(org_b)
    client = _set_rules(org_a)
    page = client.get(reverse("retention_settings", args=[org_a.slug]))
    assert page.status_code == 200
    assert [count for _label, count in page.context["preview"]] == [1, 1, 1, 1, 1]
    with org_a.scope():
        counts = preview()
        assert Note.objects.filter(pair=live.pair).count() == 1  # the preview deleted nothing
    assert counts == {
        "pair_notes": 1,
        "session_notes": 1,
        "survey_text": 1,
        "check_in_text": 1,
        "audit_entries": 1,
    }

    assert (
        retention_sweep_organization.apply(kwargs={"organization_id": org_a.organization.pk}).get()
        == counts
    )
    with org_a.scope():
        assert not Note.objects.filter(pair=live.pair).exists()
        assert not SessionLog.objects.exclude(learned="").exists()
        assert not SurveyAnswer.objects.exclude(text="").exists()
        # Numbers and ratings stay: figures keep their respondents.
        assert SurveyAnswer.objects.exclude(number=None).count() == 1
        assert list(CheckIn.objects.exclude(rating=None).values_list("rating", "blockers")) == [
            (3, "")
        ]
        assert not AuditEntry.objects.filter(action="old.event").exists()
        assert preview() == dict.fromkeys(counts, 0)
    # Idempotent: the next night finds nothing; each run is in the audit log.
    again = retention_sweep_organization.apply(kwargs={"organization_id": org_a.organization.pk})
    assert again.get() == dict.fromkeys(counts, 0)
    with org_a.scope():
        runs = list(
            AuditEntry.objects.filter(action="privacy.retention_run").values_list("data", flat=True)
        )
        assert runs == [dict.fromkeys(counts, 0), counts]
        assert AuditEntry.objects.filter(action="privacy.retention_updated").count() == 1
    # The other organisation has no rules: its old data stays.
    with org_b.scope():
        assert Note.objects.count() == 1
        assert AuditEntry.objects.filter(action="old.event").exists()


def test_bad_months_are_a_400_with_the_field_named(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    url = reverse("retention_settings", args=[org_a.slug])
    for value in ("0", "abc", "241", "-3", "1e3"):
        response = client.post(url, {**RULES, "audit_months": value})
        assert response.status_code == 400, value
        assert response.context["form"].errors["audit_months"]
    with org_a.scope():
        assert not RetentionPolicy.objects.exists()


def test_no_rules_means_nothing_is_swept(org_a: Tenant) -> None:
    _old_program(org_a)
    assert (
        retention_sweep_organization.apply(kwargs={"organization_id": org_a.organization.pk}).get()
        is None
    )
    with org_a.scope():
        assert Note.objects.count() == 1


def test_the_sweep_is_on_beats_nightly_schedule() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["retention-nightly"]
    assert entry["task"] == "privacy.retention_sweep"
    assert entry["options"]["expires"] > 0


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
    ],
)
def test_months_before_keeps_the_day_inside_the_month(
    day: date, months: int, expected: date
) -> None:
    assert months_before(day, months) == expected
