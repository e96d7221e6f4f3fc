"""Actions and success stories: the pair page's sections, one's own actions, a program's "what
changed", and the API (a pair's actions and stories, mine, the program summary)."""

from __future__ import annotations

from typing import Any

from feedback.actions import services
from tests.conftest import Tenant
from tests.feedback.actions.builders import action, world
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    w = world(tenant)
    live = w.live
    # Shared and published, so that org A's admin (staff) reaches the detail routes: 200.
    shared = action(w, session_id=w.session.pk, topic_id=w.topic.pk)
    with tenant.scope():
        services.action_share(action=shared, actor=live.mentee_user, shared=True)
        story = services.story_write(
            pair=live.pair, by=live.mentor, actor=live.mentor_user, text="We changed things."
        )
        services.story_agree(story=story, by=live.mentor, actor=live.mentor_user)
        services.story_agree(story=story, by=live.mentee, actor=live.mentee_user)
    return {
        "actions_pair": live.pair.pk,
        "actions_action": shared.pk,
        "actions_story": story.pk,
        "actions_program": live.program.pk,
    }


def _pair(ids: dict[str, Any]) -> dict[str, Any]:
    return {"pair_pk": ids["actions_pair"]}


def _in_pair(key: str) -> Any:
    return lambda ids: {"pair_pk": ids["actions_pair"], "pk": ids[key]}


ROUTES: dict[str, Route] = {
    # Pages. Org A's admin runs the program without being in the pair: the forms are the pair's
    # (403), which proves the URLs resolve.
    "pair_action_create": Route(("GET", "POST"), _pair, owner_get_status=403),
    "pair_action_edit": Route(("GET", "POST"), _in_pair("actions_action"), owner_get_status=403),
    "pair_action_status": Route(("POST",), _in_pair("actions_action")),
    "pair_action_share": Route(("POST",), _in_pair("actions_action")),
    "pair_story_create": Route(("POST",), _pair),
    "pair_story_edit": Route(("GET", "POST"), _in_pair("actions_story"), owner_get_status=403),
    "pair_story_agree": Route(("POST",), _in_pair("actions_story")),
    "pair_story_withdraw": Route(("POST",), _in_pair("actions_story")),
    "my_action_list": Route(("GET",)),
    "program_what_changed": Route(("GET",), ids_of("actions_program", "program_pk")),
    # API.
    "api-pair-action-list": Route(("GET", "POST"), _pair),
    "api-pair-action-detail": Route(("GET", "PUT", "PATCH"), _in_pair("actions_action")),
    "api-pair-action-status": Route(("POST",), _in_pair("actions_action")),
    "api-pair-action-share": Route(("POST",), _in_pair("actions_action")),
    "api-pair-action-unshare": Route(("POST",), _in_pair("actions_action")),
    "api-pair-story-list": Route(("GET", "POST"), _pair),
    "api-pair-story-detail": Route(("GET", "PUT", "PATCH"), _in_pair("actions_story")),
    "api-pair-story-agree": Route(("POST",), _in_pair("actions_story")),
    "api-pair-story-withdraw": Route(("POST",), _in_pair("actions_story")),
    "api-my-action-list": Route(("GET",)),
    "api-program-action-summary": Route(("GET",), ids_of("actions_program", "program_pk")),
}
