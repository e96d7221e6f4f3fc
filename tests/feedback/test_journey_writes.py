"""The load journey's two forms (log a session, answer a check-in) cost a fixed number of queries,
the engagement rescoring and the announcements after commit included, however much the pair
already holds (``docs/scaling.md``: the load journey)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models import EngagementSnapshot
from matching.models import Pair
from tests.conftest import Tenant
from tests.dashboards.homes.builders import live_program, people_pair, today
from tests.feedback.test_engagement_builders import add_goal, check_in, log_session

pytestmark = pytest.mark.django_db

Commit = Callable[..., Any]


def _small(tenant: Tenant, pair: Pair) -> None:
    """One recent session: not at risk (turning at risk adds the webhook's event)."""
    log_session(tenant, pair, today() - timedelta(days=2))


def _busy(tenant: Tenant, pair: Pair) -> None:
    for week in range(6):
        day = today() - timedelta(days=7 * week + 3)
        log_session(tenant, pair, day)
        check_in(tenant, pair, day, rating=4)
        add_goal(tenant, pair, 10 * week)


def _posted(client: Client, url: str, data: dict[str, str], commit: Commit) -> tuple[int, int]:
    """The POST's queries, its callbacks after commit (the rescoring) run as a commit would."""
    with CaptureQueriesContext(connection) as queries, commit(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    return len(queries)


def test_logging_a_session_costs_the_same_queries_for_a_small_and_a_busy_pair(
    org_a: Tenant, client_for: Callable[..., Client], django_capture_on_commit_callbacks: Commit
) -> None:
    program = live_program(org_a)
    small, busy = people_pair(org_a, program), people_pair(org_a, program)
    _small(org_a, small.pair)
    _busy(org_a, busy.pair)
    counts = []
    for pair in (small, busy):
        client = client_for(pair.mentor_user)
        url = reverse("pair_session_log", kwargs={"org_slug": org_a.slug, "pair_pk": pair.pair.pk})
        data = {
            "held_on": (today() - timedelta(days=1)).isoformat(),
            "duration_minutes": "45",
            "format": "video",
            "learned": "What we tried",
        }
        counts.append(_posted(client, url, data, django_capture_on_commit_callbacks))
    # Session, user, membership; the pair with its people (one statement); the session, the audit
    # entry and the partner's notice in a savepoint; after commit: the rescoring (lock, facts,
    # upsert in a savepoint) and whether any webhook endpoint listens.
    assert counts == [17, 17]
    with org_a.scope():
        assert EngagementSnapshot.objects.filter(pair=busy.pair, computed_on=today()).exists()


def test_answering_a_check_in_costs_the_same_queries_for_a_small_and_a_busy_pair(
    org_a: Tenant, client_for: Callable[..., Client], django_capture_on_commit_callbacks: Commit
) -> None:
    program = live_program(org_a)
    small, busy = people_pair(org_a, program), people_pair(org_a, program)
    _small(org_a, small.pair)
    _busy(org_a, busy.pair)
    counts = []
    for pair in (small, busy):
        waiting = check_in(org_a, pair.pair, today())
        client = client_for(pair.mentor_user)
        url = reverse("my_check_in_answer", kwargs={"org_slug": org_a.slug, "pk": waiting.pk})
        data = {"rating": "4", "blockers": ""}
        counts.append(_posted(client, url, data, django_capture_on_commit_callbacks))
    # Session, user, membership; the check-in with its pair and people (one statement); the
    # policy's membership; lock, answer, reminders cancelled, audit in a savepoint; after commit:
    # the rescoring.
    assert counts == [17, 17]
