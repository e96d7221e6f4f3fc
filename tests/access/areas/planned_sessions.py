"""Role matrix rows of a pair's planned sessions (feedback/sessions/: the pair page's section and
``pairs/<id>/planned-sessions/``): everyone who sees the pair reads when; its two people plan,
move and cancel (staff 403, ``feedback.visibility`` pair.write); anyone else 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from feedback.sessions import planned
from programs.lifecycle import program_today
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    with ctx.org_a.scope():
        session = planned.planned_session_create(
            pair=ctx.pair,
            by=ctx.mentee,
            actor=ctx.mentee_user,
            starts_on=program_today(ctx.program) + timedelta(days=3),
        )
    return {"relationship_planned_session": session.pk}


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    # Pages: the form without a day is the members' 400.
    ("pair_planned_session_create", "POST"):          row(403, 403, 404, 400, 400, 404, 302),
    ("pair_planned_session_move", "GET"):             row(403, 403, 404, 200, 200, 404, 302),
    ("pair_planned_session_move", "POST"):            row(403, 403, 404, 400, 400, 404, 302),
    ("pair_planned_session_cancel", "POST"):          row(403, 403, 404, 302, 302, 404, 302),
    # API: {} plans nothing (400) and a PUT needs the new day; an empty PATCH keeps it (200).
    ("api-pair-planned-session-list", "GET"):         row(200, 200, 404, 200, 200, 404, 404),
    ("api-pair-planned-session-list", "POST"):        row(403, 403, 404, 400, 400, 404, 404),
    ("api-pair-planned-session-detail", "GET"):       row(200, 200, 404, 200, 200, 404, 404),
    ("api-pair-planned-session-detail", "PUT"):       row(403, 403, 404, 400, 400, 404, 404),
    ("api-pair-planned-session-detail", "PATCH"):     row(403, 403, 404, 200, 200, 404, 404),
    ("api-pair-planned-session-detail", "DELETE"):    row(403, 403, 404, 204, 204, 404, 404),
}
# fmt: on
