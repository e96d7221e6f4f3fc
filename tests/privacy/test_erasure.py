"""Erasure, table by table (the rule in docs/privacy.md): the mentee of an ended pair is erased;
what they wrote goes, what their mentor wrote stays, every count and figure stays, rotation holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.access import Forbidden
from feedback.models import (
    Action,
    CheckIn,
    CheckInStatus,
    EmailPreferences,
    Goal,
    GoalUpdate,
    Note,
    NoteVisibility,
    ReviewDecision,
    SessionLog,
    SuccessStory,
)
from matching.loading import load_cohort
from matching.models import Pair, PairStatus, ProposedPair
from organizations.audit import log_action
from organizations.models import ApiToken, AuditEntry, Membership
from participants import directory
from participants.models import Enrollment, EnrollmentRole, Person
from privacy.erasure.services import ERASED_NAME, ERASED_TEXT, person_erase
from privacy.models import ErasedPairing
from surveys.models import Question, Survey, SurveyAnswer, SurveyResponse, SurveyVersion
from surveys.pseudonyms import pseudonym
from tests.conftest import Tenant, login
from tests.feedback.builders import LivePair, live_pair
from tests.matching.test_rounds_builders import accept_charter, add_person

pytestmark = pytest.mark.django_db


@dataclass
class Story:
    live: LivePair
    person: Person  # the mentee, erased
    name: str
    email: str


def _survey(live: LivePair, *, anonymous: bool, wave: str) -> tuple[Survey, Question, Question]:
    survey = Survey.objects.create(
        program=live.program, wave=wave, title=f"{wave} survey", anonymous=anonymous
    )
    version = SurveyVersion.objects.create(survey=survey, number=1)
    scale = Question.objects.create(version=version, kind="likert", text="Confident?", position=1)
    text = Question.objects.create(version=version, kind="text", text="Why?", position=2)
    return survey, scale, text


def _answer(survey: Survey, enrollment: Enrollment, scale: Question, text: Question, words: str):
    attributed = not survey.anonymous
    response = SurveyResponse.objects.create(
        survey=survey,
        version=scale.version,
        pseudonym=pseudonym(program_id=survey.program_id, person_id=enrollment.person_id),
        role=enrollment.role,
        respondent=enrollment if attributed else None,
        submitted_at=timezone.now() if attributed else None,
        quote_consent=attributed,
    )
    SurveyAnswer.objects.create(response=response, question=scale, number=Decimal(4))
    SurveyAnswer.objects.create(response=response, question=text, text=words)
    return response


@pytest.fixture
def story(org_a: Tenant, org_b: Tenant) -> Story:
    live = live_pair(org_a)
    mentor, mentee = live.mentor, live.mentee
    with org_a.scope():
        person = Person.objects.get(pk=mentee.person_id)
        Note.objects.create(pair=live.pair, author=mentee, visibility="private", text="mine only")
        Note.objects.create(pair=live.pair, author=mentee, visibility="shared", text="for both")
        Note.objects.create(
            pair=live.pair, author=mentor, visibility=NoteVisibility.SHARED, text="mentor's note"
        )
        today = date.today()
        for logger, words in ((mentee, "mentee's learning"), (mentor, "mentor's learning")):
            SessionLog.objects.create(
                pair=live.pair,
                logged_by=logger,
                held_on=today - timedelta(days=3),
                duration_minutes=45,
                learned=words,
                action_items=words,
            )
        goal = Goal.objects.create(
            pair=live.pair, owner="mentee", description="Ship an AI pilot", created_by=mentee
        )
        GoalUpdate.objects.create(goal=goal, author=mentee, progress=50, comment="mentee's step")
        Goal.objects.create(
            pair=live.pair, owner="mentor", description="Mentor's goal", created_by=mentor
        )
        for enrollment, words in ((mentee, "mentee blocked"), (mentor, "mentor blocked")):
            CheckIn.objects.create(
                pair=live.pair,
                enrollment=enrollment,
                due_on=today - timedelta(days=1),
                status=CheckInStatus.ANSWERED,
                rating=4,
                blockers=words,
                answered_at=timezone.now(),
            )
        Action.objects.create(pair=live.pair, owner=mentee, title="Weekly AI hour", result="done")
        SuccessStory.objects.create(
            pair=live.pair,
            text="mentor's story",
            written_by=mentor,
            mentor_agreed_at=timezone.now(),
            mentee_agreed_at=timezone.now(),
        )
        SuccessStory.objects.create(pair=live.pair, text="mentee's story", written_by=mentee)
        ReviewDecision.objects.create(pair=live.pair, decision="continue", note="about them")
        attributed, a_scale, a_text = _survey(live, anonymous=False, wave="pre")
        anonymous, n_scale, n_text = _survey(live, anonymous=True, wave="post")
        for enrollment in (mentee, mentor):
            words = f"{enrollment.role}'s words"
            _answer(attributed, enrollment, a_scale, a_text, words)
            _answer(anonymous, enrollment, n_scale, n_text, words)
        EmailPreferences.objects.create(user=live.mentee_user, partner_activity=False)
        ApiToken.objects.create(user=live.mentee_user, name="cli", key_hash="x" * 64)
        log_action(actor=live.mentee_user, action="test.by_mentee", data={})
        log_action(actor=org_a.admin.user, action="test.about", data={"name": person.full_name})
        Pair.objects.filter(pk=live.pair.pk).update(status=PairStatus.ENDED)
    return Story(live=live, person=person, name=person.full_name, email=person.email)


def _erase(tenant: Tenant, story: Story) -> None:
    with tenant.scope():
        person_erase(
            organization=tenant.organization,
            actor=tenant.admin.user,
            person=story.person,
            confirm_name=story.name,
        )


def _aggregates(live: LivePair) -> dict[str, object]:
    program = live.program
    return {
        "enrolments": Enrollment.objects.filter(program=program).count(),
        "pairs": Pair.objects.filter(program=program).count(),
        "sessions": SessionLog.objects.filter(pair__program=program).count(),
        "minutes": sum(
            SessionLog.objects.filter(pair__program=program).values_list(
                "duration_minutes", flat=True
            )
        ),
        "ratings": sorted(
            CheckIn.objects.filter(pair__program=program).values_list("rating", flat=True)
        ),
        "responses": SurveyResponse.objects.filter(survey__program=program).count(),
        "numbers": sorted(
            SurveyAnswer.objects.filter(response__survey__program=program)
            .exclude(number=None)
            .values_list("number", flat=True)
        ),
        "pseudonyms": sorted(
            SurveyResponse.objects.filter(survey__program=program).values_list(
                "pseudonym", flat=True
            )
        ),
        "goals": Goal.objects.filter(pair__program=program).count(),
        "actions": Action.objects.filter(pair__program=program).count(),
    }


def test_erasure_keeps_every_count_and_figure(org_a: Tenant, story: Story) -> None:
    with org_a.scope():
        before = _aggregates(story.live)
    _erase(org_a, story)
    with org_a.scope():
        assert _aggregates(story.live) == before


def test_the_directory_entry_keeps_only_its_id(org_a: Tenant, story: Story) -> None:
    _erase(org_a, story)
    with org_a.scope():
        person = Person.objects.get(pk=story.person.pk)
        assert person.full_name == ERASED_NAME
        assert person.email == f"erased-{person.pk}@erased.invalid"
        assert (person.user_id, person.manager_id, person.level) == (None, None, None)
        assert (person.job_title, person.department, person.employee_id) == ("", "", "")
        assert (person.languages, person.demographics, person.is_active) == ([], {}, False)
        enrollment = Enrollment.objects.get(pk=story.live.mentee.pk)
        assert (enrollment.answers, enrollment.availability) == ({}, [])
        # The account leaves the organisation; the global account itself stays.
        assert not Membership.objects.filter(user=story.live.mentee_user).exists()
        assert not ApiToken.objects.filter(user=story.live.mentee_user).exists()
        assert not EmailPreferences.objects.filter(user=story.live.mentee_user).exists()


def test_what_the_person_wrote_goes_and_what_the_partner_wrote_stays(
    org_a: Tenant, story: Story
) -> None:
    _erase(org_a, story)
    live = story.live
    with org_a.scope():
        assert list(Note.objects.filter(pair=live.pair).values_list("text", flat=True)) == [
            "mentor's note"
        ]
        sessions = dict(
            SessionLog.objects.filter(pair=live.pair).values_list("logged_by_id", "learned")
        )
        assert sessions == {live.mentee.pk: "", live.mentor.pk: "mentor's learning"}
        goals = dict(Goal.objects.filter(pair=live.pair).values_list("owner", "description"))
        assert goals == {"mentee": ERASED_TEXT, "mentor": "Mentor's goal"}
        assert list(GoalUpdate.objects.values_list("comment", "progress")) == [("", 50)]
        blockers = dict(CheckIn.objects.values_list("enrollment_id", "blockers"))
        assert blockers == {live.mentee.pk: "", live.mentor.pk: "mentor blocked"}
        action = Action.objects.get()
        assert (action.title, action.result, action.shared_at) == (ERASED_TEXT, "", None)
        story_row = SuccessStory.objects.get()
        assert story_row.text == "mentor's story"
        assert story_row.mentee_agreed_at is None
        assert story_row.mentor_agreed_at is not None
        assert ReviewDecision.objects.get().note == ""


def test_survey_answers_keep_their_numbers_and_lose_the_link_and_the_text(
    org_a: Tenant, story: Story
) -> None:
    _erase(org_a, story)
    live = story.live
    with org_a.scope():
        texts = sorted(
            SurveyAnswer.objects.filter(question__kind="text").values_list("text", flat=True)
        )
        # The mentee's two free texts (attributed and anonymous) are gone; the mentor's stay.
        assert texts == ["", "", "mentor's words", "mentor's words"]
        assert not SurveyResponse.objects.filter(respondent=live.mentee).exists()
        unlinked = SurveyResponse.objects.filter(survey__anonymous=False, respondent=None).get()
        assert (unlinked.submitted_at, unlinked.quote_consent) == (None, False)


def test_the_audit_log_keeps_events_without_the_person(org_a: Tenant, story: Story) -> None:
    _erase(org_a, story)
    with org_a.scope():
        assert AuditEntry.objects.get(action="test.by_mentee").actor_id is None
        assert AuditEntry.objects.get(action="test.about").data == {"name": ERASED_TEXT}
        erased = AuditEntry.objects.get(action="privacy.person_erased")
        assert erased.actor_id == org_a.admin.user.pk
        assert erased.object_id == str(story.person.pk)
        assert story.name not in str(erased.data)
        assert story.email not in str(erased.data)
        assert erased.data["tables"]["feedback.note"] == 2


def test_matching_explanations_no_longer_name_the_person(org_a: Tenant, story: Story) -> None:
    with org_a.scope():
        ProposedPair.objects.filter(round__program=story.live.program).update(
            rationale=f"{story.name} wants to learn what the mentor teaches",
            alternatives={"mentee": [{"enrollment_id": 1, "name": story.name, "score": 50}]},
        )
    _erase(org_a, story)
    with org_a.scope():
        alternatives = ProposedPair.objects.values_list("alternatives", flat=True)
        assert all(story.name not in str(value) for value in alternatives)
        assert ERASED_NAME in str(alternatives[0])
        rationales = ProposedPair.objects.values_list("rationale", flat=True)
        assert rationales
        assert all(story.name not in text for text in rationales)


def test_rotation_survives_as_a_keyed_hash_when_the_person_comes_back(
    org_a: Tenant, story: Story
) -> None:
    _erase(org_a, story)
    live = story.live
    with org_a.scope():
        (stored,) = ErasedPairing.objects.values_list("pair_key", flat=True)
        assert story.email not in stored
        assert len(stored) == 64
        # HR imports the person again: a new entry with the same email, enrolled again beside
        # the same mentor. Rotation still refuses the pair.
        back = directory.person_create(
            organization=org_a.organization,
            actor=org_a.admin.user,
            email=story.email,
            full_name="Back Again",
        )
    program = live.program
    returning = add_person(org_a, program, EnrollmentRole.MENTEE, topics=[], levels={})
    with org_a.scope():
        Enrollment.objects.filter(pk=returning.pk).update(person=back)
        Pair.objects.filter(pk=live.pair.pk).delete()  # only the hash remembers them now
    accept_charter(org_a, program, [returning])
    with org_a.scope():
        cohort = load_cohort(program)
        mentor_person = live.mentor.person_id
        pairs = {frozenset(pair) for pair in cohort.constraints.previous_pairs}
        assert frozenset((mentor_person, back.pk)) in pairs


def test_erasure_asks_for_the_name_and_refuses_open_pairs_admins_and_others(
    org_a: Tenant, story: Story
) -> None:
    with org_a.scope():
        with pytest.raises(ValidationError) as wrong:
            person_erase(
                organization=org_a.organization,
                actor=org_a.admin.user,
                person=story.person,
                confirm_name="Someone Else",
            )
        assert "confirm_name" in wrong.value.message_dict
        with pytest.raises(Forbidden):
            person_erase(
                organization=org_a.organization,
                actor=org_a.coordinator.user,
                person=story.person,
                confirm_name=story.name,
            )
        Pair.objects.filter(pk=story.live.pair.pk).update(status=PairStatus.ACTIVE)
        with pytest.raises(ValidationError) as open_pair:
            person_erase(
                organization=org_a.organization,
                actor=org_a.admin.user,
                person=story.person,
                confirm_name=story.name,
            )
        assert "open pairs" in str(open_pair.value.message_dict["person"])
        assert Person.objects.get(pk=story.person.pk).full_name == story.name


def test_the_page_confirms_with_the_name_and_answers_400_otherwise(
    org_a: Tenant, story: Story
) -> None:
    client = login(Client(), org_a.admin.user)
    url = reverse("person_erase", args=[org_a.slug, story.person.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Type the person" in page.content
    assert client.post(url, {"confirm_name": "nope"}).status_code == 400
    response = client.post(url, {"confirm_name": story.name})
    assert response.status_code == 302
    with org_a.scope():
        assert Person.objects.get(pk=story.person.pk).full_name == ERASED_NAME
