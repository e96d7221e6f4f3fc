"""Enrolment: management pages, registration questions, the participant's own pages, and the API."""

from __future__ import annotations

from typing import Any

from participants.models import EnrollmentRole, EnrollmentStatus, RegistrationQuestion
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import (
    enrol,
    make_charter,
    make_person,
    make_program,
    make_training,
)
from tests.tenancy.routes import Route


def build(tenant: Tenant) -> dict[str, Any]:
    program = make_program(tenant, name="Enrolment matrix", self_registration=True)
    # The admin takes part too, so their own-program pages answer 200 for org A.
    admin_person = make_person(tenant, user=tenant.admin.user, full_name="Alex Admin")
    own = enrol(tenant, program, admin_person, EnrollmentRole.MENTEE)
    applicant = enrol(
        tenant, program, make_person(tenant), EnrollmentRole.MENTOR, EnrollmentStatus.APPLIED
    )
    with tenant.scope():
        make_charter(program, 1)
        training = make_training(program, "Listening well")
        question = RegistrationQuestion.objects.create(
            organization=tenant.organization, program=program, text="Why?", kind="short_text"
        )
    return {
        "enrol_program": program.pk,
        "own_enrollment": own.pk,
        "applicant_enrollment": applicant.pk,
        "question": question.pk,
        "training": training.pk,
    }


def _program(ids: dict[str, Any]) -> dict[str, Any]:
    return {"program_pk": ids["enrol_program"]}


def _program_and(key: str, name: str = "pk") -> Any:
    return lambda ids: {"program_pk": ids["enrol_program"], name: ids[key]}


def _api(key: str, name: str = "pk") -> Any:
    return lambda ids: {name: ids[key]}


ROUTES: dict[str, Route] = {
    # Admin and coordinator pages
    "enrollment_manage": Route(("GET", "POST"), _program),
    "enrollment_approve": Route(("POST",), _program_and("applicant_enrollment")),
    "enrollment_reject": Route(("POST",), _program_and("applicant_enrollment")),
    "enrollment_withdraw": Route(("POST",), _program_and("applicant_enrollment")),
    "registration_question_list": Route(("GET", "POST"), _program),
    "registration_question_edit": Route(("GET", "POST"), _program_and("question")),
    "registration_question_delete": Route(("POST",), _program_and("question")),
    "registration_question_move": Route(("POST",), _program_and("question")),
    # The participant's own pages
    "my_program_list": Route(("GET",)),
    "my_program_detail": Route(("GET",), _program),
    "my_program_apply": Route(("POST",), _program),
    "my_program_accept": Route(("POST",), _program),
    "my_program_decline": Route(("POST",), _program),
    "my_program_withdraw": Route(("POST",), _program),
    "my_program_charter": Route(("POST",), _program),
    "my_program_training": Route(("POST",), _program_and("training", "resource_pk")),
    "my_registration": Route(("GET", "POST"), _program),
    # API
    "api-enrollment-list": Route(("GET", "POST")),
    "api-enrollment-detail": Route(("GET",), _api("applicant_enrollment")),
    "api-enrollment-approve": Route(("POST",), _api("applicant_enrollment")),
    "api-enrollment-reject": Route(("POST",), _api("applicant_enrollment")),
    "api-enrollment-accept": Route(("POST",), _api("own_enrollment")),
    "api-enrollment-decline": Route(("POST",), _api("own_enrollment")),
    "api-enrollment-withdraw": Route(("POST",), _api("applicant_enrollment")),
    "api-registration-question-list": Route(("GET", "POST")),
    "api-registration-question-detail": Route(("GET", "PUT", "PATCH", "DELETE"), _api("question")),
    "api-registration-question-move": Route(("POST",), _api("question")),
    "api-my-enrollment-list": Route(("GET", "POST")),
    "api-my-enrollment-detail": Route(("GET",), _api("enrol_program", "program")),
    "api-my-enrollment-registration": Route(("GET", "PUT"), _api("enrol_program", "program")),
    "api-my-enrollment-charter": Route(("GET", "POST"), _api("enrol_program", "program")),
    "api-my-enrollment-training": Route(("GET", "POST"), _api("enrol_program", "program")),
}
