"""Role matrix rows and world objects of the survey waves (see tests/access/areas/__init__.py).

The world's pair mentor has a sent invitation to an attributed follow-up survey of P (a wave the
other survey areas leave alone; if one of them made it, it is reused). Answering is the
invitation's own person's: staff who see it get 403, everyone else 404. The signed link works for
anyone holding it, signed in or not; an empty POST is a required question left out (400).
"""

from __future__ import annotations

from typing import Any

from surveys.models import InvitationStatus, Survey, SurveyInvitation, Wave
from surveys.waves import links
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row
from tests.surveys.respond.helpers import open_invitation
from tests.surveys.waves.builders import add_version, default_questions


def build(ctx: Context) -> dict[str, Any]:
    tenant = ctx.org_a
    with tenant.scope():
        survey, _created = Survey.objects.get_or_create(
            program=ctx.program,
            wave=Wave.FOLLOW_UP,
            defaults={"organization": tenant.organization, "title": "Follow-up survey"},
        )
        if not survey.versions.exists():
            add_version(survey, default_questions())
        existing = SurveyInvitation.objects.filter(survey=survey, enrollment=ctx.mentor).first()
    invitation = existing or open_invitation(
        tenant, survey, ctx.mentor, status=InvitationStatus.SENT
    )
    return {
        "waves_survey": survey.pk,
        "waves_invitation": invitation.pk,
        "waves_token": links.make_token(invitation),
    }


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("my_survey_list", "GET"):                        row(200, 200, 200, 200, 200, 200, 302),
    ("my_survey_answer", "GET"):                      row(404, 404, 404, 200, 404, 404, 302),
    ("my_survey_answer", "POST"):                     row(404, 404, 404, 400, 404, 404, 302),
    # Survey policy: a program survey is 404 to whoever does not run its program, members too.
    ("survey_invitation_list", "GET"):                row(200, 200, 404, 404, 404, 404, 302),
    ("survey_link", "GET"):                           row(200, 200, 200, 200, 200, 200, 200),
    ("survey_link", "POST"):                          row(400, 400, 400, 400, 400, 400, 400),
    ("api-survey-invitation-list", "GET"):            row(200, 200, 200, 200, 200, 200, 404),
    ("api-survey-invitation-detail", "GET"):          row(200, 200, 404, 200, 404, 404, 404),
    ("api-survey-invitation-answer", "POST"):         row(403, 403, 404, 400, 404, 404, 404),
}
# fmt: on
