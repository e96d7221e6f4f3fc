"""Engagement and mid-program review: the staff pages and the API (snapshots, decisions)."""

from __future__ import annotations

from datetime import date
from typing import Any

import time_machine

from feedback import engagement, review
from tests.conftest import Tenant
from tests.feedback.test_engagement_builders import MID_REVIEW, make_pair, running_program
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    # The review is open: the mid-review date is in the past for the rest of the test.
    program = running_program(tenant, start_date=date(2020, 1, 1), mid_review_date=date(2020, 4, 1))
    pair = make_pair(tenant, program)
    with tenant.scope():
        [outcome] = engagement.compute_program(program, today=MID_REVIEW)
        with time_machine.travel("2030-04-02 10:00Z", tick=False):
            decision = review.decision_record(
                pair=pair, actor=tenant.admin.user, decision="continue", note="On track."
            )
    return {
        "review_program": program.pk,
        "review_pair": pair.pk,
        "review_snapshot": outcome.snapshot.pk,
        "review_decision": decision.pk,
    }


def _program_and_pair(ids: dict[str, Any]) -> dict[str, Any]:
    return {"program_pk": ids["review_program"], "pair_pk": ids["review_pair"]}


ROUTES: dict[str, Route] = {
    "program_engagement": Route(("GET",), ids_of("review_program", "program_pk")),
    "program_review": Route(("GET",), ids_of("review_program", "program_pk")),
    "review_pair": Route(("GET", "POST"), _program_and_pair),
    "api-engagement-list": Route(("GET",)),
    "api-engagement-detail": Route(("GET",), ids_of("review_snapshot")),
    "api-review-decision-list": Route(("GET", "POST")),
    "api-review-decision-detail": Route(("GET",), ids_of("review_decision")),
}
