"""Lifecycle moves: each precondition is named when missing, and every move is audited."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from organizations.models import AuditEntry
from participants.models import EnrollmentRole, EnrollmentStatus
from participants.onboarding.open_invitations import keep_open_invitations
from programs import lifecycle, services
from programs.models import Program, ProgramStatus
from tests.conftest import Tenant
from tests.programs.conftest import enroll, make_program, make_ready_program


def _move(tenant: Tenant, program: Program, to: str) -> Program:
    with tenant.scope():
        return lifecycle.program_transition(actor=tenant.admin.user, program=program, to=to)


def _errors(tenant: Tenant, program: Program, to: str) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        _move(tenant, program, to)
    return error.value.message_dict


def _set_status(tenant: Tenant, program: Program, status: str) -> None:
    with tenant.scope():
        Program.objects.filter(pk=program.pk).update(status=status)
    program.status = status


def test_draft_to_enrolling_names_every_missing_precondition(org_a: Tenant) -> None:
    program = make_program(org_a)
    assert _errors(org_a, program, ProgramStatus.ENROLLING) == {
        "__all__": ["The program cannot move to enrolling yet."],
        "start_date": ["Set a start date."],
        "end_date": ["Set an end date."],
        "objectives": ["Add at least one objective."],
        "charter": ["Publish the ground rules and confidentiality charter."],
    }
    with org_a.scope():
        assert Program.objects.get(pk=program.pk).status == ProgramStatus.DRAFT


def test_draft_to_enrolling_when_ready_is_audited(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    _move(org_a, program, ProgramStatus.ENROLLING)
    with org_a.scope():
        assert Program.objects.get(pk=program.pk).status == ProgramStatus.ENROLLING
        entry = AuditEntry.objects.filter(action="program.transitioned").get()
    assert entry.data == {"from": "draft", "to": "enrolling"}
    assert entry.actor == org_a.admin.user


def test_a_status_cannot_be_skipped(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    assert _errors(org_a, program, ProgramStatus.ACTIVE) == {
        "to": ["A draft program can move to: enrolling."]
    }


def test_closed_is_final(org_a: Tenant, program: Program) -> None:
    _set_status(org_a, program, ProgramStatus.CLOSED)
    assert _errors(org_a, program, ProgramStatus.CLOSING) == {
        "to": ["A closed program can move to: nothing (it is final)."]
    }


def test_enrolling_to_matching_needs_an_accepted_mentor_and_mentee(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    _move(org_a, program, ProgramStatus.ENROLLING)
    enroll(org_a, program, EnrollmentRole.MENTOR, EnrollmentStatus.INVITED)
    errors = _errors(org_a, program, ProgramStatus.MATCHING)
    assert errors["mentors"] == ["Accept at least one mentor."]
    assert errors["mentees"] == ["Accept at least one mentee."]
    enroll(org_a, program, EnrollmentRole.MENTOR)
    assert "mentors" not in _errors(org_a, program, ProgramStatus.MATCHING)
    enroll(org_a, program, EnrollmentRole.MENTEE)
    # The invitation still open waits for a choice (close or keep it), never dropped silently.
    assert set(_errors(org_a, program, ProgramStatus.MATCHING)) == {"__all__", "open_invitations"}
    with org_a.scope():
        keep_open_invitations(actor=org_a.admin.user, program=program)
    assert _move(org_a, program, ProgramStatus.MATCHING).status == ProgramStatus.MATCHING


def test_accepted_people_of_another_organisation_do_not_count(
    tenants: tuple[Tenant, Tenant],
) -> None:
    org_a, org_b = tenants
    program = make_ready_program(org_a)
    _set_status(org_a, program, ProgramStatus.ENROLLING)
    other = make_ready_program(org_b)
    enroll(org_b, other, EnrollmentRole.MENTOR)
    enroll(org_b, other, EnrollmentRole.MENTEE)
    assert set(_errors(org_a, program, ProgramStatus.MATCHING)) == {"__all__", "mentors", "mentees"}


def _matching_program(tenant: Tenant) -> Program:
    program = make_ready_program(tenant)
    enroll(tenant, program, EnrollmentRole.MENTOR)
    enroll(tenant, program, EnrollmentRole.MENTEE)
    _set_status(tenant, program, ProgramStatus.MATCHING)
    return program


def test_active_waits_for_the_start_date_in_the_program_time_zone(org_a: Tenant) -> None:
    program = _matching_program(org_a)  # starts 1 Mar 2030
    with org_a.scope():
        services.program_update(
            actor=org_a.admin.user, program=program, values={"time_zone": "Pacific/Auckland"}
        )
    # 28 Feb 2030 12:00 UTC is already 1 Mar 01:00 in Auckland, still 28 Feb in UTC.
    with time_machine.travel("2030-02-28 09:00Z", tick=False):
        assert _errors(org_a, program, ProgramStatus.ACTIVE)["start_date"] == [
            "The start date (01 Mar 2030) has not been reached yet in Pacific/Auckland."
        ]
    with time_machine.travel("2030-02-28 12:00Z", tick=False):
        assert _move(org_a, program, ProgramStatus.ACTIVE).status == ProgramStatus.ACTIVE


def test_active_refuses_a_past_end_date(org_a: Tenant) -> None:
    program = _matching_program(org_a)
    with time_machine.travel("2030-09-02 12:00Z", tick=False):
        assert _errors(org_a, program, ProgramStatus.ACTIVE)["end_date"] == [
            "The end date has passed; move it into the future."
        ]


def test_active_still_needs_accepted_people(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    _set_status(org_a, program, ProgramStatus.MATCHING)
    with time_machine.travel("2030-03-02 12:00Z", tick=False):
        errors = _errors(org_a, program, ProgramStatus.ACTIVE)
    assert set(errors) == {"__all__", "mentors", "mentees"}


def test_active_to_closing_to_closed(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    _set_status(org_a, program, ProgramStatus.ACTIVE)
    _move(org_a, program, ProgramStatus.CLOSING)
    _move(org_a, program, ProgramStatus.CLOSED)
    with org_a.scope():
        assert Program.objects.get(pk=program.pk).status == ProgramStatus.CLOSED


def test_closing_back_to_active_only_before_the_end_date(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    _set_status(org_a, program, ProgramStatus.CLOSING)
    with time_machine.travel("2030-09-02 12:00Z", tick=False):
        assert _errors(org_a, program, ProgramStatus.ACTIVE) == {
            "__all__": ["The program cannot move to active yet."],
            "end_date": ["The end date has passed; move it into the future."],
        }
    with time_machine.travel("2030-08-01 12:00Z", tick=False):
        assert _move(org_a, program, ProgramStatus.ACTIVE).status == ProgramStatus.ACTIVE


def test_back_to_draft_only_while_nobody_is_accepted(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    _move(org_a, program, ProgramStatus.ENROLLING)
    enroll(org_a, program, EnrollmentRole.MENTOR)
    assert _errors(org_a, program, ProgramStatus.DRAFT)["participants"] == [
        "1 participant(s) are already accepted; withdraw them before going back to draft."
    ]


def test_matching_back_to_enrolling(org_a: Tenant) -> None:
    program = _matching_program(org_a)
    assert _move(org_a, program, ProgramStatus.ENROLLING).status == ProgramStatus.ENROLLING


def test_an_archived_program_does_not_move(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    with org_a.scope():
        services.program_archive(actor=org_a.admin.user, program=program)
    assert _errors(org_a, program, ProgramStatus.ENROLLING)["archived"] == [
        "Unarchive the program first."
    ]


def test_transition_options_list_what_each_move_needs(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    _set_status(org_a, program, ProgramStatus.ENROLLING)
    with org_a.scope():
        options = lifecycle.transition_options(program)
    assert [(o.to, o.is_forward, o.allowed) for o in options] == [
        ("matching", True, False),
        ("draft", False, True),
    ]
    assert [m.field for m in options[0].missing] == ["mentors", "mentees"]


def test_start_date_survives_past_draft(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    _move(org_a, program, ProgramStatus.ENROLLING)
    with org_a.scope(), pytest.raises(ValidationError) as error:
        services.program_update(
            actor=org_a.admin.user, program=program, values={"start_date": None}
        )
    assert error.value.message_dict == {
        "start_date": ["A program past draft needs its start date."]
    }


def test_program_today_uses_the_program_zone() -> None:
    program = Program(time_zone="Asia/Tokyo")
    with time_machine.travel("2030-01-01 16:00Z", tick=False):
        assert lifecycle.program_today(program) == date(2030, 1, 2)
