"""Answering a survey: one use case, ``submit_answers``, for the signed-link page, the signed-in
page and the API.

It validates the body with the respondent's form (``surveys.respond.forms.AnswerForm`` over the
questions the person's role is asked in the survey's **current version**), then, in one
transaction, locks the invitation and refuses unless it is open (not yet answered, not closed or
cancelled, inside its window). It stores one ``SurveyResponse`` with its ``SurveyAnswer``s:

- the pseudonym ``surveys.pseudonyms.pseudonym(program, person)``, the same in every wave of the
  program, so anchor items pair; the role, department and level; the person's demographics only if
  they consented (``Person.demographics_consented_at``);
- **attributed** survey: ``respondent`` (the enrolment) and ``submitted_at``; the invitation's
  ``answered_at``; ``quote_consent`` when the person ticked "you may quote my written answers"
  (asked only when the survey has a free-text question);
- **anonymous** survey: no respondent, no time on the response nor on the invitation (which keeps
  only "answered"), and the audit entry names the survey, never the response.

A refusal is ``core.access.Forbidden`` (someone else's invitation, 403); a body or a state that
cannot be answered is a ``ValidationError`` (400, field messages keyed ``q<question id>``);
nothing is stored in either case.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from feedback.models import Touchpoint
from organizations.audit import log_action
from surveys.access import require_answer
from surveys.models import (
    InvitationStatus,
    Question,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
)
from surveys.pseudonyms import pseudonym
from surveys.respond.forms import AnswerForm, asks_quote_consent, questions_for
from surveys.selectors import current_version
from surveys.waves.planning import cancel_touchpoints, follow_up_keys, local_today

# The largest body accepted: a survey has at most a few dozen questions.
MAX_FIELDS = 300


def invitation_queryset() -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.select_related(
        "survey__program", "enrollment__person", "enrollment__program"
    )


def my_invitations(user: User) -> QuerySet[SurveyInvitation]:
    """The signed-in person's invitations that reached them (opened, answered, closed)."""
    return (
        invitation_queryset()
        .filter(enrollment__person__user=user)
        .exclude(status__in=(InvitationStatus.PLANNED, InvitationStatus.CANCELLED))
        .order_by("-opens_on", "-id")
    )


def answer_problem(invitation: SurveyInvitation, *, today: date | None = None) -> str | None:
    """Why this invitation cannot be answered now (None when it can)."""
    if invitation.status == InvitationStatus.ANSWERED:
        return "You have already answered this survey. Thank you."
    if invitation.status == InvitationStatus.CANCELLED:
        return "This survey invitation was cancelled: the program's plans changed."
    today = today or local_today(invitation.enrollment)
    if invitation.status == InvitationStatus.CLOSED or today > invitation.closes_on:
        return f"This survey closed on {invitation.closes_on:%-d %B %Y}."
    if today < invitation.opens_on:
        return f"This survey opens on {invitation.opens_on:%-d %B %Y}."
    return None


def questions_of(invitation: SurveyInvitation) -> tuple[SurveyVersion | None, list[Question]]:
    """The current version and the questions it asks of the invitation's person."""
    version = current_version(invitation.survey)
    if version is None:
        return None, []
    questions = version.questions.order_by("position", "id")
    return version, questions_for(questions, invitation.enrollment.role)


def answer_form(invitation: SurveyInvitation, data: Mapping[str, Any] | None = None) -> AnswerForm:
    _version, questions = questions_of(invitation)
    return _form(invitation, questions, data)


def _form(
    invitation: SurveyInvitation, questions: list[Question], data: Mapping[str, Any] | None
) -> AnswerForm:
    ask = asks_quote_consent(anonymous=invitation.survey.anonymous, questions=questions)
    return AnswerForm(questions, data, ask_quote_consent=ask)


def _form_errors(form: AnswerForm) -> ValidationError:
    return ValidationError(
        {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    )


def submit_answers(
    *, invitation: SurveyInvitation, actor: User | None, data: Mapping[str, Any]
) -> SurveyInvitation:
    """Record the answers of the invitation's person, once.

    ``actor`` is the signed-in person answering (refused unless the invitation is theirs), or None
    when the signed link in their email answers for them (the token is the authority,
    ``surveys.waves.links``)."""
    require_answer(actor, invitation)
    problem = answer_problem(invitation)
    if problem:
        raise ValidationError(problem)
    if len(data) > MAX_FIELDS:
        raise ValidationError("Too many answers in one submission.")
    version, questions = questions_of(invitation)
    if version is None or not questions:
        raise ValidationError("This survey has no questions for you yet.")
    form = _form(invitation, questions, data)
    if not form.is_valid():
        raise _form_errors(form)
    answers = form.answers()
    survey = invitation.survey
    program_id = survey.program_id
    assert program_id is not None
    with transaction.atomic():
        locked = invitation_queryset().select_for_update(of=("self",)).get(pk=invitation.pk)
        problem = answer_problem(locked)
        if problem:
            raise ValidationError(problem)
        if current_version(survey) != version:
            raise ValidationError(
                "The survey changed while you were answering: please review it and send again."
            )
        person = locked.enrollment.person
        now = timezone.now()
        anonymous = survey.anonymous
        consented = person.demographics_consented_at is not None
        response = SurveyResponse(
            organization_id=locked.organization_id,
            survey=survey,
            version=version,
            pseudonym=pseudonym(program_id=program_id, person_id=person.pk),
            role=locked.enrollment.role,
            department=person.department,
            level=person.level,
            demographics=dict(person.demographics or {}) if consented else {},
            respondent=None if anonymous else locked.enrollment,
            submitted_at=None if anonymous else now,
            quote_consent=form.quote_consent and not anonymous,
        )
        try:
            with transaction.atomic():
                response.save(force_insert=True)
        except IntegrityError:
            # The pseudonym is unique per survey: an answer already exists (another enrolment of
            # the same person, or a race the lock did not cover).
            raise ValidationError("You have already answered this survey. Thank you.") from None
        SurveyAnswer.objects.bulk_create(
            [
                SurveyAnswer(
                    organization_id=locked.organization_id,
                    response=response,
                    question=answer.question,
                    number=answer.number,
                    choices=answer.choices,
                    text=answer.text,
                )
                for answer in answers
            ]
        )
        locked.status = InvitationStatus.ANSWERED
        locked.answered_at = None if anonymous else now
        locked.save(update_fields=["status", "answered_at"])
        cancel_touchpoints(
            Touchpoint.objects.filter(idempotency_key__in=follow_up_keys(locked)).values_list(
                "pk", flat=True
            )
        )
        if anonymous:
            # Names the survey only: nothing here leads to the (anonymous) response.
            log_action(actor=actor, action="survey.answer", target=survey, data={})
        else:
            log_action(
                actor=actor,
                action="survey.answer",
                target=locked,
                data={"survey": survey.pk, "response": str(response.pk)},
            )
    return locked
