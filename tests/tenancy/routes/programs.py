"""Programs: pages and API for programs, their objectives, charter, training and coordinators,
and the topic vocabulary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from programs import content, services
from programs.models import Program
from tests.conftest import Tenant
from tests.tenancy.routes import Route, ids_of

Kwargs = Callable[[dict[str, Any]], dict[str, Any]]


def build(tenant: Tenant) -> dict[str, Any]:
    admin = tenant.admin.user
    with tenant.scope():
        topic = services.topic_create(
            organization=tenant.organization, actor=admin, name="Matrix topic"
        )
        program: Program = services.program_create(
            organization=tenant.organization,
            actor=admin,
            values={"name": "Matrix program"},
            focus_topics=[topic],
        )
        objective = content.objective_create(
            actor=admin,
            program=program,
            values={"statement": "Matrix", "measure": "Q1", "target": 1},
        )
        charter = content.charter_publish(actor=admin, program=program, body="Matrix charter")
        training = content.training_create(
            actor=admin, program=program, values={"title": "Matrix", "body": "Read"}
        )
        coordinator = services.coordinator_assign(
            actor=admin, program=program, user=tenant.coordinator.user
        )
    return {
        "pg_topic": topic.pk,
        "pg_program": program.pk,
        "pg_objective": objective.pk,
        "pg_charter": charter.pk,
        "pg_training": training.pk,
        "pg_program_coordinator": coordinator.pk,
    }


def in_program(key: str | None = None, name: str = "pk", program: str = "pk") -> Kwargs:
    """kwargs builder for routes under one program: {program: id} plus {name: ids[key]}."""

    def kwargs(ids: dict[str, Any]) -> dict[str, Any]:
        found = {program: ids["pg_program"]}
        if key is not None:
            found[name] = ids[key]
        return found

    return kwargs


PROGRAM = ids_of("pg_program")
API_LIST = in_program(program="program_pk")


def api_item(key: str) -> Kwargs:
    return in_program(key, "pk", program="program_pk")


ROUTES: dict[str, Route] = {
    # Pages
    "program_list": Route(("GET",)),
    "program_create": Route(("GET", "POST")),
    "program_detail": Route(("GET",), PROGRAM),
    "program_edit": Route(("GET", "POST"), PROGRAM),
    "program_transition": Route(("POST",), PROGRAM),
    "program_duplicate": Route(("POST",), PROGRAM),
    "program_archive": Route(("POST",), PROGRAM),
    "program_unarchive": Route(("POST",), PROGRAM),
    "objective_create": Route(("POST",), PROGRAM),
    "objective_edit": Route(("GET", "POST"), in_program("pg_objective", "objective_pk")),
    "objective_delete": Route(("POST",), in_program("pg_objective", "objective_pk")),
    "objective_move": Route(("POST",), in_program("pg_objective", "objective_pk")),
    "charter_publish": Route(("POST",), PROGRAM),
    "training_create": Route(("POST",), PROGRAM),
    "training_edit": Route(("GET", "POST"), in_program("pg_training", "resource_pk")),
    "training_delete": Route(("POST",), in_program("pg_training", "resource_pk")),
    "coordinator_add": Route(("POST",), PROGRAM),
    "coordinator_remove": Route(("POST",), in_program("pg_program_coordinator", "coordinator_pk")),
    "topic_list": Route(("GET", "POST")),
    "topic_edit": Route(("GET", "POST"), ids_of("pg_topic")),
    "topic_toggle": Route(("POST",), ids_of("pg_topic")),
    # API
    "api-topic-list": Route(("GET", "POST")),
    "api-topic-detail": Route(("GET", "PUT", "PATCH"), ids_of("pg_topic")),
    "api-program-list": Route(("GET", "POST")),
    "api-program-detail": Route(("GET", "PUT", "PATCH"), PROGRAM),
    "api-program-training-completion": Route(("GET",), ids_of("pg_program", "program_pk")),
    "api-program-transition": Route(("POST",), PROGRAM),
    "api-program-duplicate": Route(("POST",), PROGRAM),
    "api-program-archive": Route(("POST",), PROGRAM),
    "api-program-unarchive": Route(("POST",), PROGRAM),
    "api-objective-list": Route(("GET", "POST"), API_LIST),
    "api-objective-detail": Route(("GET", "PUT", "PATCH", "DELETE"), api_item("pg_objective")),
    "api-objective-reorder": Route(("POST",), API_LIST),
    "api-charter-list": Route(("GET", "POST"), API_LIST),
    "api-charter-detail": Route(("GET",), api_item("pg_charter")),
    "api-training-list": Route(("GET", "POST"), API_LIST),
    "api-training-detail": Route(("GET", "PUT", "PATCH", "DELETE"), api_item("pg_training")),
    "api-coordinator-list": Route(("GET", "POST"), API_LIST),
    "api-coordinator-detail": Route(("GET", "DELETE"), api_item("pg_program_coordinator")),
}
