"""Planning the waves: one ``SurveyInvitation`` per (program survey, accepted enrolment), each with
the ``Touchpoint`` that sends it (DESIGN.md §6, like ``feedback.checkins.plan_pair``).

When a wave opens, for each person (dates in the person's time zone, else the program's):

======================  =================================================================
wave                    opens on
======================  =================================================================
pre                     the day the enrolment was accepted (today if accepted now); not
                        planned for people accepted more than ``PRE_GRACE_DAYS`` after the
                        program's start date (a "before" answer would no longer be one)
mid                     the program's mid-review date; only people in an open pair
                        (pending, active or paused) whose end is not before that date
post                    the program's end date
follow-up               the end date + ``FOLLOW_UP_DAYS``
======================  =================================================================

The email goes out at ``SEND_HOUR`` local time on the opening day; the invitation closes
``survey.open_days`` later. A wave whose opening day is already past but whose window is still open
opens today (a person who joined late, a survey added late); a window already over is not planned.
Only people whose role the survey's current version asks questions of are invited.

Re-planning is idempotent and runs whenever the inputs change (``surveys/waves/reactions.py``):
planned invitations whose dates moved get the new dates and a touchpoint for them, planned ones that
no longer apply are cancelled with their touchpoint, a cancelled one that applies again is planned
again, and sent, answered and closed invitations are history: never touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.timezones import time_zone_names
from feedback.models import Touchpoint, TouchpointStatus
from matching.models import OPEN_PAIR_STATUSES, Pair
from participants.models import Enrollment, EnrollmentStatus
from programs.lifecycle import program_zone
from programs.models import Program
from surveys.models import InvitationStatus, Survey, SurveyInvitation, Wave
from surveys.respond.forms import questions_for
from surveys.selectors import current_questions

INVITATION_KIND = "survey_invitation"
REMINDER_KIND = "survey_reminder"
CLOSE_KIND = "survey_close"
# Invitations go out at this local hour of the person (their time zone, else the program's).
SEND_HOUR = time(9, 0)
# A pre-program survey still makes sense in the program's first week, not later.
PRE_GRACE_DAYS = 7
FOLLOW_UP_DAYS = 90
MAX_REMINDERS = 2


# --- Dates --------------------------------------------------------------------------------------


def person_zone(enrollment: Enrollment) -> ZoneInfo:
    name = enrollment.person.time_zone
    if name and name in time_zone_names():
        return ZoneInfo(name)
    return program_zone(enrollment.program)


def local_today(enrollment: Enrollment, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(person_zone(enrollment)).date()


def send_time(day: date, enrollment: Enrollment) -> datetime:
    """When something dated ``day`` is sent to the person: SEND_HOUR where they are."""
    return datetime.combine(day, SEND_HOUR, tzinfo=person_zone(enrollment))


def close_time(invitation: SurveyInvitation) -> datetime:
    """The end of the closing day, where the person is."""
    day_after = invitation.closes_on + timedelta(days=1)
    return datetime.combine(day_after, time(0, 0), tzinfo=person_zone(invitation.enrollment))


def reminder_days(invitation: SurveyInvitation) -> list[date]:
    """Up to MAX_REMINDERS days inside the window: a third and two thirds of the way through."""
    span = (invitation.closes_on - invitation.opens_on).days
    days = []
    for number in range(1, MAX_REMINDERS + 1):
        offset = max(1, span * number // (MAX_REMINDERS + 1))
        day = invitation.opens_on + timedelta(days=offset)
        if day < invitation.closes_on and day not in days:
            days.append(day)
    return days


@dataclass(frozen=True)
class Window:
    opens_on: date
    closes_on: date


def wave_opening(
    survey: Survey, enrollment: Enrollment, *, today: date, in_open_pair: bool
) -> date | None:
    """The day ``survey``'s wave opens for ``enrollment`` by the table above (None: not asked)."""
    program = survey.program
    assert program is not None
    wave = survey.wave
    if wave == Wave.PRE:
        accepted_on = enrollment.status_changed_at.astimezone(person_zone(enrollment)).date()
        opens = max(accepted_on, today)
        if program.start_date is not None and opens > program.start_date + timedelta(
            days=PRE_GRACE_DAYS
        ):
            return None
        return opens
    if wave == Wave.MID:
        return program.mid_review_date if in_open_pair else None
    if wave == Wave.POST:
        return program.end_date
    if wave == Wave.FOLLOW_UP:
        if program.end_date is None:
            return None
        return program.end_date + timedelta(days=FOLLOW_UP_DAYS)
    return None


def wave_window(
    survey: Survey, enrollment: Enrollment, *, today: date, in_open_pair: bool
) -> Window | None:
    opens = wave_opening(survey, enrollment, today=today, in_open_pair=in_open_pair)
    if opens is None:
        return None
    closes = opens + timedelta(days=survey.open_days)
    if opens < today:
        if today >= closes:
            return None  # the window is over: not planned after the fact
        opens = today
    return Window(opens_on=opens, closes_on=closes)


def asked_roles(survey: Survey) -> set[str]:
    """The roles the survey's current version asks at least one question of."""
    questions = list(current_questions(survey))
    return {role for role in ("mentor", "mentee") if questions_for(questions, role)}


# --- Touchpoints ----------------------------------------------------------------------------------


def schedule_touchpoint(
    *, organization_id: int, kind: str, key: str, due_at: datetime, payload: dict[str, Any]
) -> Touchpoint:
    """The touchpoint of ``key`` at ``due_at``: created, moved while pending, or re-opened when
    cancelled. Rows queued, sending or done are left as they are (being or already sent)."""
    touchpoint = Touchpoint.objects.filter(idempotency_key=key).first()
    if touchpoint is None:
        return Touchpoint.objects.create(
            organization_id=organization_id,
            kind=kind,
            idempotency_key=key,
            due_at=due_at,
            payload=payload,
        )
    if touchpoint.status == TouchpointStatus.CANCELLED:
        Touchpoint.objects.filter(pk=touchpoint.pk, status=TouchpointStatus.CANCELLED).update(
            status=TouchpointStatus.PENDING,
            due_at=due_at,
            attempts=0,
            claimed_at=None,
            done_at=None,
            last_error="",
        )
    elif touchpoint.status == TouchpointStatus.PENDING and touchpoint.due_at != due_at:
        Touchpoint.objects.filter(pk=touchpoint.pk, status=TouchpointStatus.PENDING).update(
            due_at=due_at
        )
    return touchpoint


def cancel_touchpoints(ids: Iterable[int | None]) -> None:
    wanted = [i for i in ids if i is not None]
    if wanted:
        Touchpoint.objects.filter(pk__in=wanted, status=TouchpointStatus.PENDING).update(
            status=TouchpointStatus.CANCELLED, done_at=timezone.now()
        )


def invitation_key(invitation: SurveyInvitation, opens_on: date) -> str:
    # The opening day is in the key: moved dates get a touchpoint of their own, and one that was
    # already claimed when its invitation was cancelled never blocks the new date.
    return f"{INVITATION_KIND}:{invitation.pk}:{opens_on.isoformat()}"


def reminder_key(invitation: SurveyInvitation, number: int) -> str:
    return f"{REMINDER_KIND}:{invitation.pk}:{number}"


def close_key(invitation: SurveyInvitation) -> str:
    return f"{CLOSE_KIND}:{invitation.pk}"


def follow_up_keys(invitation: SurveyInvitation) -> list[str]:
    """The keys of the reminders and the close of a sent invitation."""
    return [reminder_key(invitation, n) for n in range(1, MAX_REMINDERS + 1)] + [
        close_key(invitation)
    ]


# --- Planning -------------------------------------------------------------------------------------


def _in_open_pair(program: Program, enrollment_ids: list[int], on: date | None) -> set[int]:
    """Enrolments in a pair that is open and has not ended before ``on``."""
    if on is None:
        return set()
    pairs = Pair.objects.filter(program=program, status__in=OPEN_PAIR_STATUSES).filter(
        Q(mentor_id__in=enrollment_ids) | Q(mentee_id__in=enrollment_ids)
    )
    pairs = pairs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    found: set[int] = set()
    for mentor_id, mentee_id in pairs.values_list("mentor_id", "mentee_id"):
        found |= {mentor_id, mentee_id}
    return found


def _point_at(invitation: SurveyInvitation, window: Window) -> None:
    """Give a planned (or re-planned) invitation ``window`` and the touchpoint that sends it."""
    touchpoint = schedule_touchpoint(
        organization_id=invitation.organization_id,
        kind=INVITATION_KIND,
        key=invitation_key(invitation, window.opens_on),
        due_at=send_time(window.opens_on, invitation.enrollment),
        payload={"invitation": invitation.pk},
    )
    if invitation.touchpoint_id not in (None, touchpoint.pk):
        cancel_touchpoints([invitation.touchpoint_id])
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        opens_on=window.opens_on,
        closes_on=window.closes_on,
        status=InvitationStatus.PLANNED,
        touchpoint=touchpoint,
    )


def plan_survey(
    survey: Survey,
    *,
    enrollment_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> None:
    """Bring the survey's planned invitations in line with its program, its questions and the
    enrolments (all of the program's, or only ``enrollment_ids``). Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        # One re-plan of a survey at a time: concurrent ones would both create the same rows.
        locked = (
            Survey.objects.select_for_update(of=("self",))
            .select_related("program")
            .get(pk=survey.pk)
        )
        program = locked.program
        if program is None:
            return
        roles = asked_roles(locked) if locked.is_active else set()
        people = Enrollment.objects.filter(program=program).select_related("person", "program")
        existing_q = SurveyInvitation.objects.filter(survey=locked)
        if enrollment_ids is not None:
            wanted_ids = list(enrollment_ids)
            people = people.filter(pk__in=wanted_ids)
            existing_q = existing_q.filter(enrollment_id__in=wanted_ids)
        existing = {
            inv.enrollment_id: inv
            for inv in existing_q.select_related("enrollment__person", "enrollment__program")
        }
        candidates = list(
            people.filter(Q(status=EnrollmentStatus.ACCEPTED) | Q(pk__in=list(existing))).order_by(
                "pk"
            )
        )
        paired: set[int] = set()
        if locked.wave == Wave.MID:
            paired = _in_open_pair(program, [e.pk for e in candidates], program.mid_review_date)
        for enrollment in candidates:
            enrollment.program = program
            window = None
            if enrollment.status == EnrollmentStatus.ACCEPTED and enrollment.role in roles:
                window = wave_window(
                    locked,
                    enrollment,
                    today=local_today(enrollment, now),
                    in_open_pair=enrollment.pk in paired,
                )
            invitation = existing.get(enrollment.pk)
            if invitation is not None:
                invitation.enrollment = enrollment
                _replan(invitation, window)
            elif window is not None:
                created = SurveyInvitation.objects.create(
                    organization_id=locked.organization_id,
                    survey=locked,
                    enrollment=enrollment,
                    opens_on=window.opens_on,
                    closes_on=window.closes_on,
                )
                created.enrollment = enrollment
                _point_at(created, window)


def _replan(invitation: SurveyInvitation, window: Window | None) -> None:
    status = invitation.status
    if status not in (InvitationStatus.PLANNED, InvitationStatus.CANCELLED):
        return  # sent, answered or closed: history
    if window is None:
        if status == InvitationStatus.PLANNED:
            SurveyInvitation.objects.filter(
                pk=invitation.pk, status=InvitationStatus.PLANNED
            ).update(status=InvitationStatus.CANCELLED)
            cancel_touchpoints([invitation.touchpoint_id])
        return
    same_dates = (invitation.opens_on, invitation.closes_on) == (
        window.opens_on,
        window.closes_on,
    )
    if status == InvitationStatus.PLANNED and same_dates and invitation.touchpoint_id:
        # Still fits: follow a changed time zone while it has not gone out.
        Touchpoint.objects.filter(
            pk=invitation.touchpoint_id, status=TouchpointStatus.PENDING
        ).update(due_at=send_time(window.opens_on, invitation.enrollment))
        return
    _point_at(invitation, window)


def plan_program(program: Program, *, now: datetime | None = None) -> None:
    """Re-plan every survey of the program (its dates or time zone changed)."""
    for survey in Survey.objects.filter(program=program).order_by("pk"):
        plan_survey(survey, now=now)


def plan_enrollments(
    program: Program, enrollment_ids: Iterable[int], *, now: datetime | None = None
) -> None:
    """Re-plan these enrolments in every survey of the program (accepted, withdrawn, paired)."""
    ids = list(enrollment_ids)
    for survey in Survey.objects.filter(program=program).order_by("pk"):
        plan_survey(survey, enrollment_ids=ids, now=now)
