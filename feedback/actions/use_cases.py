"""Actions and success stories, one function per action, shared by the pair page and the API.

Each takes the viewer's :class:`~feedback.actions.access.ActionAccess` (who may not see the pair
never gets one: 404), looks the object up through the policy (an action or story the viewer may not
read does not exist: 404), asks the policy for the write (403, the same words on the page and in
the API) before any value is read, then calls the service, which asks again for its actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import Http404

from accounts.models import User
from feedback.actions import services
from feedback.actions.access import WRITE_ACTION, WRITE_STORY, ActionAccess
from feedback.models import Action, SuccessStory


@dataclass(frozen=True)
class ActionDraft:
    title: str
    due_on: date | None = None
    session_id: int | None = None
    topic_id: int | None = None


# --- Lookups -------------------------------------------------------------------------------------


def visible_action(access: ActionAccess, pk: int) -> Action:
    action = access.actions().select_related("topic", "session").filter(pk=pk).first()
    if action is None:
        raise Http404("No such action.")
    action.pair = access.pair
    return action


def visible_story(access: ActionAccess, pk: int) -> SuccessStory:
    story = access.stories().filter(pk=pk).first()
    if story is None:
        raise Http404("No such story.")
    story.pair = access.pair
    return story


# --- Actions -------------------------------------------------------------------------------------


def create_action(*, access: ActionAccess, actor: User, draft: ActionDraft) -> Action:
    access.permissions.require(WRITE_ACTION)
    return services.action_create(
        pair=access.pair,
        actor=actor,
        title=draft.title,
        due_on=draft.due_on,
        session_id=draft.session_id,
        topic_id=draft.topic_id,
    )


def update_action(
    *,
    access: ActionAccess,
    actor: User,
    action: Action,
    title: str,
    due_on: date | None,
    topic_id: int | None,
    result: str,
) -> Action:
    access.permissions.require(WRITE_ACTION)
    return services.action_update(
        action=action, actor=actor, title=title, due_on=due_on, topic_id=topic_id, result=result
    )


def move_action(
    *, access: ActionAccess, actor: User, action: Action, status: str, result: str | None = None
) -> Action:
    access.permissions.require(WRITE_ACTION)
    return services.action_move(action=action, actor=actor, status=status, result=result)


def share_action(*, access: ActionAccess, actor: User, action: Action, shared: bool) -> Action:
    access.permissions.require(WRITE_ACTION)
    return services.action_share(action=action, actor=actor, shared=shared)


# --- Success stories -----------------------------------------------------------------------------


def write_story(*, access: ActionAccess, actor: User, text: str) -> SuccessStory:
    by = access.story_author()
    return services.story_write(pair=access.pair, by=by, actor=actor, text=text)


def edit_story(
    *, access: ActionAccess, actor: User, story: SuccessStory, text: str
) -> SuccessStory:
    by = access.story_author()
    return services.story_edit(story=story, by=by, actor=actor, text=text)


def agree_story(*, access: ActionAccess, actor: User, story: SuccessStory) -> SuccessStory:
    access.permissions.require(WRITE_STORY)
    return services.story_agree(story=story, by=access.story_author(), actor=actor)


def withdraw_story(*, access: ActionAccess, actor: User, story: SuccessStory) -> SuccessStory:
    access.permissions.require(WRITE_STORY)
    return services.story_withdraw(story=story, by=access.story_author(), actor=actor)
