"""Participant side of a program: charter acceptance per version, training completion."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organizations.models import AuditEntry
from participants import participation
from participants.models import CharterAcceptance, EnrollmentRole, TrainingCompletion
from programs.models import Audience
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import (
    enrol,
    make_charter,
    make_person,
    make_program,
    make_training,
)


@pytest.fixture
def mentor(org_a: Tenant):  # type: ignore[no-untyped-def]
    program = make_program(org_a)
    return enrol(
        org_a,
        program,
        make_person(org_a, user=org_a.member.user),
        EnrollmentRole.MENTOR,
        "accepted",
    )


def test_no_charter_means_nothing_to_accept(org_a: Tenant, mentor) -> None:  # type: ignore[no-untyped-def]
    with org_a.scope():
        assert participation.needs_charter_acceptance(mentor) is False
        with pytest.raises(ValidationError, match="no charter"):
            participation.charter_accept(enrollment=mentor, actor=org_a.member.user)


def test_a_new_charter_version_asks_again(org_a: Tenant, mentor) -> None:  # type: ignore[no-untyped-def]
    with org_a.scope():
        make_charter(mentor.program, 1)
        assert participation.needs_charter_acceptance(mentor)
        participation.charter_accept(enrollment=mentor, actor=org_a.member.user)
        state = participation.charter_state(mentor)
        assert (state.needs_acceptance, state.accepted_version) == (False, 1)

        make_charter(mentor.program, 2, body="New rule: no recordings.")
        state = participation.charter_state(mentor)
        assert state.needs_acceptance
        assert state.new_version_published
        assert state.current is not None
        assert state.current.version == 2

        participation.charter_accept(enrollment=mentor, actor=org_a.member.user)
        assert not participation.needs_charter_acceptance(mentor)
        assert CharterAcceptance.objects.filter(enrollment=mentor).count() == 2


def test_accepting_twice_changes_nothing(org_a: Tenant, mentor) -> None:  # type: ignore[no-untyped-def]
    with org_a.scope():
        make_charter(mentor.program, 1)
        first = participation.charter_accept(enrollment=mentor, actor=org_a.member.user)
        again = participation.charter_accept(enrollment=mentor, actor=org_a.member.user)
        assert first.pk == again.pk
        assert AuditEntry.objects.filter(action="charter.accepted").count() == 1


def test_nobody_accepts_on_someone_elses_behalf(org_a: Tenant, mentor) -> None:  # type: ignore[no-untyped-def]
    with org_a.scope():
        make_charter(mentor.program, 1)
        with pytest.raises(PermissionDenied):
            participation.charter_accept(enrollment=mentor, actor=org_a.admin.user)


def test_training_is_per_role_and_completion_is_idempotent(org_a: Tenant, mentor) -> None:  # type: ignore[no-untyped-def]
    with org_a.scope():
        everyone = make_training(mentor.program, "Charter walkthrough", audience=Audience.BOTH)
        mentors = make_training(
            mentor.program, "Teaching upwards", audience=Audience.MENTORS, required=False
        )
        mentees = make_training(mentor.program, "Listening", audience=Audience.MENTEES)
        items = participation.training_for(mentor)
        assert [i.resource for i in items] == [everyone, mentors]
        assert participation.required_training_left(items) == 1

        participation.training_complete(
            enrollment=mentor, resource=everyone, actor=org_a.member.user
        )
        participation.training_complete(
            enrollment=mentor, resource=everyone, actor=org_a.member.user
        )
        assert TrainingCompletion.objects.filter(enrollment=mentor).count() == 1
        assert AuditEntry.objects.filter(action="training.completed").count() == 1
        assert participation.required_training_left(participation.training_for(mentor)) == 0

        with pytest.raises(ValidationError) as caught:
            participation.training_complete(
                enrollment=mentor, resource=mentees, actor=org_a.member.user
            )
        assert "resource" in caught.value.message_dict


def test_training_of_another_program_is_refused(org_a: Tenant, mentor) -> None:  # type: ignore[no-untyped-def]
    other = make_program(org_a)
    with org_a.scope():
        foreign = make_training(other, "Elsewhere")
        with pytest.raises(ValidationError):
            participation.training_complete(
                enrollment=mentor, resource=foreign, actor=org_a.member.user
            )


def test_completion_rates_count_accepted_participants_of_the_audience(
    org_a: Tenant, mentor
) -> None:  # type: ignore[no-untyped-def]
    with org_a.scope():
        resource = make_training(mentor.program, "Basics", audience=Audience.BOTH)
        participation.training_complete(
            enrollment=mentor, resource=resource, actor=org_a.member.user
        )
    enrol(org_a, mentor.program, make_person(org_a), EnrollmentRole.MENTEE, "accepted")
    with org_a.scope():
        (rate,) = participation.training_completion_rates(program=mentor.program)
    assert (rate.completed, rate.enrolled, rate.percent) == (1, 2, 50)
