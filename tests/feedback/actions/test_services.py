"""Actions and success stories, the services: who may write (asked again for the actor), allowed
moves, field messages for bad values with nothing stored, and audit entries that never carry the
text of an unshared action or an unpublished story."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from feedback.actions import services
from feedback.models import ACTION_RESULT_MAX_LENGTH, Action, ActionStatus, SuccessStory
from organizations.models import AuditEntry
from tests.conftest import Tenant
from tests.feedback.actions.builders import SECRET, YESTERDAY, World, action, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(org_a: Tenant) -> World:
    return world(org_a)


def test_the_mentee_commits_to_an_action_from_a_session_on_its_topic(w: World) -> None:
    created = action(
        w, session_id=w.session.pk, topic_id=w.topic.pk, due_on=YESTERDAY + timedelta(days=30)
    )
    assert (created.status, created.owner_id, created.session_id, created.topic_id) == (
        ActionStatus.PLANNED,
        w.live.mentee.pk,
        w.session.pk,
        w.topic.pk,
    )
    assert created.shared_at is None


@pytest.mark.parametrize("who", ["mentor", "coordinator", "admin"])
def test_only_the_mentee_writes_actions(w: World, who: str) -> None:
    actor = {
        "mentor": w.live.mentor_user,
        "coordinator": w.tenant.coordinator.user,
        "admin": w.tenant.admin.user,
    }[who]
    with w.tenant.scope(), pytest.raises(PermissionDenied, match="Only the executive"):
        services.action_create(pair=w.live.pair, actor=actor, title="Mine now")
    with w.tenant.scope():
        assert not Action.objects.exists()


def test_a_member_outside_the_pair_cannot_find_it(w: World) -> None:
    with w.tenant.scope(), pytest.raises(Http404):
        services.action_create(pair=w.live.pair, actor=w.tenant.member.user, title="Sneaky")


def test_every_bad_value_gets_its_own_field_message_and_nothing_is_stored(
    w: World, org_b: Tenant
) -> None:
    other = world(org_b)
    with w.tenant.scope():
        with pytest.raises(ValidationError) as refused:
            services.action_create(
                pair=w.live.pair,
                actor=w.live.mentee_user,
                title="  ",
                due_on=YESTERDAY,
                session_id=other.session.pk,  # another organisation's session: not of this pair
                topic_id=w.topic.pk,
            )
        assert set(refused.value.message_dict) == {"title", "due_on", "session"}
        with pytest.raises(ValidationError) as refused:
            services.action_create(
                pair=w.live.pair, actor=w.live.mentee_user, title="x" * 201, topic_id=10**12
            )
        assert set(refused.value.message_dict) == {"title", "topic"}
        assert not Action.objects.exists()


def test_status_moves_follow_the_course_and_reopen(w: World) -> None:
    created = action(w)
    actor = w.live.mentee_user
    with w.tenant.scope():
        with pytest.raises(ValidationError, match="can move to: in progress, dropped"):
            services.action_move(action=created, actor=actor, status=ActionStatus.IMPLEMENTED)
        moved = services.action_move(action=created, actor=actor, status=ActionStatus.IN_PROGRESS)
        done = services.action_move(
            action=moved,
            actor=actor,
            status=ActionStatus.IMPLEMENTED,
            result="Two hours a week back",
        )
        assert (done.status, done.result) == (ActionStatus.IMPLEMENTED, "Two hours a week back")
        with pytest.raises(ValidationError, match="can move to: in progress"):
            services.action_move(action=done, actor=actor, status=ActionStatus.DROPPED)
        reopened = services.action_move(action=done, actor=actor, status=ActionStatus.IN_PROGRESS)
        assert reopened.result == "Two hours a week back"  # a move without a note keeps it
        dropped = services.action_move(action=reopened, actor=actor, status=ActionStatus.DROPPED)
        assert (
            services.action_move(
                action=dropped, actor=actor, status=ActionStatus.IN_PROGRESS
            ).status
            == ActionStatus.IN_PROGRESS
        )
        with pytest.raises(ValidationError) as unknown:
            services.action_move(action=dropped, actor=actor, status="done")
        assert set(unknown.value.message_dict) == {"status"}


def test_the_result_note_is_bounded(w: World) -> None:
    created = action(w)
    with w.tenant.scope():
        with pytest.raises(ValidationError) as refused:
            services.action_update(
                action=created,
                actor=w.live.mentee_user,
                title=created.title,
                due_on=None,
                topic_id=None,
                result="x" * (ACTION_RESULT_MAX_LENGTH + 1),
            )
        assert set(refused.value.message_dict) == {"result"}
        assert Action.objects.get(pk=created.pk).result == ""


def test_a_past_due_date_may_stay_but_not_be_set(w: World) -> None:
    created = action(w, due_on=YESTERDAY + timedelta(days=1))
    with w.tenant.scope():
        Action.objects.filter(pk=created.pk).update(due_on=YESTERDAY)
        created.refresh_from_db()
        kept = services.action_update(
            action=created,
            actor=w.live.mentee_user,
            title="Renamed",
            due_on=YESTERDAY,
            topic_id=None,
        )
        assert (kept.title, kept.due_on) == ("Renamed", YESTERDAY)
        with pytest.raises(ValidationError, match="That date has passed"):
            services.action_update(
                action=kept,
                actor=w.live.mentee_user,
                title="Renamed",
                due_on=YESTERDAY - timedelta(days=1),
                topic_id=None,
            )


def test_sharing_is_consent_per_action_and_revocable(w: World) -> None:
    created = action(w)
    with w.tenant.scope():
        shared = services.action_share(action=created, actor=w.live.mentee_user, shared=True)
        first = shared.shared_at
        assert first is not None
        again = services.action_share(action=shared, actor=w.live.mentee_user, shared=True)
        assert again.shared_at == first
        with pytest.raises(PermissionDenied):
            services.action_share(action=created, actor=w.live.mentor_user, shared=False)
        revoked = services.action_share(action=again, actor=w.live.mentee_user, shared=False)
        assert revoked.shared_at is None


def test_the_audit_log_never_carries_the_text_of_an_action_or_story(w: World) -> None:
    created = action(w, session_id=w.session.pk)
    actor = w.live.mentee_user
    with w.tenant.scope():
        services.action_update(
            action=created,
            actor=actor,
            title=SECRET,
            due_on=None,
            topic_id=None,
            result="Secret result",
        )
        services.action_move(
            action=created, actor=actor, status=ActionStatus.IN_PROGRESS, result="Also secret"
        )
        services.action_share(action=created, actor=actor, shared=True)
        services.action_share(action=created, actor=actor, shared=False)
        story = services.story_write(
            pair=w.live.pair, by=w.live.mentee, actor=actor, text="An unpublished story"
        )
        services.story_agree(story=story, by=w.live.mentee, actor=actor)
        entries = list(
            AuditEntry.objects.filter(action__startswith="action.")
            | AuditEntry.objects.filter(action__startswith="story.")
        )
    assert {e.action for e in entries} == {
        "action.create",
        "action.update",
        "action.status",
        "action.share",
        "action.unshare",
        "story.write",
        "story.agree",
    }
    dumped = repr([(e.data, e.object_type, e.object_id) for e in entries])
    for text in (SECRET, "Secret result", "Also secret", "An unpublished story"):
        assert text not in dumped


def test_a_story_is_published_while_both_agree_and_either_withdraws(w: World) -> None:
    live = w.live
    with w.tenant.scope():
        story = services.story_write(
            pair=live.pair, by=live.mentor, actor=live.mentor_user, text="We changed how we meet."
        )
        story = services.story_agree(story=story, by=live.mentor, actor=live.mentor_user)
        assert not story.is_published
        with pytest.raises(ValidationError, match="already agreed"):
            services.story_agree(story=story, by=live.mentor, actor=live.mentor_user)
        story = services.story_agree(story=story, by=live.mentee, actor=live.mentee_user)
        assert story.is_published
        with pytest.raises(ValidationError, match="withdraw your agreement first"):
            services.story_edit(story=story, by=live.mentee, actor=live.mentee_user, text="New")
        story = services.story_withdraw(story=story, by=live.mentee, actor=live.mentee_user)
        assert not story.is_published
        edited = services.story_edit(
            story=story, by=live.mentee, actor=live.mentee_user, text="We changed more."
        )
        # Agreements were given to the old text.
        assert (edited.mentor_agreed_at, edited.mentee_agreed_at) == (None, None)


def test_one_side_cannot_agree_for_the_other_nor_staff_write(w: World) -> None:
    live = w.live
    with w.tenant.scope():
        story = services.story_write(
            pair=live.pair, by=live.mentor, actor=live.mentor_user, text="Ours."
        )
        with pytest.raises(PermissionDenied, match="for yourself"):
            services.story_agree(story=story, by=live.mentee, actor=live.mentor_user)
        with pytest.raises(PermissionDenied, match="Only the two people"):
            services.story_write(
                pair=live.pair, by=live.mentor, actor=w.tenant.coordinator.user, text="Staff's"
            )
        with pytest.raises(ValidationError) as refused:
            services.story_write(
                pair=live.pair, by=live.mentor, actor=live.mentor_user, text="x" * 2001
            )
        assert set(refused.value.message_dict) == {"text"}
        assert SuccessStory.objects.count() == 1
