"""Program services: validation, duplicate, archive, charter versions, objectives, training,
coordinators and the topic vocabulary. Every write leaves an audit entry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organizations.models import AuditEntry
from participants import participation
from participants.models import EnrollmentRole, EnrollmentStatus, TrainingCompletion
from programs import content, selectors, services
from programs.models import (
    CharterVersion,
    Objective,
    Program,
    ProgramCoordinator,
    ProgramStatus,
    TrainingResource,
)
from tests.conftest import Tenant
from tests.programs.conftest import enroll, make_program, make_ready_program, make_topic


def _create_errors(tenant: Tenant, **values: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        make_program(tenant, **values)
    return error.value.message_dict


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"start_date": date(2030, 5, 1), "end_date": date(2030, 4, 1)},
            "end_date",
            "The end date must be after the start date.",
        ),
        (
            {"start_date": date(2030, 5, 1), "end_date": date(2030, 5, 1)},
            "end_date",
            "The end date must be after the start date.",
        ),
        (
            {"start_date": date(2030, 5, 1), "mid_review_date": date(2030, 5, 1)},
            "mid_review_date",
            "The mid-review date must be after the start date.",
        ),
        (
            {"end_date": date(2030, 5, 1), "mid_review_date": date(2030, 6, 1)},
            "mid_review_date",
            "The mid-review date must be before the end date.",
        ),
        (
            {"time_zone": "Mars/Olympus"},
            "time_zone",
            "“Mars/Olympus” is not a time zone. Use a name like Europe/Berlin.",
        ),
        (
            {"max_mentees_per_mentor": 0},
            "max_mentees_per_mentor",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            {"max_mentees_per_mentor": 11},
            "max_mentees_per_mentor",
            "Ensure this value is less than or equal to 10.",
        ),
        (
            {"session_cadence_days": 0},
            "session_cadence_days",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            {"checkin_cadence_days": 181},
            "checkin_cadence_days",
            "Ensure this value is less than or equal to 180.",
        ),
        (
            {"terminology": {"boss": "chief"}},
            "terminology",
            "Unknown terms: boss. Allowed: program, mentor, mentee, pair, session, check_in.",
        ),
        ({"terminology": {"mentor": 3}}, "terminology", "The wording for “mentor” must be text."),
        ({"name": "  "}, "name", "This field cannot be blank."),
    ],
)
def test_program_input_errors(
    org_a: Tenant, values: dict[str, Any], field: str, message: str
) -> None:
    assert _create_errors(org_a, **{"name": "Cohort", **values}) == {field: [message]}


def test_every_problem_is_reported_at_once_and_nothing_is_written(org_a: Tenant) -> None:
    errors = _create_errors(
        org_a,
        start_date=date(2030, 5, 1),
        end_date=date(2030, 4, 1),
        time_zone="Nowhere",
        max_mentees_per_mentor=0,
    )
    assert set(errors) == {"end_date", "time_zone", "max_mentees_per_mentor"}
    with org_a.scope():
        assert not Program.objects.exists()
        assert not AuditEntry.objects.filter(action="program.created").exists()


def test_create_keeps_terminology_and_drops_empty_overrides(org_a: Tenant) -> None:
    program = make_program(
        org_a, terminology={"program": " upward mentoring ", "mentor": ""}, time_zone="Europe/Oslo"
    )
    assert program.terminology == {"program": "upward mentoring"}
    assert program.term("program", "program") == "upward mentoring"
    assert program.status == ProgramStatus.DRAFT


def test_create_sets_focus_topics_and_audits(org_a: Tenant) -> None:
    ai, dei = make_topic(org_a, "AI tools"), make_topic(org_a, "DEI")
    with org_a.scope():
        program = services.program_create(
            organization=org_a.organization,
            actor=org_a.admin.user,
            values={"name": "Cohort"},
            focus_topics=[ai, dei],
        )
        assert set(program.focus_topics.all()) == {ai, dei}
        entry = AuditEntry.objects.get(action="program.created")
    assert entry.data == {"name": "Cohort", "focus_topics": sorted([ai.pk, dei.pk])}


def test_a_topic_of_another_organisation_is_refused(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    foreign = make_topic(org_b, "AI tools")
    with org_a.scope(), pytest.raises(ValidationError) as error:
        services.program_create(
            organization=org_a.organization,
            actor=org_a.admin.user,
            values={"name": "Cohort"},
            focus_topics=[foreign],
        )
    assert error.value.message_dict == {
        "focus_topics": ["Choose topics from this organisation's vocabulary."]
    }


def test_a_retired_topic_stays_but_cannot_be_added(org_a: Tenant) -> None:
    ai, dei = make_topic(org_a, "AI tools"), make_topic(org_a, "DEI")
    with org_a.scope():
        program = services.program_create(
            organization=org_a.organization,
            actor=org_a.admin.user,
            values={"name": "Cohort"},
            focus_topics=[ai],
        )
        services.topic_set_active(actor=org_a.admin.user, topic=ai, is_active=False)
        services.topic_set_active(actor=org_a.admin.user, topic=dei, is_active=False)
        services.program_update(
            actor=org_a.admin.user, program=program, values={}, focus_topics=[ai]
        )
        with pytest.raises(ValidationError, match="No longer in the vocabulary: DEI"):
            services.program_update(
                actor=org_a.admin.user, program=program, values={}, focus_topics=[ai, dei]
            )
        assert list(program.focus_topics.all()) == [ai]


def test_update_audits_the_changed_fields(org_a: Tenant, program: Program) -> None:
    with org_a.scope():
        services.program_update(
            actor=org_a.admin.user,
            program=program,
            values={"name": "Renamed", "time_zone": "UTC", "max_mentees_per_mentor": 2},
        )
        entry = AuditEntry.objects.get(action="program.updated")
    assert entry.data == {"changed": ["max_mentees_per_mentor", "name"]}


def test_update_refuses_unknown_settings(org_a: Tenant, program: Program) -> None:
    with org_a.scope(), pytest.raises(ValueError, match="status"):
        services.program_update(
            actor=org_a.admin.user, program=program, values={"status": "active"}
        )


def test_coordinator_who_creates_a_program_is_assigned(org_a: Tenant) -> None:
    with org_a.scope():
        program = services.program_create(
            organization=org_a.organization,
            actor=org_a.coordinator.user,
            values={"name": "Mine"},
        )
        assert list(program.coordinators.all()) == [org_a.coordinator.user]
        assert list(selectors.program_list(membership=org_a.coordinator)) == [program]


def test_visibility(org_a: Tenant) -> None:
    assigned, other = make_program(org_a, "Assigned"), make_program(org_a, "Other")
    with org_a.scope():
        services.coordinator_assign(
            actor=org_a.admin.user, program=assigned, user=org_a.coordinator.user
        )
        assert set(selectors.program_list(membership=org_a.admin)) == {assigned, other}
        assert list(selectors.program_list(membership=org_a.coordinator)) == [assigned]
        assert list(selectors.program_list(membership=org_a.member)) == []


# --- Duplicate -------------------------------------------------------------------------------------


def test_duplicate_copies_settings_content_and_current_charter_but_not_people(
    org_a: Tenant,
) -> None:
    topic = make_topic(org_a, "Generative AI")
    program = make_ready_program(org_a, "Spring cohort")
    enroll(org_a, program, EnrollmentRole.MENTOR)
    with org_a.scope():
        services.program_update(
            actor=org_a.admin.user,
            program=program,
            values={"max_mentees_per_mentor": 2, "terminology": {"program": "flip"}},
            focus_topics=[topic],
        )
        content.training_create(
            actor=org_a.admin.user,
            program=program,
            values={
                "title": "Listening up",
                "url": "https://example.test/l",
                "audience": "mentees",
            },
        )
        content.charter_publish(
            actor=org_a.admin.user, program=program, body="Version two.", change_note="Shorter"
        )
        services.coordinator_assign(
            actor=org_a.admin.user, program=program, user=org_a.coordinator.user
        )
        program.status = ProgramStatus.ACTIVE
        program.save()

        copy = services.program_duplicate(actor=org_a.admin.user, program=program)

        assert copy.name == "Spring cohort (copy)"
        assert copy.status == ProgramStatus.DRAFT
        assert (copy.start_date, copy.mid_review_date, copy.end_date) == (None, None, None)
        assert copy.max_mentees_per_mentor == 2
        assert copy.terminology == {"program": "flip"}
        assert copy.duplicated_from == program
        assert list(copy.focus_topics.all()) == [topic]
        assert [o.statement for o in copy.objectives.all()] == ["Leaders use AI tools weekly"]
        assert [(t.title, t.audience) for t in copy.training.all()] == [("Listening up", "mentees")]
        [charter] = CharterVersion.objects.filter(program=copy)
        assert (charter.version, charter.body) == (1, "Version two.")
        assert charter.change_note == "Copied from “Spring cohort” v2."
        assert list(copy.coordinators.all()) == [org_a.coordinator.user]
        assert not copy.enrollments.exists()
        assert AuditEntry.objects.get(action="program.duplicated").data["from"] == program.pk


def test_duplicate_name_fits_the_column(org_a: Tenant) -> None:
    program = make_program(org_a, "x" * 200)
    with org_a.scope():
        copy = services.program_duplicate(actor=org_a.admin.user, program=program)
    assert len(copy.name) == 200
    assert copy.name.endswith(" (copy)")


# --- Archive ---------------------------------------------------------------------------------------


def test_only_draft_or_closed_programs_are_archived(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    with org_a.scope():
        Program.objects.filter(pk=program.pk).update(status=ProgramStatus.ACTIVE)
        program.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            services.program_archive(actor=org_a.admin.user, program=program)
        assert error.value.message_dict == {
            "status": ["Only draft or closed programs can be archived; close it first."]
        }
        program.status = ProgramStatus.CLOSED
        services.program_archive(actor=org_a.admin.user, program=program)
        assert program.archived_at is not None
        with pytest.raises(ValidationError, match="Unarchive the program to change it"):
            services.program_update(actor=org_a.admin.user, program=program, values={})
        services.program_unarchive(actor=org_a.admin.user, program=program)
        assert program.archived_at is None
        actions = list(
            AuditEntry.objects.filter(action__contains="archived").values_list("action", flat=True)
        )
    assert sorted(actions) == ["program.archived", "program.unarchived"]


# --- Charter ---------------------------------------------------------------------------------------


def test_charter_versions_are_numbered_and_the_latest_is_current(
    org_a: Tenant, program: Program
) -> None:
    with org_a.scope():
        first = content.charter_publish(actor=org_a.admin.user, program=program, body="One.")
        second = content.charter_publish(
            actor=org_a.admin.user, program=program, body="Two.", change_note="Added rule 2"
        )
        assert (first.version, second.version) == (1, 2)
        assert selectors.current_charter(program=program) == second
        first.refresh_from_db()
        assert first.body == "One."
        assert AuditEntry.objects.filter(action="charter.published").count() == 2


@pytest.mark.parametrize(
    ("body", "note", "expected"),
    [
        ("", "x", {"body": ["Write the ground rules and confidentiality charter."]}),
        ("One.", "Same", {"body": ["The text is the same as the current version (v1)."]}),
        (
            "New text.",
            "",
            {"change_note": ["Say what changed: participants are asked to accept it again."]},
        ),
    ],
)
def test_charter_publish_errors(
    org_a: Tenant, program: Program, body: str, note: str, expected: dict[str, list[str]]
) -> None:
    with org_a.scope():
        content.charter_publish(actor=org_a.admin.user, program=program, body="One.")
        with pytest.raises(ValidationError) as error:
            content.charter_publish(
                actor=org_a.admin.user, program=program, body=body, change_note=note
            )
        assert error.value.message_dict == expected
        assert CharterVersion.objects.count() == 1


def test_charter_of_a_closed_program_is_frozen(org_a: Tenant, program: Program) -> None:
    with org_a.scope():
        Program.objects.filter(pk=program.pk).update(status=ProgramStatus.CLOSED)
        with pytest.raises(ValidationError, match="closed program"):
            content.charter_publish(actor=org_a.admin.user, program=program, body="Late.")


# --- Objectives ------------------------------------------------------------------------------------


def _objective(tenant: Tenant, program: Program, statement: str) -> Objective:
    with tenant.scope():
        return content.objective_create(
            actor=tenant.admin.user,
            program=program,
            values={"statement": statement, "measure": "Survey Q1", "target": Decimal("4.0")},
        )


def test_objectives_are_appended_reordered_and_moved(org_a: Tenant, program: Program) -> None:
    a, b, c = (_objective(org_a, program, s) for s in ("A", "B", "C"))
    assert [a.position, b.position, c.position] == [0, 1, 2]
    with org_a.scope():
        content.objective_reorder(actor=org_a.admin.user, program=program, order=[c.pk, a.pk, b.pk])
        assert [o.statement for o in selectors.objective_list(program=program)] == ["C", "A", "B"]
        content.objective_move(actor=org_a.admin.user, objective=b, direction="up")
        assert [o.statement for o in selectors.objective_list(program=program)] == ["C", "B", "A"]
        content.objective_move(actor=org_a.admin.user, objective=c, direction="up")
        assert [o.statement for o in selectors.objective_list(program=program)] == ["C", "B", "A"]


def test_reorder_must_list_each_objective_once(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    program = make_program(org_a)
    a, b = _objective(org_a, program, "A"), _objective(org_a, program, "B")
    foreign = _objective(org_b, make_program(org_b), "X")
    for order in ([a.pk], [a.pk, a.pk], [a.pk, b.pk, foreign.pk], [a.pk, foreign.pk]):
        with org_a.scope(), pytest.raises(ValidationError) as error:
            content.objective_reorder(actor=org_a.admin.user, program=program, order=order)
        assert error.value.message_dict == {
            "order": ["List each objective of this program exactly once."]
        }


def test_objective_input_errors(org_a: Tenant, program: Program) -> None:
    with org_a.scope(), pytest.raises(ValidationError) as error:
        content.objective_create(
            actor=org_a.admin.user,
            program=program,
            values={"statement": "", "measure": "", "target": None, "audience": "ceo"},
        )
    # "measure" is optional: an objective is measured by linked survey anchor items.
    assert set(error.value.message_dict) == {"statement", "target", "audience"}


def test_last_objective_stays_once_past_draft(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    with org_a.scope():
        Program.objects.filter(pk=program.pk).update(status=ProgramStatus.ENROLLING)
        objective = Objective.objects.get()
        with pytest.raises(ValidationError, match="keeps at least one objective"):
            content.objective_delete(actor=org_a.admin.user, objective=objective)
        assert Objective.objects.exists()


# --- Training --------------------------------------------------------------------------------------


def test_training_needs_a_link_or_a_text(org_a: Tenant, program: Program) -> None:
    with org_a.scope():
        with pytest.raises(ValidationError) as error:
            content.training_create(
                actor=org_a.admin.user,
                program=program,
                values={"title": "Empty", "estimated_minutes": 0},
            )
        assert error.value.message_dict == {
            "estimated_minutes": ["Ensure this value is greater than or equal to 1."],
            "url": ["Give a link, a text, or both."],
        }
        resource = content.training_create(
            actor=org_a.admin.user, program=program, values={"title": "Read", "body": "Text"}
        )
        content.training_update(
            actor=org_a.admin.user, resource=resource, values={"required": False}
        )
        resource.refresh_from_db()
        assert resource.required is False
        content.training_delete(actor=org_a.admin.user, resource=resource)
        assert not TrainingResource.objects.exists()
        assert AuditEntry.objects.filter(action__startswith="training.").count() == 3


def test_completion_rates_count_the_audience_only(org_a: Tenant, program: Program) -> None:
    mentor = enroll(org_a, program, EnrollmentRole.MENTOR)
    enroll(org_a, program, EnrollmentRole.MENTOR)
    mentee = enroll(org_a, program, EnrollmentRole.MENTEE)
    invited = enroll(org_a, program, EnrollmentRole.MENTOR, EnrollmentStatus.INVITED)
    with org_a.scope():
        for_mentors = content.training_create(
            actor=org_a.admin.user,
            program=program,
            values={"title": "Mentors", "body": "x", "audience": "mentors"},
        )
        for_all = content.training_create(
            actor=org_a.admin.user, program=program, values={"title": "All", "body": "x"}
        )
        for enrollment, resource in [
            (mentor, for_mentors),
            (invited, for_mentors),  # not accepted: does not count
            (mentee, for_mentors),  # not in the audience: does not count
            (mentee, for_all),
        ]:
            TrainingCompletion.objects.create(enrollment=enrollment, resource=resource)
        rates = participation.training_completion_rates(program=program)
    assert [(r.resource.title, r.completed, r.enrolled, r.percent) for r in rates] == [
        ("Mentors", 1, 2, 50),
        ("All", 1, 3, 33),
    ]


# --- Coordinators ----------------------------------------------------------------------------------


def test_only_coordinators_can_be_assigned_once(org_a: Tenant, program: Program) -> None:
    with org_a.scope():
        with pytest.raises(ValidationError) as error:
            services.coordinator_assign(
                actor=org_a.admin.user, program=program, user=org_a.member.user
            )
        assert error.value.message_dict == {
            "user": ["Only members with the coordinator role can coordinate a program."]
        }
        assignment = services.coordinator_assign(
            actor=org_a.admin.user, program=program, user=org_a.coordinator.user
        )
        with pytest.raises(ValidationError, match="already coordinates"):
            services.coordinator_assign(
                actor=org_a.admin.user, program=program, user=org_a.coordinator.user
            )
        services.coordinator_remove(actor=org_a.admin.user, assignment=assignment)
        assert not ProgramCoordinator.objects.exists()
        assert AuditEntry.objects.filter(action__startswith="program.coordinator_").count() == 2


def test_a_coordinator_of_another_organisation_cannot_be_assigned(
    tenants: tuple[Tenant, Tenant],
) -> None:
    org_a, org_b = tenants
    program = make_program(org_a)
    with org_a.scope(), pytest.raises(ValidationError, match="coordinator role"):
        services.coordinator_assign(
            actor=org_a.admin.user, program=program, user=org_b.coordinator.user
        )


# --- Topics ----------------------------------------------------------------------------------------


def test_topic_names_are_unique_per_organisation_ignoring_case(
    tenants: tuple[Tenant, Tenant],
) -> None:
    org_a, org_b = tenants
    make_topic(org_a, "AI tools")
    make_topic(org_b, "AI tools")
    with pytest.raises(ValidationError) as error:
        make_topic(org_a, " ai TOOLS ")
    assert error.value.message_dict == {"name": ["The vocabulary already has “ai TOOLS”."]}
    dei = make_topic(org_a, "DEI")
    with org_a.scope(), pytest.raises(ValidationError, match="already has"):
        services.topic_update(actor=org_a.admin.user, topic=dei, name="AI Tools")
    with pytest.raises(ValidationError, match="Give the topic a name"):
        make_topic(org_a, "  ")


def test_only_an_admin_assigns_coordinators_whoever_calls_the_service(org_a: Tenant) -> None:
    program = make_program(org_a)
    with org_a.scope():
        services.coordinator_assign(
            actor=org_a.admin.user, program=program, user=org_a.coordinator.user
        )
        with pytest.raises(PermissionDenied, match="Only an admin assigns"):
            services.coordinator_assign(
                actor=org_a.coordinator.user, program=program, user=org_a.coordinator.user
            )
        with pytest.raises(PermissionDenied, match="Only the staff of this program"):
            services.coordinator_assign(
                actor=org_a.member.user, program=program, user=org_a.coordinator.user
            )
        assert ProgramCoordinator.objects.filter(program=program).count() == 1
