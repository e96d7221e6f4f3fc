"""Registration: question configuration, answers validated by kind, profile fields, completeness."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from participants import registration
from participants.models import EnrollmentRole, EnrollmentSkill, Person, RegistrationQuestion
from participants.registration import QuestionInput, RegistrationInput
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import enrol, make_person, make_program, make_topic


def _question(tenant: Tenant, program: Any, **fields: Any) -> RegistrationQuestion:
    with tenant.scope():
        return registration.question_create(
            program=program, actor=tenant.admin.user, data=QuestionInput(**fields)
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": "", "kind": "short_text"}, "text"),
        ({"text": "Q", "kind": "essay"}, "kind"),
        ({"text": "Q", "kind": "single_choice", "choices": ["Only one"]}, "choices"),
        ({"text": "Q", "kind": "multiple_choice", "choices": ["A", "a"]}, "choices"),
        ({"text": "Q", "kind": "short_text", "choices": ["A", "B"]}, "choices"),
        ({"text": "Q", "kind": "scale", "scale_min": 5, "scale_max": 5}, "scale_max"),
        ({"text": "Q", "kind": "scale", "scale_min": 1, "scale_max": 50}, "scale_max"),
        ({"text": "Q", "kind": "short_text", "matching_use": "similar"}, "matching_use"),
        ({"text": "Q", "kind": "short_text", "audience": "bosses"}, "audience"),
    ],
)
def test_question_configuration_is_validated(
    org_a: Tenant, fields: dict[str, Any], field: str
) -> None:
    program = make_program(org_a)
    with pytest.raises(ValidationError) as caught:
        _question(org_a, program, **fields)
    assert field in caught.value.message_dict


def test_questions_are_appended_and_reordered(org_a: Tenant) -> None:
    program = make_program(org_a)
    first = _question(org_a, program, text="First", kind="short_text")
    second = _question(org_a, program, text="Second", kind="short_text")
    with org_a.scope():
        registration.question_move(question=second, actor=org_a.admin.user, direction="up")
        assert [q.text for q in registration.question_list(program)] == ["Second", "First"]
        registration.question_move(question=first, actor=org_a.admin.user, direction="up")
        assert [q.text for q in registration.question_list(program)] == ["First", "Second"]
        with pytest.raises(ValidationError):
            registration.question_move(question=first, actor=org_a.admin.user, direction="sideways")


@pytest.fixture
def setup(org_a: Tenant) -> dict[str, Any]:
    program = make_program(org_a, max_mentees_per_mentor=2)
    enrollment = enrol(
        org_a,
        program,
        make_person(org_a, user=org_a.member.user),
        EnrollmentRole.MENTOR,
        "accepted",
    )
    return {
        "program": program,
        "enrollment": enrollment,
        "topic": make_topic(org_a, "AI tools"),
        "single": _question(
            org_a,
            program,
            text="Format?",
            kind="single_choice",
            choices=["Walk", "Desk"],
            required=True,
        ),
        "multi": _question(
            org_a, program, text="Topics?", kind="multiple_choice", choices=["A", "B", "C"]
        ),
        "scale": _question(
            org_a, program, text="Confidence?", kind="scale", scale_min=1, scale_max=5
        ),
        "text": _question(org_a, program, text="Why?", kind="short_text"),
        "mentees_only": _question(
            org_a, program, text="Team size?", kind="short_text", audience="mentees", required=True
        ),
    }


def _save(tenant: Tenant, setup: dict[str, Any], **fields: Any) -> None:
    data = RegistrationInput(answers={str(setup["single"].pk): "Walk"})
    for name, value in fields.items():
        setattr(data, name, value)
    with tenant.scope():
        registration.registration_save(
            enrollment=setup["enrollment"], actor=tenant.member.user, data=data
        )


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ("single", "Run", "Choose one of the listed options."),
        ("single", "", "Answer this question."),
        ("multi", ["A", "Z"], "Choose from the listed options."),
        ("scale", 6, "Choose a number from 1 to 5."),
        ("scale", True, "Choose a number from 1 to 5."),
        ("scale", "three", "Choose a number from 1 to 5."),
        ("text", "x" * 501, "Use at most 500 characters."),
        ("text", 42, "Write a text answer."),
    ],
)
def test_answers_are_validated_by_kind(
    org_a: Tenant, setup: dict[str, Any], question: str, value: Any, message: str
) -> None:
    key = str(setup[question].pk)
    answers = {str(setup["single"].pk): "Walk", key: value}
    with pytest.raises(ValidationError) as caught:
        _save(org_a, setup, answers=answers)
    assert caught.value.message_dict[f"answers.{key}"] == [message]


def test_question_for_the_other_role_is_unknown(org_a: Tenant, setup: dict[str, Any]) -> None:
    answers = {str(setup["single"].pk): "Walk", str(setup["mentees_only"].pk): "12"}
    with pytest.raises(ValidationError) as caught:
        _save(org_a, setup, answers=answers)
    assert "Unknown question" in caught.value.message_dict["answers"][0]


@pytest.mark.parametrize(
    ("availability", "message"),
    [
        ([{"weekday": 0, "start": "10:00", "end": "09:00"}], "start must be before the end"),
        ([{"weekday": 7, "start": "09:00", "end": "10:00"}], "choose a weekday"),
        ([{"weekday": 1, "start": "9am", "end": "10:00"}], "HH:MM"),
        (
            [
                {"weekday": 2, "start": "09:00", "end": "11:00"},
                {"weekday": 2, "start": "10:00", "end": "12:00"},
            ],
            "overlap",
        ),
        (
            [
                {
                    "weekday": d % 7,
                    "start": f"{8 + d // 7}:00".zfill(5),
                    "end": f"{8 + d // 7}:30".zfill(5),
                }
                for d in range(15)
            ],
            "at most 14",
        ),
    ],
)
def test_availability_windows_are_validated(
    org_a: Tenant, setup: dict[str, Any], availability: list[Any], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _save(org_a, setup, availability=availability)
    assert message in " ".join(caught.value.message_dict["availability"])


def test_profile_fields_are_validated(org_a: Tenant, org_b: Tenant, setup: dict[str, Any]) -> None:
    foreign_topic = make_topic(org_b, "Foreign")
    with pytest.raises(ValidationError) as caught:
        _save(
            org_a,
            setup,
            teach={foreign_topic.pk: 3, setup["topic"].pk: 9},
            interests=[foreign_topic.pk],
            time_zone="Mars/Olympus",
            max_mentees=3,
            meeting_format="telepathy",
            languages=["x" * 41],
        )
    errors = caught.value.message_dict
    assert errors["teach"] == [
        f"Unknown topic “{foreign_topic.pk}”.",
        "Levels go from 1 (basic) to 5 (expert).",
    ]
    assert errors["interests"] == [f"Unknown topic “{foreign_topic.pk}”."]
    assert set(errors) >= {"time_zone", "max_mentees", "meeting_format", "languages"}


def test_valid_registration_is_saved_everywhere_and_complete(
    org_a: Tenant, setup: dict[str, Any]
) -> None:
    topic = setup["topic"]
    enrollment = setup["enrollment"]
    _save(
        org_a,
        setup,
        teach={str(topic.pk): "4"},
        learn={topic.pk: 2},
        interests=[topic.pk],
        availability=[{"weekday": "1", "start": "09:00", "end": "10:00"}],
        languages=["en", " FR ", "en"],
        time_zone="Europe/Paris",
        max_mentees=2,
        answers={
            str(setup["single"].pk): "Walk",
            str(setup["multi"].pk): ["C", "A"],
            str(setup["scale"].pk): "4",
            str(setup["text"].pk): "  To learn  ",
        },
    )
    with org_a.scope():
        enrollment.refresh_from_db()
        skills = {
            (s.direction, s.topic_id, s.level)
            for s in EnrollmentSkill.objects.filter(enrollment=enrollment)
        }
        person = Person.objects.get(pk=enrollment.person_id)
        completeness = registration.profile_completeness(enrollment)
        interests = list(enrollment.interests.all())
    assert skills == {("teach", topic.pk, 4), ("learn", topic.pk, 2)}
    assert interests == [topic]
    assert enrollment.availability == [{"weekday": 1, "start": "09:00", "end": "10:00"}]
    assert enrollment.max_mentees == 2
    assert enrollment.answers == {
        str(setup["single"].pk): "Walk",
        str(setup["multi"].pk): ["A", "C"],
        str(setup["scale"].pk): 4,
        str(setup["text"].pk): "To learn",
    }
    assert (person.languages, person.time_zone) == (["en", "fr"], "Europe/Paris")
    assert (completeness.percent, completeness.missing) == (100, [])


def test_completeness_names_what_is_missing(org_a: Tenant, setup: dict[str, Any]) -> None:
    with org_a.scope():
        completeness = registration.profile_completeness(setup["enrollment"])
    assert completeness.missing == [
        "Skills you can teach",
        "Availability",
        "Languages",
        "Format?",
    ]
    assert completeness.percent == 0


def test_a_withdrawn_participant_cannot_change_the_registration(
    org_a: Tenant, setup: dict[str, Any]
) -> None:
    with org_a.scope():
        type(setup["enrollment"]).objects.filter(pk=setup["enrollment"].pk).update(
            status="withdrawn"
        )
        setup["enrollment"].refresh_from_db()
    with pytest.raises(ValidationError, match="withdrawn"):
        _save(org_a, setup)
