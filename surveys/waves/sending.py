"""Sending the waves: the touchpoint handlers of invitations, reminders and closes.

They run in the send task, inside the row's organisation scope; ``feedback.touchpoints.deliver``
claims each touchpoint before its handler runs, so a row acts at most once. The invitation handler
marks the invitation sent (and plans its reminders and close) *before* mailing: a worker lost after
that leaves an open invitation the person still finds under "My surveys", never a second email.
Together with the unique (survey, enrolment) constraint, that is exactly once per (wave, person).
"""

from __future__ import annotations

import math
import time
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from feedback.models import Touchpoint, TouchpointStatus
from feedback.touchpoints import touchpoint_handler
from participants.models import EnrollmentStatus
from surveys.models import InvitationStatus, SurveyInvitation
from surveys.respond.forms import questions_for
from surveys.selectors import current_questions
from surveys.waves import links
from surveys.waves.planning import (
    CLOSE_KIND,
    INVITATION_KIND,
    REMINDER_KIND,
    cancel_touchpoints,
    close_key,
    close_time,
    local_today,
    reminder_days,
    reminder_key,
    send_time,
)

# About how long one question takes to answer, for the "it takes N minutes" line.
SECONDS_PER_QUESTION = 20


def _load(invitation_filter: Q) -> SurveyInvitation | None:
    found = SurveyInvitation.objects.filter(invitation_filter).select_related(
        "organization", "survey__program", "enrollment__person", "enrollment__program"
    )[:1]
    return next(iter(found), None)


# survey id → ({role: minutes}, when computed): a wave sends thousands of emails of one survey,
# and an estimate a few minutes stale is harmless.
_MINUTES: dict[int, tuple[dict[str, int], float]] = {}
_MINUTES_TTL = 300.0


def minutes_to_answer(invitation: SurveyInvitation) -> int:
    cached = _MINUTES.get(invitation.survey_id)
    if cached is None or time.monotonic() - cached[1] >= _MINUTES_TTL:
        questions = list(current_questions(invitation.survey))
        by_role = {
            role: max(1, math.ceil(len(questions_for(questions, role)) * SECONDS_PER_QUESTION / 60))
            for role in ("mentor", "mentee")
        }
        cached = (by_role, time.monotonic())
        _MINUTES[invitation.survey_id] = cached
    return cached[0].get(invitation.enrollment.role, 1)


def invitation_email(invitation: SurveyInvitation, *, reminder: int) -> tuple[str, str]:
    survey = invitation.survey
    program = survey.program
    assert program is not None
    context = {
        "invitation": invitation,
        "survey": survey,
        "program": program,
        "person": invitation.enrollment.person,
        "wave": survey.get_wave_display(),
        "minutes": minutes_to_answer(invitation),
        "answer_url": links.answer_url(invitation, org_slug=invitation.organization.slug),
        "reminder": reminder,
    }
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    lead = "Reminder: " if reminder else ""
    subject = f"{prefix}{lead}{program.name}: {survey.get_wave_display().lower()} survey"
    return subject, render_to_string("surveys/waves/email_invitation.txt", context)


def _plan_follow_ups(invitation: SurveyInvitation, now: datetime) -> list[str]:
    """The reminders inside the window (none in the past) and the close, in one insert; returns
    their keys. They are new: an invitation is marked sent once (a failed send deletes them)."""
    rows = [
        Touchpoint(
            organization_id=invitation.organization_id,
            kind=REMINDER_KIND,
            idempotency_key=reminder_key(invitation, number),
            due_at=send_time(day, invitation.enrollment),
            payload={"invitation": invitation.pk, "number": number},
        )
        for number, day in enumerate(reminder_days(invitation), start=1)
    ]
    rows = [row for row in rows if row.due_at > now]
    rows.append(
        Touchpoint(
            organization_id=invitation.organization_id,
            kind=CLOSE_KIND,
            idempotency_key=close_key(invitation),
            due_at=close_time(invitation),
            payload={"invitation": invitation.pk},
        )
    )
    Touchpoint.objects.bulk_create(rows, ignore_conflicts=True)
    return [row.idempotency_key for row in rows]


@touchpoint_handler(INVITATION_KIND)
def send_invitation(touchpoint: Touchpoint) -> None:
    """Send one planned invitation: mark it sent and plan its reminders and close, then mail it."""
    invitation = _load(Q(touchpoint=touchpoint))
    if invitation is None or invitation.status != InvitationStatus.PLANNED:
        return  # re-planned, cancelled or answered since: nothing to send
    if invitation.enrollment.status != EnrollmentStatus.ACCEPTED:
        SurveyInvitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PLANNED).update(
            status=InvitationStatus.CANCELLED
        )
        return
    now = timezone.now()
    if local_today(invitation.enrollment, now) > invitation.closes_on:
        SurveyInvitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PLANNED).update(
            status=InvitationStatus.CLOSED
        )
        return
    with transaction.atomic():
        if not SurveyInvitation.objects.filter(
            pk=invitation.pk, status=InvitationStatus.PLANNED, touchpoint=touchpoint
        ).update(status=InvitationStatus.SENT, sent_at=now):
            return
        follow_ups = _plan_follow_ups(invitation, now)
    subject, body = invitation_email(invitation, reminder=0)
    try:
        send_mail(subject, body, None, [invitation.enrollment.person.email])
    except Exception:
        # Nothing went out: undo, so that the touchpoint's retry sends it.
        SurveyInvitation.objects.filter(pk=invitation.pk, status=InvitationStatus.SENT).update(
            status=InvitationStatus.PLANNED, sent_at=None
        )
        Touchpoint.objects.filter(
            idempotency_key__in=follow_ups, status=TouchpointStatus.PENDING
        ).delete()
        raise


def _payload_invitation(touchpoint: Touchpoint) -> int:
    invitation_id = touchpoint.payload.get("invitation")
    if not isinstance(invitation_id, int):
        raise ValueError(f"Bad survey touchpoint payload {touchpoint.payload!r}")
    return invitation_id


@touchpoint_handler(REMINDER_KIND)
def send_reminder(touchpoint: Touchpoint) -> None:
    """Remind once more about a sent, still unanswered and open invitation."""
    number = touchpoint.payload.get("number")
    if not isinstance(number, int):
        raise ValueError(f"Bad survey reminder payload {touchpoint.payload!r}")
    invitation = _load(Q(pk=_payload_invitation(touchpoint)))
    if invitation is None or invitation.status != InvitationStatus.SENT:
        return  # answered, closed or cancelled: no reminder
    if local_today(invitation.enrollment) > invitation.closes_on:
        return
    if not SurveyInvitation.objects.filter(
        pk=invitation.pk, status=InvitationStatus.SENT, reminders_sent__lt=number
    ).update(reminders_sent=number):
        return
    subject, body = invitation_email(invitation, reminder=number)
    try:
        send_mail(subject, body, None, [invitation.enrollment.person.email])
    except Exception:
        SurveyInvitation.objects.filter(pk=invitation.pk, reminders_sent=number).update(
            reminders_sent=number - 1
        )
        raise


@touchpoint_handler(CLOSE_KIND)
def close_invitation(touchpoint: Touchpoint) -> None:
    """The window is over: an invitation still unanswered is closed."""
    close_unanswered(SurveyInvitation.objects.filter(pk=_payload_invitation(touchpoint)))


def close_unanswered(invitations: QuerySet[SurveyInvitation]) -> int:
    """Close the open invitations among ``invitations`` whose window is over."""
    closed = 0
    for invitation in invitations.filter(
        status__in=(InvitationStatus.PLANNED, InvitationStatus.SENT)
    ).select_related("enrollment__person", "enrollment__program"):
        if local_today(invitation.enrollment) > invitation.closes_on:
            closed += SurveyInvitation.objects.filter(
                pk=invitation.pk, status__in=(InvitationStatus.PLANNED, InvitationStatus.SENT)
            ).update(status=InvitationStatus.CLOSED)
            cancel_touchpoints([invitation.touchpoint_id])
    return closed
