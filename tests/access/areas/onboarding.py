"""Role matrix rows and world objects of the bulk invitation by email (see __init__.py).

The invite page and the batches follow the enrolment policy (``enrollment.manage``): members are
refused by role (403), a coordinator sees only the batches of the programs they run (P's batch is
404 to the other coordinator, whose list is simply empty). With the body ``matrix=1`` the page's
form is invalid for staff (400); the API's ``{}`` likewise. The link is for the person it was sent
to, who has no account yet: every signed-in actor gets 403, an anonymous visitor the page (200) and
a 400 for a POST without the form's fields. Deciding about P's open invitations without a
decision is refused with a message on the enrolment page (302), as its other actions.
"""

from __future__ import annotations

from typing import Any

from organizations.models import Invitation, hash_secret
from participants.models import Enrollment, InvitationBatch, InvitationLetter, Person
from programs.models import Program, ProgramStatus
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    organization = ctx.org_a.organization
    token = Invitation.new_token()
    with ctx.org_a.scope():
        batch = InvitationBatch.objects.create(
            organization=organization,
            program=ctx.program,
            role="mentor",
            total=0,
            requested_by=ctx.coordinator,
        )
        enrolling = Program.objects.create(
            organization=organization, name="Enrolling by email", status=ProgramStatus.ENROLLING
        )
        person = Person.objects.create(
            organization=organization, full_name="Ivy Invitee", email="ivy@acme.test"
        )
        enrollment = Enrollment.objects.create(
            organization=organization, program=enrolling, person=person, role="mentor"
        )
        InvitationLetter.objects.create(
            organization=organization, enrollment=enrollment, token_hash=hash_secret(token)
        )
    return {
        "invitation_batch": batch.pk,
        "letter_token": token,
        "invitation_program": ctx.program.pk,
    }


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("people_invite", "GET"):                         row(200, 200, 200, 403, 403, 403, 302),
    ("people_invite", "POST"):                        row(400, 400, 400, 403, 403, 403, 302),
    ("invitation_batch_detail", "GET"):               row(200, 200, 404, 403, 403, 403, 302),
    ("program_invitation_open", "GET"):               row(403, 403, 403, 403, 403, 403, 200),
    ("program_invitation_open", "POST"):              row(403, 403, 403, 403, 403, 403, 400),
    ("enrollment_open_invitations", "POST"):          row(302, 302, 404, 403, 403, 403, 302),
    ("api-program-open-invitations", "POST"):         row(400, 400, 404, 403, 403, 403, 404),
    ("api-invitation-batch-list", "GET"):             row(200, 200, 200, 403, 403, 403, 404),
    ("api-invitation-batch-list", "POST"):            row(400, 400, 400, 403, 403, 403, 404),
    ("api-invitation-batch-detail", "GET"):           row(200, 200, 404, 403, 403, 403, 404),
}
# fmt: on
