"""Role matrix rows and world objects of this area (see tests/access/areas/__init__.py).

In the world, the pair's mentee owns one action from the pair's session, **shared** with the
organisation (so staff read it: 200), and the mentor wrote a success story and agreed to publish
it; the mentee has not agreed yet, so it is **unpublished** (staff: 404; the mentor agreeing again
or the mentee withdrawing: 400). Actions are the mentee's to write (everyone else who sees the pair:
403); stories are the two members' (staff: 403).
"""

from __future__ import annotations

from typing import Any

from feedback.actions import services
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    with ctx.org_a.scope():
        action = services.action_create(
            pair=ctx.pair,
            actor=ctx.mentee_user,
            title="Delegate the deck reviews",
            session_id=ctx.session.pk,
        )
        services.action_share(action=action, actor=ctx.mentee_user, shared=True)
        story = services.story_write(
            pair=ctx.pair, by=ctx.mentor, actor=ctx.mentor_user, text="We changed how we meet."
        )
        services.story_agree(story=story, by=ctx.mentor, actor=ctx.mentor_user)
    return {
        "actions_pair": ctx.pair.pk,
        "actions_action": action.pk,
        "actions_story": story.pk,
        "actions_program": ctx.program.pk,
    }


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    # --- Pages: the pair page's actions and stories (an action is its mentee's to write)
    ("pair_action_create", "GET"):                    row(403, 403, 404, 403, 200, 404, 302),
    ("pair_action_create", "POST"):                   row(403, 403, 404, 403, 400, 404, 302),
    ("pair_action_edit", "GET"):                      row(403, 403, 404, 403, 200, 404, 302),
    ("pair_action_edit", "POST"):                     row(403, 403, 404, 403, 400, 404, 302),
    ("pair_action_status", "POST"):                   row(403, 403, 404, 403, 400, 404, 302),
    ("pair_action_share", "POST"):                    row(403, 403, 404, 403, 400, 404, 302),
    ("pair_story_create", "POST"):                    row(403, 403, 404, 400, 400, 404, 302),
    ("pair_story_edit", "GET"):                       row(403, 403, 404, 200, 200, 404, 302),
    ("pair_story_edit", "POST"):                      row(403, 403, 404, 400, 400, 404, 302),
    # The mentor agreed already (400), the mentee not yet (302: agreed); withdrawing likewise.
    ("pair_story_agree", "POST"):                     row(403, 403, 404, 400, 302, 404, 302),
    ("pair_story_withdraw", "POST"):                  row(403, 403, 404, 302, 400, 404, 302),
    ("my_action_list", "GET"):                        row(200, 200, 200, 200, 200, 200, 302),
    ("program_what_changed", "GET"):                  row(200, 200, 404, 403, 403, 403, 302),

    # --- API: a pair's actions (the shared one) and stories (the unpublished one)
    ("api-pair-action-list", "GET"):                  row(200, 200, 404, 200, 200, 404, 404),
    ("api-pair-action-list", "POST"):                 row(403, 403, 404, 403, 400, 404, 404),
    ("api-pair-action-detail", "GET"):                row(200, 200, 404, 200, 200, 404, 404),
    ("api-pair-action-detail", "PUT"):                row(403, 403, 404, 403, 400, 404, 404),
    ("api-pair-action-detail", "PATCH"):              row(403, 403, 404, 403, 200, 404, 404),
    ("api-pair-action-status", "POST"):               row(403, 403, 404, 403, 400, 404, 404),
    ("api-pair-action-share", "POST"):                row(403, 403, 404, 403, 200, 404, 404),
    ("api-pair-action-unshare", "POST"):              row(403, 403, 404, 403, 200, 404, 404),
    ("api-pair-story-list", "GET"):                   row(200, 200, 404, 200, 200, 404, 404),
    ("api-pair-story-list", "POST"):                  row(403, 403, 404, 400, 400, 404, 404),
    # Unpublished: staff cannot read it (404) and cannot write it (403, asked before the lookup).
    ("api-pair-story-detail", "GET"):                 row(404, 404, 404, 200, 200, 404, 404),
    ("api-pair-story-detail", "PUT"):                 row(403, 403, 404, 400, 400, 404, 404),
    ("api-pair-story-detail", "PATCH"):               row(403, 403, 404, 200, 200, 404, 404),
    ("api-pair-story-agree", "POST"):                 row(403, 403, 404, 400, 200, 404, 404),
    ("api-pair-story-withdraw", "POST"):              row(403, 403, 404, 200, 400, 404, 404),
    ("api-my-action-list", "GET"):                    row(200, 200, 200, 200, 200, 200, 404),
    ("api-program-action-summary", "GET"):            row(200, 200, 404, 403, 403, 403, 404),
}
# fmt: on
