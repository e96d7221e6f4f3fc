"""The pair policy (matching.access): its table per role, and the pair services refusing a
forbidden actor themselves, whoever calls them (page, API, task or shell)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from matching import access, pairs
from matching.models import PairStatus
from organizations.selectors import membership_of
from tests.conftest import Tenant
from tests.feedback.builders import LivePair, live_pair
from tests.participants.test_enrollment_builders import assign_coordinator

pytestmark = pytest.mark.django_db

ALL = {
    access.VIEW,
    access.PAUSE,
    access.RESUME,
    access.COMPLETE,
    access.EXTEND,
    access.END,
    access.REQUEST_REMATCH,
}
MEMBER = {access.VIEW, access.PAUSE, access.RESUME, access.COMPLETE, access.REQUEST_REMATCH}
STAFF = {access.VIEW, access.PAUSE, access.RESUME, access.COMPLETE, access.EXTEND, access.END}


def _granted(tenant: Tenant, live: LivePair, user) -> set[str] | None:  # type: ignore[no-untyped-def]
    with tenant.scope():
        membership = membership_of(user)
        assert membership is not None
        roles = access.roles_for(live.pair, membership=membership, user=user)
        return None if roles is None else {p for p in ALL if roles.access.allows(p)}


def test_the_policy_table_per_role(org_a: Tenant) -> None:
    live = live_pair(org_a)
    assert _granted(org_a, live, live.mentor_user) == MEMBER
    assert _granted(org_a, live, live.mentee_user) == MEMBER
    assert _granted(org_a, live, org_a.admin.user) == STAFF
    # A coordinator sees the pairs of the programs they are assigned to, and no other.
    assert _granted(org_a, live, org_a.coordinator.user) is None
    assign_coordinator(org_a, live.program)
    assert _granted(org_a, live, org_a.coordinator.user) == STAFF
    assert _granted(org_a, live, org_a.member.user) is None


def test_services_refuse_a_member_who_extends_or_ends_from_any_caller(org_a: Tenant) -> None:
    live = live_pair(org_a)
    later = timezone.localdate() + timedelta(days=400)
    with org_a.scope():
        with pytest.raises(PermissionDenied, match="Only the staff of this program extend"):
            pairs.pair_extend(pair=live.pair, actor=live.mentor_user, ends_on=later)
        with pytest.raises(PermissionDenied, match="Only the staff of this program end"):
            pairs.pair_end(pair=live.pair, actor=live.mentee_user, reason="No fit")
        live.pair.refresh_from_db()
        assert (live.pair.status, live.pair.ends_on) == (PairStatus.ACTIVE, None)


def test_services_do_not_act_for_someone_who_cannot_see_the_pair(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        with pytest.raises(Http404):
            pairs.pair_complete(pair=live.pair, actor=org_a.member.user)
        with pytest.raises(PermissionDenied):
            pairs.rematch_start(enrollment=live.mentee, actor=org_a.member.user)


def test_staff_may_not_ask_for_a_rematch_for_the_pair(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope(), pytest.raises(PermissionDenied, match="Only the two people"):
        pairs.pair_request_rematch(
            pair=live.pair, by=live.mentor, actor=org_a.admin.user, reason="Please"
        )


def test_the_system_acts_without_a_person(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        assert pairs.pair_complete(pair=live.pair, actor=None).status == PairStatus.COMPLETED
