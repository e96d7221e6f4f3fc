"""Bulk invitation by email: who is chosen (filters, select all across pages), one letter per
person with a one-use link, idempotent sending, resend, progress, audit, and the policy."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404

from core.access import Forbidden
from organizations.models import AuditEntry, hash_secret
from participants.models import (
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
    InvitationBatchStatus,
    InvitationLetter,
)
from participants.onboarding import sending, use_cases
from programs.models import Program
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import (
    enrol,
    make_charter,
    make_people,
    make_person,
    make_program,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://\S+/join/acme/(\S+)/")


def _invite(tenant: Tenant, program_id: int, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("role", EnrollmentRole.MENTOR)
    kwargs.setdefault("filters", {})
    kwargs.setdefault("select_all", False)
    kwargs.setdefault("person_ids", [])
    with tenant.scope():
        batch = use_cases.invite_by_email(
            actor=kwargs.pop("actor", tenant.admin), program_id=program_id, **kwargs
        )
        sending.run_batch(batch.pk)
        batch.refresh_from_db()
    return batch


def test_select_all_reaches_every_match_on_every_page_and_emails_each_once(
    org_a: Tenant,
) -> None:
    program = make_program(org_a, name="Digital Fluency")
    juniors = make_people(org_a, 30, level=2, department="Engineering")
    make_people(org_a, 3, level=8, department="Engineering")  # executives: filtered out
    make_people(org_a, 2, level=2, department="Sales")  # another department
    batch = _invite(
        org_a,
        program.pk,
        select_all=True,
        filters={"department": "engineering", "level_max": "3"},
    )
    assert batch.status == InvitationBatchStatus.DONE
    assert (batch.total, batch.sent, batch.skipped, batch.failed) == (30, 30, 0, 0)
    assert batch.summary == {"chosen": 30, "new": 30, "already_invited": 0, "already_in": 0}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in juniors)
    letter = mail.outbox[0]
    assert "Digital Fluency" in letter.subject
    assert "as a mentor" in letter.subject
    assert "accept the invitation" in letter.body
    assert LINK.search(letter.body)
    with org_a.scope():
        assert Enrollment.objects.filter(program=program, status="invited").count() == 30
        assert AuditEntry.objects.filter(action="enrollment.invitation_sent").count() == 30
        assert AuditEntry.objects.filter(action="invitation_batch.requested").count() == 1


def test_inviting_again_sends_nothing_twice_unless_asked_to_resend(org_a: Tenant) -> None:
    program = make_program(org_a)
    person = make_person(org_a)
    _invite(org_a, program.pk, person_ids=[person.pk])
    first = LINK.search(mail.outbox[0].body)
    assert first is not None
    again = _invite(org_a, program.pk, person_ids=[person.pk])
    assert (again.sent, again.skipped) == (0, 1)
    assert len(mail.outbox) == 1
    resent = _invite(org_a, program.pk, person_ids=[person.pk], resend=True)
    assert (resent.sent, resent.skipped) == (1, 0)
    assert len(mail.outbox) == 2
    second = LINK.search(mail.outbox[1].body)
    assert second is not None
    assert second.group(1) != first.group(1)
    with org_a.scope():
        letter = InvitationLetter.objects.get(enrollment__person=person)
        assert letter.send_count == 2
        # Only the newest link opens the invitation.
        assert letter.token_hash == hash_secret(second.group(1))


def test_people_further_along_are_left_alone(org_a: Tenant) -> None:
    program = make_program(org_a)
    accepted = make_person(org_a)
    enrol(org_a, program, accepted, EnrollmentRole.MENTEE, EnrollmentStatus.ACCEPTED)
    fresh = make_person(org_a)
    batch = _invite(org_a, program.pk, person_ids=[accepted.pk, fresh.pk])
    assert batch.summary == {"chosen": 2, "new": 1, "already_invited": 0, "already_in": 1}
    assert [m.to for m in mail.outbox] == [[fresh.email]]


def test_the_letter_says_what_is_asked_and_mentions_the_charter(org_a: Tenant) -> None:
    program = make_program(org_a, name="Reverse 2027", description="Juniors teach executives.")
    with org_a.scope():
        make_charter(program, 1)
    executive = make_person(org_a, full_name="Dana Director", level=9)
    _invite(org_a, program.pk, person_ids=[executive.pk], role=EnrollmentRole.MENTEE)
    body = mail.outbox[0].body
    assert body.startswith("Hello Dana Director,")
    assert "as a mentee" in body
    assert "Juniors teach executives." in body
    assert "accept the invitation and the program's charter" in body


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"level_min": "x"}, "level_min"),
        ({"level_min": "5", "level_max": "2"}, "level_max"),
        ({"title": "x" * 121}, "title"),
    ],
)
def test_bad_filters_are_field_errors(org_a: Tenant, filters: dict[str, str], field: str) -> None:
    program = make_program(org_a)
    make_person(org_a)
    with org_a.scope(), pytest.raises(ValidationError) as error:
        use_cases.invite_by_email(
            actor=org_a.admin,
            program_id=program.pk,
            role="mentor",
            filters=filters,
            select_all=True,
            person_ids=[],
        )
    assert field in error.value.message_dict


def test_unknown_or_foreign_person_ids_invite_nobody(org_a: Tenant, org_b: Tenant) -> None:
    program = make_program(org_a)
    mine = make_person(org_a)
    theirs = make_person(org_b)
    with org_a.scope(), pytest.raises(ValidationError) as error:
        use_cases.invite_by_email(
            actor=org_a.admin,
            program_id=program.pk,
            role="mentor",
            filters={},
            select_all=False,
            person_ids=[mine.pk, theirs.pk],
        )
    assert "person_ids" in error.value.message_dict
    with org_a.scope():
        assert not Enrollment.objects.exists()


def test_members_are_refused_and_other_coordinators_cannot_see_the_program(
    org_a: Tenant,
) -> None:
    program = make_program(org_a)
    person = make_person(org_a)
    arguments = {
        "program_id": program.pk,
        "role": "mentor",
        "filters": {},
        "select_all": False,
        "person_ids": [person.pk],
    }
    with org_a.scope():
        with pytest.raises(Forbidden):
            use_cases.invite_by_email(actor=org_a.member, **arguments)
        with pytest.raises(Http404):  # not assigned to this program
            use_cases.invite_by_email(actor=org_a.coordinator, **arguments)


def test_the_task_asks_the_policy_again_for_its_requester(org_a: Tenant) -> None:
    program = make_program(org_a)
    person = make_person(org_a)
    with org_a.scope():
        batch = use_cases.invite_by_email(
            actor=org_a.admin,
            program_id=program.pk,
            role="mentor",
            filters={},
            select_all=False,
            person_ids=[person.pk],
        )
        org_a.admin.role = "member"
        org_a.admin.save(update_fields=["role"])
        sending.run_batch(batch.pk)
        batch.refresh_from_db()
    assert batch.status == InvitationBatchStatus.FAILED
    assert batch.sent == 0
    assert not mail.outbox


def test_a_claimed_batch_is_not_sent_twice(org_a: Tenant) -> None:
    program = make_program(org_a)
    person = make_person(org_a)
    _invite(org_a, program.pk, person_ids=[person.pk])
    with org_a.scope():
        batch = use_cases.visible_batches(actor=org_a.admin).get()
        sending.run_batch(batch.pk)  # a redelivered message
    assert len(mail.outbox) == 1


def test_a_line_break_in_an_older_program_name_does_not_break_the_letter(org_a: Tenant) -> None:
    # Names refuse control characters now; a row written before that rule may still hold one.
    program = make_program(org_a, name="Reverse 2027")
    with org_a.scope():
        Program.objects.filter(pk=program.pk).update(name="Reverse\n2027")
    batch = _invite(org_a, program.pk, person_ids=[make_person(org_a).pk])
    assert batch.sent == 1
    (letter,) = mail.outbox
    assert "You are invited to Reverse 2027 as a" in letter.subject
