"""The answering use case: what is stored for attributed and anonymous surveys, the pseudonym
rule across waves, and every bad input refused with nothing stored."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.access import Forbidden
from organizations.models import AuditEntry
from participants.models import Person
from surveys.models import (
    TEXT_ANSWER_MAX_LENGTH,
    InvitationStatus,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    Wave,
)
from surveys.pseudonyms import pseudonym
from surveys.respond.use_cases import submit_answers
from tests.conftest import Tenant
from tests.surveys.respond.helpers import open_invitation
from tests.surveys.waves.builders import (
    SurveyWorld,
    add_version,
    good_answers,
    make_survey,
    questions_by_text,
    survey_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_a: Tenant, org_b: Tenant) -> SurveyWorld:
    survey_world(org_b)
    return survey_world(org_a)


def test_attributed_answer_names_the_respondent_and_times(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE)
    invitation = open_invitation(world.tenant, survey, world.mentee)
    with world.tenant.scope():
        Person.objects.filter(pk=world.mentee.person_id).update(
            demographics={"gender": "woman"}, demographics_consented_at=timezone.now()
        )
        invitation.enrollment.person.refresh_from_db()
        answered = submit_answers(
            invitation=invitation, actor=world.mentee_user, data=good_answers(survey, "mentee")
        )
        assert answered.status == InvitationStatus.ANSWERED
        assert answered.answered_at is not None
        response = SurveyResponse.objects.get(survey=survey)
        assert response.respondent_id == world.mentee.pk
        assert response.submitted_at is not None
        assert response.version == survey.versions.get()
        assert (response.role, response.department, response.level) == ("mentee", "Board", 9)
        assert response.demographics == {"gender": "woman"}
        assert response.pseudonym == pseudonym(
            program_id=world.program.pk, person_id=world.mentee.person_id
        )
        q = questions_by_text(survey)
        answers = {a.question_id: a for a in SurveyAnswer.objects.filter(response=response)}
        assert answers[q["I am confident using AI tools"].pk].number == Decimal(4)
        assert answers[q["Which topics did you cover?"].pk].choices == ["AI", "Hybrid work"]
        assert answers[q["What changed?"].pk].text == "I use an assistant every week."
        # The mentors-only question is not asked of a mentee.
        assert q["I feel visible to senior leaders"].pk not in answers
        entry = AuditEntry.objects.get(action="survey.answer")
        assert entry.object_id == str(invitation.pk)


def test_anonymous_answer_keeps_no_link_to_the_person(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.POST, anonymous=True)
    invitation = open_invitation(world.tenant, survey, world.mentor)
    with world.tenant.scope():
        submit_answers(invitation=invitation, actor=None, data=good_answers(survey, "mentor"))
        response = SurveyResponse.objects.get(survey=survey)
        assert response.respondent_id is None
        assert response.submitted_at is None
        # Not consented: no demographics copied.
        assert response.demographics == {}
        stored = SurveyInvitation.objects.get(pk=invitation.pk)
        assert stored.status == InvitationStatus.ANSWERED
        assert stored.answered_at is None
        entry = AuditEntry.objects.get(action="survey.answer")
        assert str(response.pk) not in f"{entry.object_id} {entry.data}"
        assert entry.object_type == "surveys.survey"


def test_the_pseudonym_is_the_same_in_every_wave_of_a_program_and_differs_elsewhere(
    world: SurveyWorld,
) -> None:
    pre = make_survey(world.tenant, world.program, Wave.PRE, anonymous=True)
    post = make_survey(world.tenant, world.program, Wave.POST)
    for survey in (pre, post):
        invitation = open_invitation(world.tenant, survey, world.mentor)
        with world.tenant.scope():
            submit_answers(invitation=invitation, actor=None, data=good_answers(survey, "mentor"))
    other = survey_world(world.tenant)
    other_pre = make_survey(world.tenant, other.program, Wave.PRE, anonymous=True)
    with world.tenant.scope():
        other_invitation = SurveyInvitation.objects.create(
            organization=world.tenant.organization,
            survey=other_pre,
            enrollment=other.mentor,
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate(),
            status=InvitationStatus.SENT,
        )
        # The same person in the other program.
        other.mentor.person = world.mentor.person
        type(other.mentor).objects.filter(pk=other.mentor.pk).update(person=world.mentor.person)
    other_invitation = open_invitation(world.tenant, other_pre, other.mentee)
    with world.tenant.scope():
        submit_answers(
            invitation=other_invitation, actor=None, data=good_answers(other_pre, "mentee")
        )
        pseudonyms = dict(SurveyResponse.objects.values_list("survey_id", "pseudonym"))
        assert pseudonyms[pre.pk] == pseudonyms[post.pk]
        assert pseudonyms[other_pre.pk] != pseudonyms[pre.pk]
        assert (
            pseudonym(program_id=other.program.pk, person_id=world.mentor.person_id)
            != (pseudonyms[pre.pk])
        )


def _nothing_stored(world: SurveyWorld, invitation: SurveyInvitation, status: str) -> None:
    with world.tenant.scope():
        assert SurveyResponse.objects.count() == 0
        assert SurveyAnswer.objects.count() == 0
        assert SurveyInvitation.objects.get(pk=invitation.pk).status == status
        assert not AuditEntry.objects.filter(action="survey.answer").exists()


def _likert(survey: Any) -> str:
    return f"q{questions_by_text(survey)['I am confident using AI tools'].pk}"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda body, q: body.pop(q["likert"]), "likert"),
        (lambda body, q: body.update({q["likert"]: "6"}), "likert"),
        (lambda body, q: body.update({q["nps"]: "11"}), "nps"),
        (lambda body, q: body.update({q["nps"]: "-1"}), "nps"),
        (lambda body, q: body.update({q["single"]: "Daily"}), "single"),
        (lambda body, q: body.update({q["multiple"]: ["AI", "Knitting"]}), "multiple"),
        (lambda body, q: body.update({q["number"]: "101"}), "number"),
        (lambda body, q: body.update({q["number"]: "lots"}), "number"),
        (
            lambda body, q: body.update({q["text"]: "x" * (TEXT_ANSWER_MAX_LENGTH + 1)}),
            "text",
        ),
    ],
    ids=[
        "required-left-out",
        "off-the-likert-scale",
        "nps-above-10",
        "nps-below-0",
        "unknown-choice",
        "unknown-option-among-several",
        "number-above-max",
        "not-a-number",
        "huge-text",
    ],
)
def test_bad_input_is_a_field_error_and_stores_nothing(
    world: SurveyWorld, change: Any, field: str
) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE)
    invitation = open_invitation(world.tenant, survey, world.mentee)
    with world.tenant.scope():
        by_text = questions_by_text(survey)
        names = {
            "likert": f"q{by_text['I am confident using AI tools'].pk}",
            "nps": f"q{by_text['Would you recommend the program?'].pk}",
            "single": f"q{by_text['How often do you meet?'].pk}",
            "multiple": f"q{by_text['Which topics did you cover?'].pk}",
            "number": f"q{by_text['Hours spent'].pk}",
            "text": f"q{by_text['What changed?'].pk}",
        }
        body = good_answers(survey, "mentee")
        change(body, names)
        with pytest.raises(ValidationError) as raised:
            submit_answers(invitation=invitation, actor=world.mentee_user, data=body)
        assert list(raised.value.message_dict) == [names[field]]
    _nothing_stored(world, invitation, InvitationStatus.SENT)


def test_a_second_submission_is_refused(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE)
    invitation = open_invitation(world.tenant, survey, world.mentee)
    with world.tenant.scope():
        body = good_answers(survey, "mentee")
        submit_answers(invitation=invitation, actor=world.mentee_user, data=body)
        with pytest.raises(ValidationError, match="already answered"):
            submit_answers(invitation=invitation, actor=world.mentee_user, data=body)
        assert SurveyResponse.objects.count() == 1
        # Even through a stale copy of the invitation that still says "sent".
        stale = SurveyInvitation.objects.select_related(
            "survey__program", "enrollment__person", "enrollment__program"
        ).get(pk=invitation.pk)
        stale.status = InvitationStatus.SENT
        with pytest.raises(ValidationError, match="already answered"):
            submit_answers(invitation=stale, actor=None, data=body)
        assert SurveyResponse.objects.count() == 1
        assert SurveyAnswer.objects.filter(response__survey=survey).count() == 6


@pytest.mark.parametrize(
    ("status", "days_left", "message"),
    [
        (InvitationStatus.CLOSED, 10, "closed"),
        (InvitationStatus.SENT, -1, "closed"),
        (InvitationStatus.CANCELLED, 10, "cancelled"),
    ],
    ids=["closed", "past-its-close-date", "cancelled"],
)
def test_a_wave_that_is_not_open_is_refused(
    world: SurveyWorld, status: str, days_left: int, message: str
) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE)
    invitation = open_invitation(
        world.tenant, survey, world.mentee, status=status, days_left=days_left
    )
    with world.tenant.scope(), pytest.raises(ValidationError, match=message):
        submit_answers(
            invitation=invitation, actor=world.mentee_user, data=good_answers(survey, "mentee")
        )
    _nothing_stored(world, invitation, status)


def test_someone_elses_invitation_is_forbidden(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE)
    invitation = open_invitation(world.tenant, survey, world.mentee)
    for intruder in (world.mentor_user, world.tenant.admin.user):
        with world.tenant.scope(), pytest.raises(Forbidden):
            submit_answers(
                invitation=invitation, actor=intruder, data=good_answers(survey, "mentee")
            )
    _nothing_stored(world, invitation, InvitationStatus.SENT)


def test_answers_go_to_the_current_version(world: SurveyWorld) -> None:
    survey = make_survey(world.tenant, world.program, Wave.PRE)
    with world.tenant.scope():
        version = add_version(survey, [{"kind": "nps", "text": "Recommend now?"}])
        question = version.questions.get()
    invitation = open_invitation(world.tenant, survey, world.mentor)
    with world.tenant.scope():
        old_body = good_answers_from_first_version(survey)
        with pytest.raises(ValidationError):
            submit_answers(invitation=invitation, actor=None, data=old_body)
        submit_answers(invitation=invitation, actor=None, data={f"q{question.pk}": "7"})
        response = SurveyResponse.objects.get()
        assert response.version == version
        assert list(response.answers.values_list("question_id", "number")) == [
            (question.pk, Decimal(7))
        ]


def good_answers_from_first_version(survey: Any) -> dict[str, str]:
    first = survey.versions.get(number=1)
    likert = first.questions.get(text="I am confident using AI tools")
    return {f"q{likert.pk}": "4"}
