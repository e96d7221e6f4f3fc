"""Bulk invitation by email: the invite page, a batch's progress (pages and API), the link, and
the choice about a program's open invitations.

Org A's link belongs to a person org A's admin is not, so the admin's own GET answers 403: the URL
resolves; for org B's slug with org A's token the link is unknown (404).
"""

from __future__ import annotations

from typing import Any

from organizations.models import Invitation, hash_secret
from participants.models import InvitationBatch, InvitationLetter
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import enrol, make_person, make_program
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    program = make_program(tenant, name="Invitation matrix")
    enrollment = enrol(tenant, program, make_person(tenant), "mentor")
    token = Invitation.new_token()
    with tenant.scope():
        batch = InvitationBatch.objects.create(
            organization=tenant.organization,
            program=program,
            role="mentor",
            enrollment_ids=[enrollment.pk],
            total=1,
            requested_by=tenant.admin.user,
        )
        InvitationLetter.objects.create(
            organization=tenant.organization, enrollment=enrollment, token_hash=hash_secret(token)
        )
    return {"invitation_batch": batch.pk, "letter_token": token, "invitation_program": program.pk}


ROUTES: dict[str, Route] = {
    "people_invite": Route(("GET", "POST")),
    "invitation_batch_detail": Route(("GET",), ids_of("invitation_batch")),
    "program_invitation_open": Route(
        ("GET", "POST"), ids_of("letter_token", "token"), member_gated=False, owner_get_status=403
    ),
    "enrollment_open_invitations": Route(("POST",), ids_of("invitation_program", "program_pk")),
    "api-program-open-invitations": Route(("POST",), ids_of("invitation_program", "program_pk")),
    "api-invitation-batch-list": Route(("GET", "POST")),
    "api-invitation-batch-detail": Route(("GET",), ids_of("invitation_batch")),
}
