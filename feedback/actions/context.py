"""What the pair page shows of a pair's actions and success stories, for one viewer.

Read through :class:`~feedback.actions.access.ActionAccess`: the pair's two people get every
action and story; staff get the shared actions and published stories only, and how many actions
there are. The query count is fixed: lists are paginated and load their topics and sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.timezone import localtime

from feedback.actions import services
from feedback.actions.access import ActionAccess
from feedback.actions.forms import ActionForm, StoryForm
from feedback.models import Action, ActionStatus, SuccessStory
from feedback.paging import list_page
from feedback.pairs.links import PairLinks
from matching.models import PairStatus

ACTIONS_PER_PAGE = 10
STORIES_PER_PAGE = 5

STATUS_BUTTONS: dict[str, str] = {
    ActionStatus.IN_PROGRESS: "Start",
    ActionStatus.IMPLEMENTED: "Mark implemented",
    ActionStatus.DROPPED: "Drop",
}
REOPEN = "Re-open"


@dataclass(frozen=True)
class ActionRow:
    action: Action
    # (status, button text) of each allowed move, for the owner; empty for readers.
    moves: list[tuple[str, str]]
    is_open: bool
    status_url: str
    share_url: str
    edit_url: str


@dataclass(frozen=True)
class StoryRow:
    story: SuccessStory
    i_agreed: bool
    partner_agreed: bool
    editable: bool
    day: str  # the day it was written
    agree_url: str
    withdraw_url: str
    edit_url: str


def move_buttons(action: Action) -> list[tuple[str, str]]:
    reopening = action.status in (ActionStatus.IMPLEMENTED, ActionStatus.DROPPED)
    return [
        (status, REOPEN if reopening else STATUS_BUTTONS.get(status, status))
        for status in services.next_statuses(action.status)
    ]


def action_form(access: ActionAccess, *, session_pk: int | None = None) -> ActionForm:
    """The blank "add an action" form, prefilled with a session of the pair when one is given."""
    session = access.sessions().filter(pk=session_pk).first() if session_pk else None
    return ActionForm(
        topics=services.allowed_topics(access.pair, session),
        sessions=access.sessions().order_by("-held_on", "-id"),
        initial={"session": session.pk} if session is not None else None,
    )


def _story_rows(
    access: ActionAccess, stories: list[SuccessStory], links: PairLinks
) -> list[StoryRow]:
    rows = []
    mine = access.enrollment
    for story in stories:
        i_agreed = partner_agreed = False
        if mine is not None:
            mentor_side = mine.pk == access.pair.mentor_id
            mine_at = story.mentor_agreed_at if mentor_side else story.mentee_agreed_at
            theirs_at = story.mentee_agreed_at if mentor_side else story.mentor_agreed_at
            i_agreed, partner_agreed = mine_at is not None, theirs_at is not None
        rows.append(
            StoryRow(
                story=story,
                i_agreed=i_agreed,
                partner_agreed=partner_agreed,
                editable=access.is_member and not story.is_published,
                day=date_format(localtime(story.created_at), "j F Y"),
                agree_url=links.row("pair_story_agree", story.pk),
                withdraw_url=links.row("pair_story_withdraw", story.pk),
                edit_url=links.row("pair_story_edit", story.pk),
            )
        )
    return rows


def pair_actions(
    request: HttpRequest,
    access: ActionAccess,
    forms: dict[str, Any] | None = None,
    *,
    links: PairLinks,
) -> dict[str, Any]:
    """The pair page's context for its actions and stories sections; ``links`` are the page's."""
    forms = forms or {}
    started = access.pair.status != PairStatus.PENDING
    # The topic's name and the session's day are all the list shows of them: read as columns.
    listed = (
        access.actions()
        .annotate(topic_name=F("topic__name"), session_held_on=F("session__held_on"))
        .order_by("-created_at", "-id")
    )
    action_page = list_page(listed, ACTIONS_PER_PAGE, request.GET.get("actions_page"))
    action_rows = [
        ActionRow(
            action=action,
            moves=move_buttons(action) if access.is_owner else [],
            is_open=action.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS),
            status_url=links.row("pair_action_status", action.pk),
            share_url=links.row("pair_action_share", action.pk),
            edit_url=links.row("pair_action_edit", action.pk),
        )
        for action in action_page.object_list
    ]
    story_page = list_page(
        access.stories().order_by("-created_at", "-id"),
        STORIES_PER_PAGE,
        request.GET.get("stories_page"),
    )
    # The writer is one of the pair's two people, loaded with the pair.
    pair = access.pair
    people = {pair.mentor_id: pair.mentor, pair.mentee_id: pair.mentee}
    for story in story_page.object_list:
        writer = people.get(story.written_by_id) if story.written_by_id is not None else None
        if writer is not None:
            story.written_by = writer
    context: dict[str, Any] = {
        "action_access": access,
        "can_write_actions": access.is_owner and started,
        "action_page": action_page,
        "action_rows": action_rows,
        "action_form": (forms.get("action_form") or action_form(access))
        if access.is_owner and started
        else None,
        "action_total": None,
        "story_page": story_page,
        "story_rows": _story_rows(access, list(story_page.object_list), links),
        "story_form": (forms.get("story_form") or StoryForm())
        if access.is_member and started
        else None,
    }
    if access.is_staff and not access.is_member:
        # Staff count every action of the pair; they read only the shared ones listed.
        context["action_total"] = Action.objects.filter(pair=access.pair).count()
    return context
