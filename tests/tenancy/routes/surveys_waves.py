"""Survey waves: my surveys and answering one, a program survey's invitations (staff), the email's
signed link (outside /o/, guarded by its token) and the invitations API."""

from __future__ import annotations

from typing import Any

from participants.models import EnrollmentRole, Person
from surveys.models import InvitationStatus, Wave
from surveys.waves import links
from tests.conftest import Tenant
from tests.surveys.respond.helpers import open_invitation
from tests.surveys.waves.builders import accept, make_survey, survey_world
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    """A program survey with a sent invitation to the organisation's admin (so that org A's admin
    reaches every URL: their own invitation and their own email link)."""
    world = survey_world(tenant)
    with tenant.scope():
        person = Person.objects.create(
            organization=tenant.organization,
            user=tenant.admin.user,
            email=f"waves-admin@{tenant.slug}.test",
            full_name="Alex Admin (surveys)",
        )
    enrollment = accept(tenant, world.program, person, EnrollmentRole.MENTEE)
    survey = make_survey(tenant, world.program, Wave.PRE)
    invitation = open_invitation(tenant, survey, enrollment, status=InvitationStatus.SENT)
    return {
        "waves_survey": survey.pk,
        "waves_invitation": invitation.pk,
        "waves_token": links.make_token(invitation),
    }


ROUTES: dict[str, Route] = {
    "my_survey_list": Route(("GET",)),
    "my_survey_answer": Route(("GET", "POST"), ids_of("waves_invitation")),
    "survey_invitation_list": Route(("GET",), ids_of("waves_survey", "survey_pk")),
    # The email link works signed out: org A's token under org B's slug is a 404.
    "survey_link": Route(("GET", "POST"), ids_of("waves_token", "token"), member_gated=False),
    # API
    "api-survey-invitation-list": Route(("GET",)),
    "api-survey-invitation-detail": Route(("GET",), ids_of("waves_invitation")),
    "api-survey-invitation-answer": Route(("POST",), ids_of("waves_invitation")),
}
