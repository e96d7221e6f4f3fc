"""Sending the waves: the touchpoint handlers of invitations, reminders and closes.

They run in the send task, inside the row's organisation scope; ``feedback.touchpoints.deliver_many``
claims a chunk's touchpoints before the handlers run, so a row acts at most once. Invitations and
reminders are batch handlers: one query loads a chunk's invitations, one transaction marks them sent
(and plans every reminder and close in one insert), then their emails go over one backend
connection. Marking comes *before* mailing: a worker lost after that leaves an open invitation the
person still finds under "My surveys", never a second email. Together with the unique (survey,
enrolment) constraint, that is exactly once per (wave, person).
"""

from __future__ import annotations

import logging
import math
import time
from datetime import datetime

import icalendar
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from feedback import ics
from feedback.models import Touchpoint, TouchpointStatus
from feedback.notices.preferences import wants
from feedback.touchpoints import Report, touchpoint_batch_handler, touchpoint_handler
from organizations import mail
from participants.models import EnrollmentStatus
from surveys.models import InvitationStatus, Survey, SurveyInvitation
from surveys.respond.forms import questions_for
from surveys.selectors import current_questions
from surveys.signals import survey_wave_closed
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

logger = logging.getLogger(__name__)

# About how long one question takes to answer, for the "it takes N minutes" line.
SECONDS_PER_QUESTION = 20


_RELATED = ("organization", "survey__program", "enrollment__person", "enrollment__program")


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


def survey_event(invitation: SurveyInvitation, *, org_slug: str) -> icalendar.Event:
    """The survey's last day to answer as an all-day event (one UID per invitation, the same in
    the email and in the person's calendar feed; the answer link stays out of calendars)."""
    survey = invitation.survey
    program = survey.program
    assert program is not None
    wave = survey.get_wave_display().lower()
    return ics.deadline_event(
        uid=f"survey-{org_slug}-{invitation.pk}@{ics.uid_domain()}",
        day=invitation.closes_on,
        summary=f"{program.name}: answer the {wave} survey",
        description=f"The {wave} survey of {program.name} can be answered until this day.",
    )


def invitation_email(invitation: SurveyInvitation, *, reminder: int) -> mail.Notification:
    survey = invitation.survey
    program = survey.program
    assert program is not None
    organization = invitation.organization
    context = {
        "invitation": invitation,
        "survey": survey,
        "program": program,
        "person": invitation.enrollment.person,
        "wave": survey.get_wave_display(),
        "minutes": minutes_to_answer(invitation),
        "answer_url": links.answer_url(invitation, org_slug=organization.slug),
        "reminder": reminder,
    }
    lead = "Reminder: " if reminder else ""
    subject = f"{lead}{program.name}: {survey.get_wave_display().lower()} survey"
    user_id = invitation.enrollment.person.user_id
    event = survey_event(invitation, org_slug=organization.slug)
    return mail.Notification(
        organization=organization,
        to=invitation.enrollment.person.email,
        subject=mail.prefixed(subject),
        text_template="surveys/waves/email_invitation.txt",
        context=context,
        attachments=(ics.deadline_attachment(event, filename="survey.ics"),),
        # The invitation is essential; its reminders may be turned off.
        unsubscribe=(
            mail.Unsubscribe(user_id=user_id, kind="survey_reminders")
            if reminder and user_id is not None
            else None
        ),
    )


def _plan_follow_ups(invitations: list[SurveyInvitation], now: datetime) -> dict[int, list[str]]:
    """Each invitation's reminders inside the window (none in the past) and its close, all in one
    insert; returns their keys per invitation. They are new: an invitation is marked sent once (a
    failed send deletes them)."""
    rows: list[Touchpoint] = []
    keys: dict[int, list[str]] = {}
    for invitation in invitations:
        own = [
            Touchpoint(
                organization_id=invitation.organization_id,
                kind=REMINDER_KIND,
                idempotency_key=reminder_key(invitation, number),
                due_at=send_time(day, invitation.enrollment),
                payload={"invitation": invitation.pk, "number": number},
            )
            for number, day in enumerate(reminder_days(invitation), start=1)
        ]
        own = [row for row in own if row.due_at > now]
        own.append(
            Touchpoint(
                organization_id=invitation.organization_id,
                kind=CLOSE_KIND,
                idempotency_key=close_key(invitation),
                due_at=close_time(invitation),
                payload={"invitation": invitation.pk},
            )
        )
        rows.extend(own)
        keys[invitation.pk] = [row.idempotency_key for row in own]
    Touchpoint.objects.bulk_create(rows, ignore_conflicts=True)
    return keys


def _send(connection: BaseEmailBackend, message: EmailMessage) -> None:
    """Hand one message to the open backend connection (raises when it was not accepted)."""
    connection.send_messages([message])


def _wanted(notification: mail.Notification) -> bool:
    """Reminders are non-essential: not sent once the person turned them off."""
    unsubscribe = notification.unsubscribe
    return unsubscribe is None or wants(unsubscribe.user_id, unsubscribe.kind)


def _mail(
    invitations: list[tuple[Touchpoint, SurveyInvitation]], *, reminder: int, report: Report
) -> list[tuple[Touchpoint, SurveyInvitation, Exception]]:
    """Render and send each invitation's email over one backend connection; report each sent row
    at once. Returns the ones whose email did not go out (nothing was handed over for them)."""
    failed: list[tuple[Touchpoint, SurveyInvitation, Exception]] = []
    if not invitations:
        return failed
    connection = mailers.default
    try:
        connection.open()
    except Exception as exc:
        return [(touchpoint, invitation, exc) for touchpoint, invitation in invitations]
    try:
        for touchpoint, invitation in invitations:
            try:
                notification = invitation_email(invitation, reminder=reminder)
                if _wanted(notification):
                    _send(connection, mail.build(notification))
            except Exception as exc:
                logger.exception("survey email for invitation %s not sent", invitation.pk)
                failed.append((touchpoint, invitation, exc))
            else:
                report(touchpoint, None)
    finally:
        connection.close()
    return failed


@touchpoint_batch_handler(INVITATION_KIND)
def send_invitations(touchpoints: list[Touchpoint], report: Report) -> None:
    """Send a chunk's planned invitations: mark them sent and plan their reminders and closes (one
    transaction for the chunk), then mail them over one connection. One whose email fails is put
    back as planned, its follow-ups deleted, and its touchpoint retried."""
    now = timezone.now()
    found = {
        invitation.touchpoint_id: invitation
        for invitation in SurveyInvitation.objects.filter(
            touchpoint__in=[touchpoint.pk for touchpoint in touchpoints]
        ).select_related(*_RELATED)
    }
    cancel, close, candidates, resend = [], [], [], []
    for touchpoint in touchpoints:
        invitation = found.get(touchpoint.pk)
        if (
            touchpoint.interrupted
            and invitation is not None
            and invitation.status == InvitationStatus.SENT
        ):
            # This touchpoint marked it sent, then its worker died before the email was handed
            # over: send it again (its follow-ups are planned already).
            resend.append((touchpoint, invitation))
        elif invitation is None or invitation.status != InvitationStatus.PLANNED:
            report(touchpoint, None)  # re-planned, cancelled or answered since: nothing to send
        elif invitation.enrollment.status != EnrollmentStatus.ACCEPTED:
            cancel.append(invitation.pk)
            report(touchpoint, None)
        elif local_today(invitation.enrollment, now) > invitation.closes_on:
            close.append(invitation.pk)
            report(touchpoint, None)
        else:
            candidates.append((touchpoint, invitation))
    if cancel or close:
        survey_of = {invitation.pk: invitation.survey_id for invitation in found.values()}
        ended: set[int] = set()
        with transaction.atomic():
            lock_surveys({survey_of[pk] for pk in cancel + close})
            for ids, status in (
                (cancel, InvitationStatus.CANCELLED),
                (close, InvitationStatus.CLOSED),
            ):
                if ids and SurveyInvitation.objects.filter(
                    pk__in=ids, status=InvitationStatus.PLANNED
                ).update(status=status):
                    ended.update(survey_of[pk] for pk in ids)
            # An invitation whose window passed before it went out ends its wave like a close.
            announce_waves_over(ended)
    with transaction.atomic():
        still = dict(
            SurveyInvitation.objects.select_for_update()
            .filter(
                pk__in=[invitation.pk for _, invitation in candidates],
                status=InvitationStatus.PLANNED,
            )
            .order_by("pk")
            .values_list("pk", "touchpoint_id")
        )
        sending = []
        for touchpoint, invitation in candidates:
            if still.get(invitation.pk) == touchpoint.pk:
                sending.append((touchpoint, invitation))
            else:
                report(touchpoint, None)  # changed while we looked: its own touchpoint sends it
        if sending:
            SurveyInvitation.objects.filter(pk__in=[i.pk for _, i in sending]).update(
                status=InvitationStatus.SENT, sent_at=now
            )
        follow_ups = _plan_follow_ups([invitation for _, invitation in sending], now)
    for touchpoint, _, exc in _mail(resend, reminder=0, report=report):
        report(touchpoint, exc)  # still marked sent: the retry sends it again the same way
    failed = _mail(sending, reminder=0, report=report)
    if failed:
        # Nothing went out for these: undo, so that each touchpoint's retry sends it.
        SurveyInvitation.objects.filter(
            pk__in=[invitation.pk for _, invitation, _ in failed], status=InvitationStatus.SENT
        ).update(status=InvitationStatus.PLANNED, sent_at=None)
        Touchpoint.objects.filter(
            idempotency_key__in=[k for _, i, _ in failed for k in follow_ups[i.pk]],
            status=TouchpointStatus.PENDING,
        ).delete()
        for touchpoint, _, exc in failed:
            report(touchpoint, exc)


def _payload_invitation(touchpoint: Touchpoint) -> int:
    invitation_id = touchpoint.payload.get("invitation")
    if not isinstance(invitation_id, int):
        raise ValueError(f"Bad survey touchpoint payload {touchpoint.payload!r}")
    return invitation_id


@touchpoint_batch_handler(REMINDER_KIND)
def send_reminders(touchpoints: list[Touchpoint], report: Report) -> None:
    """Remind once more about each sent, still unanswered and open invitation of the chunk (only
    the latest reminder when several of one invitation are due together)."""
    wanted: dict[int, tuple[Touchpoint, int]] = {}
    for touchpoint in sorted(touchpoints, key=lambda row: row.payload.get("number") or 0):
        number = touchpoint.payload.get("number")
        invitation_id = touchpoint.payload.get("invitation")
        if not isinstance(number, int) or not isinstance(invitation_id, int):
            report(touchpoint, ValueError(f"Bad survey reminder payload {touchpoint.payload!r}"))
            continue
        if invitation_id in wanted:
            report(wanted[invitation_id][0], None)  # superseded by a later reminder
        wanted[invitation_id] = (touchpoint, number)
    invitations = SurveyInvitation.objects.filter(pk__in=wanted).select_related(*_RELATED)
    found = {invitation.pk: invitation for invitation in invitations}
    due: dict[int, list[tuple[Touchpoint, SurveyInvitation]]] = {}
    resend: list[tuple[Touchpoint, SurveyInvitation]] = []
    for invitation_id, (touchpoint, number) in wanted.items():
        invitation = found.get(invitation_id)
        if (
            touchpoint.interrupted
            and invitation is not None
            and invitation.status == InvitationStatus.SENT
            and invitation.reminders_sent == number
        ):
            resend.append((touchpoint, invitation))  # marked, then its worker died mid-send
        elif (
            invitation is None
            or invitation.status != InvitationStatus.SENT
            or local_today(invitation.enrollment) > invitation.closes_on
        ):
            report(touchpoint, None)  # answered, closed or cancelled: no reminder
        else:
            due.setdefault(number, []).append((touchpoint, invitation))
    for touchpoint, invitation in resend:  # rare: one connection each
        for _, _, exc in _mail(
            [(touchpoint, invitation)], reminder=invitation.reminders_sent, report=report
        ):
            report(touchpoint, exc)
    for number, rows in due.items():
        with transaction.atomic():
            marked = set(
                SurveyInvitation.objects.select_for_update()
                .filter(
                    pk__in=[invitation.pk for _, invitation in rows],
                    status=InvitationStatus.SENT,
                    reminders_sent__lt=number,
                )
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            SurveyInvitation.objects.filter(pk__in=marked).update(reminders_sent=number)
        for touchpoint, invitation in rows:
            if invitation.pk not in marked:
                report(touchpoint, None)  # this reminder (or a later one) went out already
        sending = [
            (touchpoint, invitation) for touchpoint, invitation in rows if invitation.pk in marked
        ]
        failed = _mail(sending, reminder=number, report=report)
        if failed:
            SurveyInvitation.objects.filter(
                pk__in=[invitation.pk for _, invitation, _ in failed], reminders_sent=number
            ).update(reminders_sent=number - 1)
            for touchpoint, _, exc in failed:
                report(touchpoint, exc)


@touchpoint_handler(CLOSE_KIND)
def close_invitation(touchpoint: Touchpoint) -> None:
    """The window is over: an invitation still unanswered is closed."""
    close_unanswered(SurveyInvitation.objects.filter(pk=_payload_invitation(touchpoint)))


def close_unanswered(invitations: QuerySet[SurveyInvitation]) -> int:
    """Close the open invitations among ``invitations`` whose window is over. A survey (one wave
    of a program) left with no open invitation by this is over: ``survey_wave_closed``."""
    closed = 0
    touched: set[int] = set()
    with transaction.atomic():
        due = [
            invitation
            for invitation in invitations.filter(
                status__in=(InvitationStatus.PLANNED, InvitationStatus.SENT)
            ).select_related("enrollment__person", "enrollment__program")
            if local_today(invitation.enrollment) > invitation.closes_on
        ]
        lock_surveys({invitation.survey_id for invitation in due})
        for invitation in due:
            changed = SurveyInvitation.objects.filter(
                pk=invitation.pk, status__in=(InvitationStatus.PLANNED, InvitationStatus.SENT)
            ).update(status=InvitationStatus.CLOSED)
            cancel_touchpoints([invitation.touchpoint_id])
            closed += changed
            if changed:
                touched.add(invitation.survey_id)
        announce_waves_over(touched)
    return closed


def lock_surveys(survey_ids: set[int]) -> None:
    """Lock the surveys' rows (in id order) before touching their invitations: the order the
    planner (``planning.plan_survey``) takes them in, so the two never wait on each other."""
    if survey_ids:
        list(
            Survey.objects.select_for_update()
            .filter(pk__in=survey_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def announce_waves_over(survey_ids: set[int]) -> list[int]:
    """Send ``survey_wave_closed`` for each of ``survey_ids`` whose wave is over now (it has
    invitations, none planned or sent) and was not announced before; returns their ids. Called
    in the transaction that closed or cancelled invitations, after those writes.

    Exactly once per wave: the survey row is locked (``lock_surveys``, before the invitations
    were changed) before its invitations are counted, so two workers closing a wave's last two
    invitations at the same time take turns, and the second sees the first's closed one (read
    committed: each statement sees what committed before it);
    ``wave_closed_at`` is set with the signal, so a wave re-planned later is not announced twice.
    """
    announced: list[int] = []
    if not survey_ids:
        return announced
    open_statuses = (InvitationStatus.PLANNED, InvitationStatus.SENT)
    with transaction.atomic():
        for survey in (
            Survey.objects.select_for_update()
            .filter(pk__in=survey_ids, wave_closed_at__isnull=True)
            .order_by("pk")
        ):
            invitations = SurveyInvitation.objects.filter(survey_id=survey.pk)
            if not invitations.exists() or invitations.filter(status__in=open_statuses).exists():
                continue
            survey.wave_closed_at = timezone.now()
            survey.save(update_fields=["wave_closed_at"])
            survey_wave_closed.send(sender=Survey, survey=survey)
            announced.append(survey.pk)
    return announced
