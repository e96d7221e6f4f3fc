"""Enrolment services: invite rules, self-registration, capacity, waitlist, withdrawal, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organizations.models import AuditEntry
from participants import enrollment as enrolment
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus, Person
from programs.access import managed_programs
from programs.models import ProgramStatus
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import (
    admitted,
    assign_coordinator,
    enrol,
    make_people,
    make_person,
    make_program,
)

MENTOR, MENTEE = EnrollmentRole.MENTOR, EnrollmentRole.MENTEE


def _fields(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def test_invite_in_bulk_creates_invitations_and_audits_each(org_a: Tenant) -> None:
    program = make_program(org_a)
    people = make_people(org_a, 3)
    with org_a.scope():
        invited = enrolment.enrollment_invite(
            program=program, person_ids=[p.pk for p in people], role=MENTOR, actor=org_a.admin.user
        )
        assert {e.status for e in invited} == {EnrollmentStatus.INVITED}
        assert Enrollment.objects.filter(program=program).count() == 3
        assert AuditEntry.objects.filter(action="enrollment.invited").count() == 3


def test_invite_is_all_or_nothing_and_names_every_problem(org_a: Tenant) -> None:
    program = make_program(org_a)
    fine, inactive, already = make_people(org_a, 3)
    with org_a.scope():
        Person.objects.filter(pk=inactive.pk).update(is_active=False)
    enrol(org_a, program, already, MENTEE)
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        enrolment.enrollment_invite(
            program=program,
            person_ids=[fine.pk, inactive.pk, already.pk],
            role=MENTOR,
            actor=org_a.admin.user,
        )
    messages = _fields(caught.value)["person_ids"]
    assert any("no longer active" in m for m in messages)
    assert any("already in this program (invited)" in m for m in messages)
    with org_a.scope():
        assert not Enrollment.objects.filter(person=fine).exists()


def test_person_of_another_organisation_is_an_unknown_id(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    program = make_program(org_a)
    stranger = make_person(org_b)
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        enrolment.enrollment_invite(
            program=program, person_ids=[stranger.pk], role=MENTOR, actor=org_a.admin.user
        )
    assert _fields(caught.value)["person_ids"] == [f"Unknown person id(s): {stranger.pk}."]


@pytest.mark.parametrize(
    "status", [ProgramStatus.MATCHING, ProgramStatus.ACTIVE, ProgramStatus.CLOSED]
)
def test_invitations_only_while_draft_or_enrolling(org_a: Tenant, status: str) -> None:
    program = make_program(org_a, status=status)
    person = make_person(org_a)
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        enrolment.enrollment_invite(
            program=program, person_ids=[person.pk], role=MENTOR, actor=org_a.admin.user
        )
    assert "program" in _fields(caught.value)


@pytest.mark.parametrize(
    ("ids", "role", "field"),
    [([], MENTOR, "person_ids"), (["x"], MENTOR, "person_ids"), ([1], "boss", "role")],
)
def test_invite_rejects_bad_input(org_a: Tenant, ids: list[object], role: str, field: str) -> None:
    program = make_program(org_a)
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        enrolment.enrollment_invite(
            program=program, person_ids=ids, role=role, actor=org_a.admin.user
        )
    assert field in _fields(caught.value)


def test_self_registration_links_the_person_by_email_then_admin_approves(org_a: Tenant) -> None:
    program = make_program(org_a, self_registration=True)
    member = org_a.member.user
    person = make_person(org_a, email=member.email.upper())
    with org_a.scope():
        application = enrolment.enrollment_apply(program=program, user=member, role=MENTEE)
        assert application.status == EnrollmentStatus.APPLIED
        person.refresh_from_db()
        assert person.user_id == member.pk
        assert AuditEntry.objects.filter(action="person.linked_to_account").exists()
        approved = enrolment.enrollment_approve(enrollment=application, actor=org_a.admin.user)
        assert approved.status == EnrollmentStatus.ACCEPTED
        assert AuditEntry.objects.filter(
            action="enrollment.approved", actor=org_a.admin.user
        ).exists()


def test_rejected_application_is_declined(org_a: Tenant) -> None:
    program = make_program(org_a, self_registration=True)
    assign_coordinator(org_a, program)  # the service refuses a coordinator of other programs
    make_person(org_a, user=org_a.member.user)
    with org_a.scope():
        application = enrolment.enrollment_apply(
            program=program, user=org_a.member.user, role=MENTOR
        )
        rejected = enrolment.enrollment_reject(enrollment=application, actor=org_a.coordinator.user)
        assert rejected.status == EnrollmentStatus.DECLINED
        with pytest.raises(ValidationError):
            enrolment.enrollment_approve(enrollment=rejected, actor=org_a.admin.user)


@pytest.mark.parametrize(
    ("fields", "linked", "message"),
    [
        ({"self_registration": False}, True, "not taking applications"),
        (
            {"self_registration": True, "status": ProgramStatus.DRAFT},
            True,
            "not taking applications",
        ),
        ({"self_registration": True}, False, "directory has no entry"),
    ],
)
def test_application_refused(
    org_a: Tenant, fields: dict[str, object], linked: bool, message: str
) -> None:
    program = make_program(org_a, **fields)
    if linked:
        make_person(org_a, user=org_a.member.user)
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        enrolment.enrollment_apply(program=program, user=org_a.member.user, role=MENTOR)
    assert message in " ".join(caught.value.messages)


def test_only_the_invited_person_accepts(org_a: Tenant) -> None:
    program = make_program(org_a)
    invitation = enrol(org_a, program, make_person(org_a, user=org_a.member.user), MENTEE)
    with org_a.scope():
        with pytest.raises(PermissionDenied):
            enrolment.enrollment_accept(enrollment=invitation, actor=org_a.admin.user)
        accepted = enrolment.enrollment_accept(enrollment=invitation, actor=org_a.member.user)
        assert accepted.status == EnrollmentStatus.ACCEPTED
        with pytest.raises(ValidationError):
            enrolment.enrollment_decline(enrollment=accepted, actor=org_a.member.user)


def test_mentor_places_follow_accepted_mentees(org_a: Tenant) -> None:
    # "At most 2 mentees per mentor" is an upper limit: three mentees leave room for three
    # mentors (one mentee each), not ceil(3 / 2) = 2. Only a fourth mentor would have nobody.
    program = make_program(org_a, max_mentees_per_mentor=2)
    admitted(org_a, program, MENTEE, 3)
    with org_a.scope():
        assert enrolment.mentor_places(program) == 3
    mentors = admitted(org_a, program, MENTOR, 5)
    assert [m.status for m in mentors] == [
        "accepted",
        "accepted",
        "accepted",
        "waitlisted",
        "waitlisted",
    ]
    assert [m.waitlist_position for m in mentors] == [None, None, None, 1, 2]


def test_staff_can_accept_a_waitlisted_mentor_anyway(org_a: Tenant) -> None:
    program = make_program(org_a)
    admitted(org_a, program, MENTEE, 1)
    _placed, first, second = admitted(org_a, program, MENTOR, 3)
    with org_a.scope():
        accepted = enrolment.enrollment_approve(enrollment=second, actor=org_a.admin.user)
        assert (accepted.status, accepted.waitlist_position) == ("accepted", None)
        first.refresh_from_db()
        assert first.waitlist_position == 1
        entry = AuditEntry.objects.get(action="enrollment.promoted")
        assert entry.object_id == str(second.pk)
        assert (entry.data["from_position"], entry.data["automatic"]) == (2, False)
        with pytest.raises(ValidationError, match="a waitlisted mentor can be approved"):
            enrolment.enrollment_approve(enrollment=accepted, actor=org_a.admin.user)


def test_accepted_mentee_promotes_the_head_of_the_waitlist(org_a: Tenant) -> None:
    program = make_program(org_a)
    first, second = admitted(org_a, program, MENTOR, 2)
    assert (first.status, second.status) == ("waitlisted", "waitlisted")
    admitted(org_a, program, MENTEE, 1)
    with org_a.scope():
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, first.waitlist_position) == ("accepted", None)
        assert (second.status, second.waitlist_position) == ("waitlisted", 1)
        promotion = AuditEntry.objects.get(action="enrollment.promoted")
        assert promotion.object_id == str(first.pk)
        assert promotion.data["from_position"] == 1


def test_withdrawn_mentor_frees_a_place_for_the_waitlist(org_a: Tenant) -> None:
    program = make_program(org_a)
    admitted(org_a, program, MENTEE, 1)
    placed, waiting = admitted(org_a, program, MENTOR, 2)
    with org_a.scope():
        enrolment.enrollment_withdraw(
            enrollment=placed, actor=org_a.admin.user, reason="Moved team"
        )
        waiting.refresh_from_db()
        assert waiting.status == EnrollmentStatus.ACCEPTED
        entry = AuditEntry.objects.get(action="enrollment.withdrawn")
        assert entry.data["reason"] == "Moved team"
        assert entry.data["by_participant"] is False


def test_leaving_the_waitlist_closes_the_gap(org_a: Tenant) -> None:
    program = make_program(org_a)
    one, two, three = admitted(org_a, program, MENTOR, 3)
    with org_a.scope():
        enrolment.enrollment_withdraw(enrollment=one, actor=org_a.admin.user, reason="Leave")
        two.refresh_from_db()
        three.refresh_from_db()
    assert (two.waitlist_position, three.waitlist_position) == (1, 2)


def test_withdrawn_mentee_never_demotes_an_accepted_mentor(org_a: Tenant) -> None:
    program = make_program(org_a)
    (mentee,) = admitted(org_a, program, MENTEE, 1)
    (mentor,) = admitted(org_a, program, MENTOR, 1)
    with org_a.scope():
        enrolment.enrollment_withdraw(enrollment=mentee, actor=org_a.admin.user, reason="Illness")
        mentor.refresh_from_db()
        assert mentor.status == EnrollmentStatus.ACCEPTED
        assert enrolment.mentor_places(program) == 0


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_withdraw_needs_a_reason(org_a: Tenant, reason: str) -> None:
    program = make_program(org_a)
    enrollment = enrol(org_a, program, make_person(org_a), MENTOR)
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        enrolment.enrollment_withdraw(enrollment=enrollment, actor=org_a.admin.user, reason=reason)
    assert "reason" in _fields(caught.value)
    with org_a.scope():
        enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.INVITED


def test_withdraw_twice_is_refused(org_a: Tenant) -> None:
    program = make_program(org_a)
    enrollment = enrol(org_a, program, make_person(org_a), MENTOR)
    with org_a.scope():
        enrolment.enrollment_withdraw(
            enrollment=enrollment, actor=org_a.admin.user, reason="No time"
        )
        with pytest.raises(ValidationError, match="already withdrawn"):
            enrolment.enrollment_withdraw(
                enrollment=enrollment, actor=org_a.admin.user, reason="Again"
            )


def test_coordinator_manages_only_assigned_programs(org_a: Tenant) -> None:
    mine, other = make_program(org_a), make_program(org_a)
    assign_coordinator(org_a, mine)
    with org_a.scope():
        assert list(managed_programs(org_a.coordinator)) == [mine]
        assert set(managed_programs(org_a.admin)) == {mine, other}
        assert not managed_programs(org_a.member).exists()
