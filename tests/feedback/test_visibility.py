"""The visibility policy (feedback/visibility.py), every role against every kind of data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.http import Http404

from feedback import goals, notes
from feedback.models import CheckIn, NoteVisibility
from feedback.sessions import services as sessions
from feedback.visibility import PairAccess, pair_access
from organizations.models import Membership
from participants.models import Person
from programs.models import ProgramCoordinator
from tests.conftest import Tenant
from tests.feedback.builders import LivePair, live_pair

ROLES = ("mentor", "mentee", "admin", "coordinator", "other_coordinator", "member")


def _access(tenant: Tenant, live: LivePair, role: str) -> PairAccess:
    with tenant.scope():
        if role == "mentor":
            membership = Membership.objects.get(user=live.mentor_user)
            user = live.mentor_user
        elif role == "mentee":
            membership = Membership.objects.get(user=live.mentee_user)
            user = live.mentee_user
        elif role == "admin":
            membership, user = tenant.admin, tenant.admin.user
        elif role == "coordinator":
            ProgramCoordinator.objects.get_or_create(
                organization=tenant.organization, program=live.program, user=tenant.coordinator.user
            )
            membership, user = tenant.coordinator, tenant.coordinator.user
        elif role == "other_coordinator":
            ProgramCoordinator.objects.filter(program=live.program).delete()
            membership, user = tenant.coordinator, tenant.coordinator.user
        else:
            membership, user = tenant.member, tenant.member.user
        return pair_access(live.pair.pk, membership=membership, user=user)


@pytest.fixture
def written(org_a: Tenant) -> LivePair:
    """A pair with a session, a shared and a private note of each member, a goal with a comment
    and a check-in answered by the mentee."""
    live = live_pair(org_a)
    with org_a.scope():
        session = sessions.session_log(
            pair=live.pair,
            by=live.mentor,
            actor=None,
            held_on=date.today() - timedelta(days=1),
            duration_minutes=30,
            learned="SHARED-SESSION-TEXT",
        )
        for author in (live.mentor, live.mentee):
            notes.note_create(
                pair=live.pair,
                author=author,
                actor=None,
                text=f"SHARED-{author.role}",
                visibility=NoteVisibility.SHARED,
                session=session,
            )
            notes.note_create(
                pair=live.pair,
                author=author,
                actor=None,
                text=f"PRIVATE-{author.role}",
                visibility=NoteVisibility.PRIVATE,
            )
        goal = goals.goal_create(
            pair=live.pair, by=live.mentee, actor=None, owner="mentee", description="Ship a prompt"
        )
        goals.goal_progress(goal=goal, by=live.mentee, actor=None, progress=40, comment="COMMENT")
        CheckIn.objects.create(
            organization=org_a.organization,
            pair=live.pair,
            enrollment=live.mentee,
            due_on=date.today(),
            status="answered",
            rating=2,
            wants_contact=True,
        )
    return live


EXPECTED = {
    # role: (session text, note texts seen, goal comments, own/all check-ins, engagement+decisions)
    "mentor": (True, {"SHARED-mentor", "SHARED-mentee", "PRIVATE-mentor"}, True, 0, False),
    "mentee": (True, {"SHARED-mentor", "SHARED-mentee", "PRIVATE-mentee"}, True, 1, False),
    "admin": (False, set(), False, 1, True),
    "coordinator": (False, set(), False, 1, True),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_exactly_its_part(org_a: Tenant, written: LivePair, role: str) -> None:
    session_text, note_texts, comments, check_ins, signals = EXPECTED[role]
    access = _access(org_a, written, role)
    with org_a.scope():
        assert access.sees_session_text is session_text
        assert {note.text for note in access.notes()} == note_texts
        assert all(access.sees_note(note) for note in access.notes())
        assert access.sees_goal_comments is comments
        assert [u.comment for u in access.goal_updates()] == (["COMMENT"] if comments else [])
        assert access.check_ins().count() == check_ins
        # Facts are everyone's who may see the pair.
        assert access.sessions().count() == 1
        assert access.goals().get().progress == 40
    assert access.sees_engagement is signals
    assert access.sees_review_decisions is signals


@pytest.mark.parametrize("role", ["other_coordinator", "member"])
def test_everyone_else_in_the_organisation_gets_404(
    org_a: Tenant, written: LivePair, role: str
) -> None:
    with pytest.raises(Http404):
        _access(org_a, written, role)


def test_partner_never_sees_the_other_check_in(org_a: Tenant, written: LivePair) -> None:
    access = _access(org_a, written, "mentor")
    with org_a.scope():
        check_in = CheckIn.objects.get()
        assert not access.sees_check_in(check_in)
        assert _access(org_a, written, "mentee").sees_check_in(check_in)


def test_an_admin_who_is_also_the_mentee_gets_both_views(org_a: Tenant, written: LivePair) -> None:
    with org_a.scope():
        Person.objects.filter(pk=written.mentee.person_id).update(user=org_a.admin.user)
        access = pair_access(written.pair.pk, membership=org_a.admin, user=org_a.admin.user)
        assert access.is_member
        assert access.is_staff
        assert {note.text for note in access.notes()} == {
            "SHARED-mentor",
            "SHARED-mentee",
            "PRIVATE-mentee",
        }
    assert access.sees_engagement


def test_another_organisation_cannot_reach_the_pair(
    org_a: Tenant, org_b: Tenant, written: LivePair
) -> None:
    with org_b.scope(), pytest.raises(Http404):
        pair_access(written.pair.pk, membership=org_b.admin, user=org_b.admin.user)
