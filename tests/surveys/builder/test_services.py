"""The builder's services: question rules, versioning under answers, the anonymity lock, copying
into a program, the program_survey_changed signal, objective links, and who may do each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from core.access import Forbidden
from organizations.models import AuditEntry
from surveys.builder import services
from surveys.models import (
    ObjectiveAnchor,
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyVersion,
    Wave,
)
from surveys.selectors import current_questions, current_version
from surveys.signals import program_survey_changed
from tests.conftest import Tenant
from tests.surveys.builder.builders import (
    CHOICE,
    LIKERT,
    answer,
    objective,
    program_survey,
    staffed_program,
    template,
)


@pytest.fixture
def changed() -> Iterator[list[Survey]]:
    """The surveys ``program_survey_changed`` was sent for."""
    seen: list[Survey] = []

    def receiver(sender: Any, survey: Survey, **kwargs: Any) -> None:
        seen.append(survey)

    program_survey_changed.connect(receiver, dispatch_uid="builder-test")
    yield seen
    program_survey_changed.disconnect(dispatch_uid="builder-test")


# --- Question rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({**LIKERT, "labels": ["a", "b", "c", "d"]}, "labels", "needs 5 labels"),
        ({**LIKERT, "scale_points": 6}, "scale_points", "5 or 7 points"),
        ({**LIKERT, "labels": ["a", "b", "", "d", "e"]}, "labels", "needs a label"),
        ({**LIKERT, "anchor_key": "Not a slug!"}, "anchor_key", "slug"),
        ({**LIKERT, "anchor_key": "Confidence_AI"}, "anchor_key", "lowercase"),
        ({**CHOICE, "choices": ["Only one"]}, "choices", "at least 2"),
        ({**CHOICE, "choices": ["Weekly", "weekly "]}, "choices", "twice"),
        ({**CHOICE, "anchor_key": "meeting_rhythm"}, "anchor_key", "Likert, NPS or number"),
        (
            {"kind": "number", "text": "Hours?", "min_value": 10, "max_value": 2},
            "max_value",
            "above",
        ),
        ({"kind": "number", "text": "Hours?", "min_value": "lots"}, "min_value", "number"),
        ({"kind": "telepathy", "text": "?"}, "kind", "Choose a kind"),
        ({"kind": "text", "text": "  "}, "text", "Write the question"),
        ({"kind": "text", "text": "x" * 301}, "text", "300 characters"),
        ({"kind": "text", "text": "Why?", "audience": "bosses"}, "audience", "mentors, mentees"),
    ],
)
def test_a_bad_question_names_the_field_and_stores_nothing(
    org_a: Tenant, values: dict[str, Any], field: str, words: str
) -> None:
    survey = template(org_a)
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        services.question_add(actor=org_a.admin.user, survey=survey, values=values)
    assert field in caught.value.message_dict
    assert words in " ".join(caught.value.message_dict[field])
    with org_a.scope():
        assert not Question.objects.exists()


def test_an_anchor_key_appears_once_per_version(org_a: Tenant) -> None:
    survey = template(org_a, LIKERT)
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        services.question_add(actor=org_a.admin.user, survey=survey, values=LIKERT)
    assert "once per survey" in caught.value.message_dict["anchor_key"][0]


def test_fields_a_kind_does_not_use_are_emptied(org_a: Tenant) -> None:
    survey = template(org_a)
    with org_a.scope():
        question = services.question_add(
            actor=org_a.admin.user,
            survey=survey,
            values={**CHOICE, "labels": ["x"], "scale_points": 5, "min_value": 1},
        )
    assert (question.labels, question.scale_points, question.min_value) == ([], None, None)


def test_seven_point_likert_with_seven_labels_is_accepted(org_a: Tenant) -> None:
    survey = template(org_a)
    labels = [f"Point {i}" for i in range(1, 8)]
    with org_a.scope():
        question = services.question_add(
            actor=org_a.admin.user,
            survey=survey,
            values={
                "kind": QuestionKind.LIKERT,
                "text": "Fit?",
                "scale_points": 7,
                "labels": labels,
            },
        )
    assert question.scale_points == 7
    assert question.labels == labels


# --- Versioning -----------------------------------------------------------------------------------


def test_without_answers_questions_change_in_place(org_a: Tenant) -> None:
    survey = template(org_a, LIKERT, CHOICE)
    with org_a.scope():
        first = current_questions(survey).first()
        assert first is not None
        services.question_update(
            actor=org_a.admin.user, survey=survey, question=first, values={"text": "Reworded"}
        )
        assert SurveyVersion.objects.filter(survey=survey).count() == 1
        first.refresh_from_db()
        assert first.text == "Reworded"


def test_a_change_to_an_answered_version_makes_the_next_version(
    org_a: Tenant, changed: list[Survey]
) -> None:
    program = staffed_program(org_a)
    survey = program_survey(org_a, program, LIKERT, CHOICE)
    response = answer(org_a, survey)
    with org_a.scope():
        old_version = current_version(survey)
        assert old_version is not None
        likert = current_questions(survey).get(anchor_key="confidence_ai_tools")
        SurveyAnswer.objects.create(
            organization=org_a.organization, response=response, question=likert, number=4
        )
        changed.clear()
        updated = services.question_update(
            actor=org_a.coordinator.user,
            survey=survey,
            question=likert,
            values={"text": "New words"},
        )
        new_version = current_version(survey)
        assert new_version is not None
        assert new_version.number == old_version.number + 1
        # The answered version and its answer are untouched; the copy has every question.
        likert.refresh_from_db()
        assert likert.text == LIKERT["text"]
        assert likert.version_id == old_version.pk
        assert SurveyAnswer.objects.get().question_id == likert.pk
        assert updated.version_id == new_version.pk
        assert updated.text == "New words"
        assert list(new_version.questions.values_list("kind", flat=True)) == ["likert", "single"]
        assert updated.anchor_key == "confidence_ai_tools"
        # A second change goes to the new, unanswered version: no third version.
        services.question_delete(
            actor=org_a.coordinator.user, survey=survey, question=current_questions(survey).last()
        )
        assert SurveyVersion.objects.filter(survey=survey).count() == 2
        assert current_questions(survey).count() == 1
        assert old_version.questions.count() == 2
    assert changed == [survey]


def test_adding_deleting_and_reordering_all_respect_answers(org_a: Tenant) -> None:
    survey = template(org_a, LIKERT, CHOICE)
    with org_a.scope():
        first_version = current_version(survey)
        assert first_version is not None
    for change in ("add", "reorder", "delete"):
        answer(org_a, survey)
        with org_a.scope():
            before = current_version(survey)
            assert before is not None
            ids = list(current_questions(survey).values_list("pk", flat=True))
            if change == "add":
                services.question_add(
                    actor=org_a.admin.user, survey=survey, values={"kind": "text", "text": "Why?"}
                )
            elif change == "reorder":
                services.question_reorder(
                    actor=org_a.admin.user, survey=survey, order=list(reversed(ids))
                )
            else:
                services.question_delete(
                    actor=org_a.admin.user,
                    survey=survey,
                    question=current_questions(survey).first(),
                )
            after = current_version(survey)
            assert after is not None
            assert after.number == before.number + 1, change
            assert list(before.questions.values_list("pk", flat=True)) == ids, change
    with org_a.scope():
        assert list(first_version.questions.values_list("kind", flat=True)) == ["likert", "single"]


def test_a_question_of_an_earlier_version_cannot_be_edited(org_a: Tenant) -> None:
    survey = template(org_a, LIKERT)
    answer(org_a, survey)
    with org_a.scope():
        old = current_questions(survey).get()
        services.question_add(actor=org_a.admin.user, survey=survey, values=CHOICE)
        with pytest.raises(ValidationError):
            services.question_update(
                actor=org_a.admin.user, survey=survey, question=old, values={"text": "x"}
            )


def test_question_move_swaps_neighbours_and_reorder_rejects_a_partial_list(org_a: Tenant) -> None:
    survey = template(org_a, LIKERT, CHOICE, {"kind": "nps", "text": "Recommend?"})
    with org_a.scope():
        questions = list(current_questions(survey))
        services.question_move(
            actor=org_a.admin.user, survey=survey, question=questions[2], direction="up"
        )
        assert list(current_questions(survey).values_list("kind", flat=True)) == [
            "likert",
            "nps",
            "single",
        ]
        with pytest.raises(ValidationError) as caught:
            services.question_reorder(
                actor=org_a.admin.user, survey=survey, order=[questions[0].pk]
            )
        assert "order" in caught.value.message_dict


# --- Settings and anonymity -------------------------------------------------------------------------


def test_anonymity_is_locked_once_a_survey_has_answers(
    org_a: Tenant, changed: list[Survey]
) -> None:
    program = staffed_program(org_a)
    survey = program_survey(org_a, program, LIKERT)
    with org_a.scope():
        services.survey_update_settings(
            actor=org_a.coordinator.user, survey=survey, values={"anonymous": True}
        )
    assert changed[-1].pk == survey.pk
    answer(org_a, survey)
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        services.survey_update_settings(
            actor=org_a.coordinator.user, survey=survey, values={"anonymous": False}
        )
    assert "can no longer change" in caught.value.message_dict["anonymous"][0]
    with org_a.scope():
        survey.refresh_from_db()
        assert survey.anonymous is True
        # Other settings still change.
        services.survey_update_settings(
            actor=org_a.coordinator.user, survey=survey, values={"anonymous": True, "open_days": 21}
        )
        survey.refresh_from_db()
        assert survey.open_days == 21


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": ""}, "title"),
        ({"open_days": 2}, "open_days"),
        ({"open_days": 61}, "open_days"),
        ({"anonymous": "yes"}, "anonymous"),
        ({"wave": "pre"}, "wave"),  # a program survey's wave is its place in the program
    ],
)
def test_bad_settings_name_the_field(org_a: Tenant, values: dict[str, Any], field: str) -> None:
    program = staffed_program(org_a)
    survey = program_survey(org_a, program)
    with org_a.scope(), pytest.raises(ValidationError) as caught:
        services.survey_update_settings(actor=org_a.admin.user, survey=survey, values=values)
    assert field in caught.value.message_dict


# --- Copy into a program -------------------------------------------------------------------------


def test_copying_a_template_copies_its_questions_and_tells_the_planner(
    org_a: Tenant, changed: list[Survey]
) -> None:
    program = staffed_program(org_a)
    source = template(org_a, LIKERT, CHOICE, wave=Wave.POST, anonymous=True)
    with org_a.scope():
        survey = services.survey_from_template(
            actor=org_a.coordinator.user, program=program, template=source
        )
        assert (survey.program_id, survey.wave, survey.anonymous) == (program.pk, "post", True)
        assert survey.copied_from_id == source.pk
        copied = list(current_questions(survey).values_list("text", "anchor_key"))
        assert copied == list(current_questions(source).values_list("text", "anchor_key"))
        # The copy is independent: editing it leaves the template as it was.
        services.question_delete(
            actor=org_a.coordinator.user, survey=survey, question=current_questions(survey).first()
        )
        assert current_questions(source).count() == 2
        with pytest.raises(ValidationError) as caught:
            services.survey_from_template(
                actor=org_a.coordinator.user, program=program, template=source
            )
        assert "already has" in caught.value.message_dict["wave"][0]
    assert changed == [survey]


def test_use_recommended_copies_the_four_shipped_surveys_once(org_a: Tenant) -> None:
    program = staffed_program(org_a)
    with org_a.scope():
        created = services.use_recommended(actor=org_a.coordinator.user, program=program)
        assert sorted(s.wave for s in created) == sorted(Wave.values)
        assert services.use_recommended(actor=org_a.coordinator.user, program=program) == []
        assert Survey.objects.filter(program=program).count() == 4
        assert Survey.objects.filter(program__isnull=True).count() == 4


# --- Who may do what ----------------------------------------------------------------------------------


def test_only_admins_write_templates(org_a: Tenant) -> None:
    survey = template(org_a)
    with org_a.scope():
        for user in (org_a.coordinator.user, org_a.member.user):
            with pytest.raises(Forbidden):
                services.question_add(actor=user, survey=survey, values=CHOICE)
            with pytest.raises(Forbidden):
                services.template_create(
                    organization=org_a.organization, actor=user, wave="pre", title="Mine"
                )


def test_a_program_survey_is_out_of_reach_for_those_who_do_not_run_the_program(
    org_a: Tenant,
) -> None:
    program = staffed_program(org_a)
    other = staffed_program(org_a)
    survey = program_survey(org_a, program, LIKERT)
    with org_a.scope():
        from programs.models import ProgramCoordinator

        ProgramCoordinator.objects.filter(program=program).delete()
        for user in (org_a.coordinator.user, org_a.member.user):
            with pytest.raises(Http404):
                services.question_add(actor=user, survey=survey, values=CHOICE)
        assert other.pk  # the coordinator still runs another program: no help here


# --- Objectives linked to anchor items ---------------------------------------------------------------


def test_an_objective_links_only_to_anchor_items_the_program_asks(org_a: Tenant) -> None:
    program = staffed_program(org_a)
    program_survey(org_a, program, LIKERT)
    aim = objective(org_a, program)
    with org_a.scope():
        with pytest.raises(ValidationError) as caught:
            services.objective_anchor_link(
                actor=org_a.coordinator.user, objective=aim, anchor_key="mentor_visibility"
            )
        assert "asked in this program" in caught.value.message_dict["anchor_key"][0]
        link = services.objective_anchor_link(
            actor=org_a.coordinator.user, objective=aim, anchor_key="confidence_ai_tools"
        )
        with pytest.raises(ValidationError):
            services.objective_anchor_link(
                actor=org_a.coordinator.user, objective=aim, anchor_key="confidence_ai_tools"
            )
        services.objective_anchor_unlink(actor=org_a.coordinator.user, link=link)
        assert not ObjectiveAnchor.objects.exists()
        actions = list(
            AuditEntry.objects.filter(action__startswith="objective.anchor").values_list(
                "action", flat=True
            )
        )
        assert sorted(actions) == ["objective.anchor.link", "objective.anchor.unlink"]
