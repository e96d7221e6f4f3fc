"""Recording mid-review decisions: validated, audited, a record only (the pair is not touched)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from feedback import review
from feedback.models import ReviewDecision
from matching.models import Pair, PairStatus
from organizations.models import AuditEntry
from tests.conftest import Tenant
from tests.feedback.test_engagement_builders import MID_REVIEW, make_pair, running_program

pytestmark = pytest.mark.django_db


def _record(tenant: Tenant, pair: Pair, *, on: date = MID_REVIEW, **data: Any) -> ReviewDecision:
    data.setdefault("decision", "close")
    data.setdefault("note", "They agreed to stop: diaries never matched.")
    with tenant.scope(), time_machine.travel(f"{on.isoformat()} 10:00Z", tick=False):
        return review.decision_record(pair=pair, actor=tenant.coordinator.user, **data)


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def test_a_close_decision_is_recorded_audited_and_leaves_the_pair_open(org_a: Tenant) -> None:
    program = running_program(org_a)
    pair = make_pair(org_a, program)
    decision = _record(org_a, pair, note="  They agreed to stop.  ")
    with org_a.scope():
        stored = ReviewDecision.objects.get()
        entry = AuditEntry.objects.get(action="feedback.review_decision")
        pair.refresh_from_db()
    assert (stored.pk, stored.decision, stored.note) == (
        decision.pk,
        "close",
        "They agreed to stop.",
    )
    assert stored.decided_by == org_a.coordinator.user
    assert entry.actor == org_a.coordinator.user
    assert entry.object_id == str(stored.pk)
    assert entry.data == {
        "pair": pair.pk,
        "program": program.pk,
        "decision": "close",
        "note": "They agreed to stop.",
    }
    assert pair.status == PairStatus.ACTIVE


def test_decisions_before_the_mid_review_date_are_refused(org_a: Tenant) -> None:
    pair = make_pair(org_a, running_program(org_a))
    with pytest.raises(ValidationError) as caught:
        _record(org_a, pair, on=date(2030, 3, 31))
    assert caught.value.messages == ["The mid-program review opens on 1 April 2030."]


def test_the_review_date_is_the_programs_local_date(org_a: Tenant) -> None:
    program = running_program(org_a, time_zone="Pacific/Auckland")
    pair = make_pair(org_a, program)
    # 31 March 12:00 UTC is already 1 April in Auckland.
    with org_a.scope(), time_machine.travel("2030-03-31 12:00Z", tick=False):
        review.decision_record(pair=pair, actor=org_a.admin.user, decision="continue", note="")


def test_a_program_without_a_mid_review_date_cannot_be_reviewed(org_a: Tenant) -> None:
    pair = make_pair(org_a, running_program(org_a, mid_review_date=None))
    with pytest.raises(ValidationError) as caught:
        _record(org_a, pair)
    assert "no mid-review date" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"decision": "promote"},
            "decision",
            "Choose one of: continue, refocus goals, re-pair, extend, close.",
        ),
        ({"decision": "re_pair", "note": "   "}, "note", "Add a note: what was decided, and why."),
        ({"note": "x" * 2001}, "note", "Keep the note to 2000 characters (it has 2001)."),
    ],
)
def test_bad_decisions_get_field_messages(
    org_a: Tenant, data: dict[str, Any], field: str, message: str
) -> None:
    pair = make_pair(org_a, running_program(org_a))
    with pytest.raises(ValidationError) as caught:
        _record(org_a, pair, **data)
    assert _messages(caught.value) == {field: [message]}
    with org_a.scope():
        assert not ReviewDecision.objects.exists()
        assert not AuditEntry.objects.filter(action="feedback.review_decision").exists()


def test_continue_needs_no_note_and_2000_characters_are_fine(org_a: Tenant) -> None:
    pair = make_pair(org_a, running_program(org_a))
    assert _record(org_a, pair, decision="continue", note="").note == ""
    assert len(_record(org_a, pair, decision="extend", note="y" * 2000).note) == 2000


def test_an_ended_pair_is_not_reviewed(org_a: Tenant) -> None:
    pair = make_pair(org_a, running_program(org_a), status=PairStatus.ENDED)
    with pytest.raises(ValidationError) as caught:
        _record(org_a, pair)
    assert _messages(caught.value) == {"pair": ["This pair is ended: it is not reviewed."]}
