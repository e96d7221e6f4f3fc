"""Issue 10's journey in a real browser, with a real Celery worker:

1. the coordinator puts the recommended surveys on a program that starts soon; the worker plans
   the pre-program invitations; the sweeper's send task emails them;
2. the mentee opens the link from that email on a 390 px phone screen, signed out, answers every
   question the survey asks an executive, and is thanked; nothing scrolls sideways;
3. after a seeded program ends, the coordinator opens its outcomes: response rates per wave and the
   paired pre → post change of each objective with its confidence interval;
4. the executive turns a session of their pair into an action, starts it and marks it implemented.

No console, CSP or HTTP errors on the way.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from feedback.models import Action, ActionStatus
from feedback.sessions import services as sessions
from feedback.touchpoints import sweep_due
from surveys.models import (
    InvitationStatus,
    Question,
    QuestionKind,
    SurveyInvitation,
    SurveyResponse,
    Wave,
)
from surveys.respond.forms import questions_for
from surveys.selectors import current_questions
from tests.conftest import CeleryWorker, Tenant
from tests.e2e.test_program_journey import Problems, labelled, shot, sign_in
from tests.feedback.builders import live_pair
from tests.participants.test_enrollment_builders import assign_coordinator
from tests.surveys.results.builders import add_survey, answer, cohort, likert, objective

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AI = "I am confident using AI tools in my work."
PRE = [2, 3, 2, 3, 2, 3]
POST = [3, 4, 4, 4, 3, 5]  # changes 1, 1, 2, 1, 1, 2: mean 1.33


def _wait_for(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"Timed out waiting for {what}")


def coordinator_adds_the_recommended_surveys(page: Page, base: str, program_pk: int) -> None:
    page.goto(f"{base}/o/acme/programs/{program_pk}/")
    page.get_by_role("link", name="Surveys", exact=True).click()
    page.get_by_role("button", name="Use the recommended surveys").click()
    waves = page.get_by_role("table", name=re.compile("survey for each wave"))
    for label in ("Pre-program", "Mid-program", "Post-program", "Follow-up"):
        expect(waves.get_by_role("row", name=re.compile(label))).not_to_contain_text(
            "No survey yet"
        )
    shot(page, "survey-1-coordinator-waves")


def _answer_everything(page: Page, questions: list[Question]) -> None:
    """Fill every question the page asks, the way a person would: the label of each control."""
    for question in questions:
        name = f"q{question.pk}"
        if question.kind in (QuestionKind.LIKERT, QuestionKind.NPS, QuestionKind.SINGLE):
            group = page.get_by_role("group", name=re.compile(re.escape(question.text)))
            group.get_by_role("radio").nth(1).check()
        elif question.kind == QuestionKind.MULTIPLE:
            group = page.get_by_role("group", name=re.compile(re.escape(question.text)))
            group.get_by_role("checkbox").first.check()
        elif question.kind == QuestionKind.NUMBER:
            low = question.min_value if question.min_value is not None else 0
            page.locator(f"[name={name}]").fill(str(int(low) + 1))
        else:
            page.locator(f"[name={name}]").fill("More curiosity about the tools my teams use.")


def mentee_answers_from_the_email(
    page: Page, base: str, email: str, questions: list[Question]
) -> None:
    [message] = [
        m for m in mail.outbox if m.to == [email] and "pre-program survey" in m.subject.lower()
    ]
    link = re.search(r"https?://\S+/surveys/\S+", message.body)
    assert link is not None, message.body
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + urlsplit(link.group(0)).path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _answer_everything(page, questions)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "survey-2-mentee-phone")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _ended_program(tenant: Tenant) -> int:
    """A program that ran its pre and post surveys (the post one anonymous) and has ended."""
    group = cohort(tenant, mentees=6)
    add_survey(group, Wave.PRE, [likert(AI, "confidence_ai_tools")])
    add_survey(group, Wave.POST, [likert(AI, "confidence_ai_tools")], anonymous=True)
    for person, before, after in zip(group.mentees, PRE, POST, strict=True):
        answer(group, Wave.PRE, person, {AI: before})
        answer(group, Wave.POST, person, {AI: after})
    objective(
        group,
        "Executives use AI tools with confidence",
        baseline="2.5",
        target="4",
        anchors=["confidence_ai_tools"],
    )
    with tenant.scope():
        program = group.program
        program.start_date = date.today() - timedelta(days=200)
        program.end_date = date.today() - timedelta(days=20)
        program.save(update_fields=["start_date", "end_date"])
    return program.pk


def coordinator_reads_the_outcomes(page: Page, base: str, program_pk: int) -> None:
    page.goto(f"{base}/o/acme/programs/{program_pk}/")
    page.get_by_role("link", name="Outcomes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outcomes")
    body = page.locator("main")
    expect(body).to_contain_text("Executives use AI tools with confidence")
    expect(body).to_contain_text(
        re.compile(
            r"“I am confident using AI tools in my work” rose 1\.3 points on a 5-point scale, 95 % CI"
        )
    )
    expect(body).to_contain_text("n = 6")
    expect(body).to_contain_text(re.compile(r"100\s?%"))  # everyone answered both waves
    shot(page, "survey-3-coordinator-outcomes")


def executive_acts_on_a_session(page: Page, base: str, pair_pk: int) -> None:
    page.goto(f"{base}/o/acme/pairs/{pair_pk}/")
    page.get_by_role("link", name=re.compile("^Turn into an action")).first.click()
    labelled(page, "What will you do?").fill("Draft my weekly summary with an AI assistant")
    page.get_by_role("button", name="Add the action").click()
    actions = page.get_by_role("region", name="Actions")
    expect(actions).to_contain_text("Draft my weekly summary with an AI assistant")
    actions.get_by_role("button", name=re.compile("^Start")).click()
    expect(actions).to_contain_text("In progress")
    actions.get_by_role("button", name=re.compile("^Mark implemented")).click()
    expect(actions.locator(".badge")).to_have_text("Implemented")
    shot(page, "survey-4-executive-implemented")


def test_pre_survey_answered_from_email_then_outcomes_and_an_implemented_action(
    live_server: Any, org_a: Tenant, new_page: Callable[[], Page], celery_worker: CeleryWorker
) -> None:
    base = live_server.url
    problems = Problems()
    # A pair in a program that started two days ago: the pre wave is still open for its people.
    live = live_pair(org_a, started_days_ago=2)
    assign_coordinator(org_a, live.program)
    with org_a.scope():
        sessions.session_log(
            pair=live.pair,
            by=live.mentor,
            actor=None,
            held_on=date.today() - timedelta(days=1),
            duration_minutes=45,
            learned="Prompt patterns for first drafts",
            action_items="Try an assistant for the weekly summary.",
        )

    # The worker starts once the builders are done (they run the matching round inline).
    celery_worker.start()
    coordinator = problems.watch(new_page(), "coordinator")
    sign_in(coordinator, base, org_a.coordinator.user)
    coordinator_adds_the_recommended_surveys(coordinator, base, live.program.pk)

    def planned() -> bool:
        with org_a.scope():
            return SurveyInvitation.objects.filter(
                enrollment=live.mentee, survey__wave=Wave.PRE
            ).exists()

    _wait_for(planned, "the worker to plan the pre-program invitations")
    mail.outbox.clear()
    # The invitation goes at 09:00 where the person is: sweep as if that hour had come.
    sweep_due(now=timezone.now() + timedelta(days=1))
    _wait_for(
        lambda: any("pre-program survey" in m.subject.lower() for m in mail.outbox),
        "the worker to send the pre-program invitation",
    )
    with org_a.scope():
        invitation = SurveyInvitation.objects.get(enrollment=live.mentee, survey__wave=Wave.PRE)
        questions = questions_for(list(current_questions(invitation.survey)), "mentee")

    phone = problems.watch(new_page(), "mentee on a phone (signed out)")
    mentee_answers_from_the_email(phone, base, live.mentee_user.email, questions)
    with org_a.scope():
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.ANSWERED
        response = SurveyResponse.objects.get(survey=invitation.survey)
        assert response.role == "mentee"
        assert response.answers.count() == len(questions)

    ended = _ended_program(org_a)
    coordinator_reads_the_outcomes(coordinator, base, ended)

    executive = problems.watch(new_page(), "executive")
    sign_in(executive, base, live.mentee_user)
    executive_acts_on_a_session(executive, base, live.pair.pk)
    with org_a.scope():
        action = Action.objects.get(pair=live.pair)
        assert action.status == ActionStatus.IMPLEMENTED
        assert action.session is not None
    assert problems.seen == []
