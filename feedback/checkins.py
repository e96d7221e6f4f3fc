"""Check-ins: a short pulse asked of each pair member on the program's check-in cadence.

Planning (``plan_pair``, ``plan_program``) turns program and pair dates into ``CheckIn`` rows, each
with the ``Touchpoint`` that sends it (DESIGN.md §6). It is idempotent and is called again whenever
the dates or the pair's state change: missing future check-ins are created, planned ones that no
longer fit are cancelled, sent and answered ones are never touched.

Sending happens in the touchpoint handlers below, inside the send task's organisation scope. The
touchpoint claim (``feedback.touchpoints.deliver``) makes each row act at most once; the handler
then marks the check-in sent *before* mailing, so a worker lost mid-send leaves an open check-in
the person can still answer in the app (and the first reminder carries the link again), never a
second copy of the same email.

Who sees the answers is ``feedback.visibility``: the respondent and staff, never the partner.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core import rows
from core.timezones import time_zone_names
from feedback import ics, links, signals
from feedback.actions.selectors import open_actions
from feedback.engagement import pair_started_on, refresh_on_commit
from feedback.models import CheckIn, CheckInStatus, Touchpoint, TouchpointStatus
from feedback.notices.preferences import wants
from feedback.touchpoints import touchpoint_handler
from feedback.visibility import require_check_in_answer
from matching.models import OPEN_PAIR_STATUSES, Pair, PairStatus
from organizations import mail
from organizations.audit import log_action
from organizations.scope import require_organization_id
from participants.models import Enrollment, EnrollmentStatus, Person
from programs.lifecycle import program_today, program_zone
from programs.models import Program
from programs.selectors import program_contacts

logger = logging.getLogger(__name__)

CHECK_IN_KIND = "check_in"
REMINDER_KIND = "check_in_reminder"
# Check-ins go out at this local hour of the person (their time zone, else the program's).
SEND_HOUR = time(9, 0)
REMINDER_AFTER = timedelta(days=3)
MAX_REMINDERS = 2
# A check-in can be answered up to this many days after its date; later it counts as missed.
ANSWER_WINDOW_DAYS = 14
BLOCKERS_MAX_LENGTH = 2000
RATING_LABELS = {
    1: "Not well",
    2: "Could be better",
    3: "OK",
    4: "Well",
    5: "Very well",
}


# --- Dates --------------------------------------------------------------------------------------


def _zone(name: str | None) -> ZoneInfo | None:
    return ZoneInfo(name) if name and name in time_zone_names() else None


def send_time(due_on: date, enrollment: Enrollment) -> datetime:
    """When a check-in dated ``due_on`` is sent: SEND_HOUR where the person is."""
    zone = _zone(enrollment.person.time_zone) or program_zone(enrollment.program)
    return datetime.combine(due_on, SEND_HOUR, tzinfo=zone)


def closes_on(check_in: CheckIn) -> date:
    return check_in.due_on + timedelta(days=ANSWER_WINDOW_DAYS)


def pair_end_date(pair: Pair) -> date | None:
    return pair.ends_on or pair.program.end_date


def _pair_start(pair: Pair) -> date | None:
    """The day the pair's calendar counts from: its start as engagement reads it (one rule)."""
    if pair.program.start_date is None:
        return None
    return pair_started_on(pair, pair.program)


def schedule_dates(pair: Pair, *, today: date) -> list[date]:
    """Every check-in date of the pair as things stand (past ones included), per cadence.

    The first is one cadence after the later of the program start and the pair's activation; the
    last on or before the pair's end. A pending, completed or ended pair has none; a paused pair
    none from today to the end of its pause (all future ones while the pause has no end).
    """
    if pair.status not in (PairStatus.ACTIVE, PairStatus.PAUSED):
        return []
    program = pair.program
    start = _pair_start(pair)
    end = pair_end_date(pair)
    if start is None or end is None:
        return []
    cadence = timedelta(days=max(1, program.checkin_cadence_days))
    dates = []
    due = start + cadence
    while due <= end:
        dates.append(due)
        due += cadence
    if pair.status == PairStatus.PAUSED:
        resume = pair.paused_until
        dates = [d for d in dates if d < today or (resume is not None and d > resume)]
    return dates


# --- Planning -----------------------------------------------------------------------------------


def _check_in_key(pair: Pair, enrollment: Enrollment, due_on: date) -> str:
    return f"{CHECK_IN_KIND}:{pair.pk}:{enrollment.pk}:{due_on.isoformat()}"


def _reminder_key(check_in: CheckIn, number: int) -> str:
    return f"{REMINDER_KIND}:{check_in.pk}:{number}"


def _schedule_touchpoint(
    *, organization_id: int, kind: str, key: str, due_at: datetime, payload: dict[str, Any]
) -> Touchpoint:
    """Create the touchpoint of ``key``, or put a cancelled one back to pending at ``due_at``.

    Rows already queued, sending or done are left as they are (they are being or were sent).
    """
    touchpoint = Touchpoint.objects.filter(idempotency_key=key).first()
    if touchpoint is None:
        return Touchpoint.objects.create(
            organization_id=organization_id,
            kind=kind,
            idempotency_key=key,
            due_at=due_at,
            payload=payload,
        )
    _reschedule_touchpoint(touchpoint, due_at)
    return touchpoint


def _reschedule_touchpoint(touchpoint: Touchpoint, due_at: datetime) -> None:
    """Move a pending touchpoint to ``due_at``, or put a cancelled one back to pending there."""
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


def _cancel_touchpoints(ids: Iterable[int | None]) -> None:
    wanted = [i for i in ids if i is not None]
    if wanted:
        Touchpoint.objects.filter(pk__in=wanted, status=TouchpointStatus.PENDING).update(
            status=TouchpointStatus.CANCELLED, done_at=timezone.now()
        )


def plan_pair(pair: Pair, *, now: datetime | None = None) -> None:
    """Bring the pair's planned check-ins in line with its dates and state (idempotent).

    Creates the missing check-ins whose send time is still ahead, re-opens cancelled ones that fit
    again, cancels planned ones that no longer fit (ended, paused over them, dates moved) together
    with their touchpoints. Sent and answered check-ins are history and never change.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Pair.objects.select_for_update(of=("self",))
            .select_related("program", "mentor__person", "mentee__person")
            .get(pk=pair.pk)
        )
        today = program_today(locked.program, now)
        dates = set(schedule_dates(locked, today=today))
        people = [
            e for e in (locked.mentor, locked.mentee) if e.status != EnrollmentStatus.WITHDRAWN
        ]
        wanted = {(e.pk, d) for e in people for d in dates}
        existing = {
            (c.enrollment_id, c.due_on): c
            for c in CheckIn.objects.filter(pair=locked).select_related("touchpoint")
        }

        stale = [
            c
            for key, c in existing.items()
            if c.status == CheckInStatus.PLANNED and key not in wanted
        ]
        if stale:
            CheckIn.objects.filter(
                pk__in=[c.pk for c in stale], status=CheckInStatus.PLANNED
            ).update(status=CheckInStatus.CANCELLED)
            _cancel_touchpoints(c.touchpoint_id for c in stale)

        for enrollment in people:
            for due_on in sorted(dates):
                due_at = send_time(due_on, enrollment)
                check_in = existing.get((enrollment.pk, due_on))
                if check_in is not None and check_in.status in (
                    CheckInStatus.SENT,
                    CheckInStatus.ANSWERED,
                ):
                    continue
                if check_in is not None and check_in.status == CheckInStatus.PLANNED:
                    # Still fits: follow a changed time zone while it has not gone out. The
                    # touchpoint came with the check-in: no query per check-in on a re-plan.
                    if check_in.touchpoint is not None:
                        _reschedule_touchpoint(check_in.touchpoint, due_at)
                    continue
                if due_at <= now:
                    continue  # a date already past is not planned after the fact
                touchpoint = _schedule_touchpoint(
                    organization_id=locked.organization_id,
                    kind=CHECK_IN_KIND,
                    key=_check_in_key(locked, enrollment, due_on),
                    due_at=due_at,
                    payload=_check_in_payload(locked, enrollment, due_on),
                )
                if check_in is None:
                    CheckIn.objects.create(
                        organization_id=locked.organization_id,
                        pair=locked,
                        enrollment=enrollment,
                        due_on=due_on,
                        touchpoint=touchpoint,
                    )
                else:  # cancelled earlier, fits again
                    CheckIn.objects.filter(pk=check_in.pk, status=CheckInStatus.CANCELLED).update(
                        status=CheckInStatus.PLANNED, touchpoint=touchpoint
                    )


def _check_in_payload(pair: Pair, enrollment: Enrollment, due_on: date) -> dict[str, Any]:
    return {"pair": pair.pk, "enrollment": enrollment.pk, "due_on": due_on.isoformat()}


def plan_program(program: Program, *, now: datetime | None = None) -> None:
    """Re-plan every open pair of the program (after its dates or cadence changed)."""
    for pair in Pair.objects.filter(program=program, status__in=OPEN_PAIR_STATUSES).order_by("pk"):
        plan_pair(pair, now=now)


# --- Sending ------------------------------------------------------------------------------------


def _partner(check_in: CheckIn) -> Enrollment:
    pair = check_in.pair
    return pair.mentee if check_in.enrollment_id == pair.mentor_id else pair.mentor


def _load(check_in_filter: Q) -> CheckIn | None:
    return (
        CheckIn.objects.filter(check_in_filter)
        .select_related(
            "organization",
            "pair__program",
            "pair__mentor__person",
            "pair__mentee__person",
            "enrollment__person",
        )
        .first()
    )


def send_notification(notification: mail.Notification) -> None:
    """Hand one check-in email over (the integration test holds a send here)."""
    mail.send(notification)


def check_in_event(check_in: CheckIn, *, org_slug: str, url: str = "") -> icalendar.Event:
    """The check-in as an all-day event on the last day it can be answered (one UID per check-in,
    the same in a reminder and in the person's calendar feed)."""
    program = check_in.pair.program
    return ics.deadline_event(
        uid=f"check-in-{org_slug}-{check_in.pk}@{ics.uid_domain()}",
        day=closes_on(check_in),
        summary=f"Answer your {program.name} check-in",
        description=f"Your check-in for {program.name} can be answered until this day.",
        url=url,
    )


def _email(check_in: CheckIn, *, reminder: int) -> mail.Notification:
    organization = check_in.organization
    token = links.make_token(check_in)
    program = check_in.pair.program
    answer_url = links.answer_url(check_in, org_slug=organization.slug, token=token)
    context = {
        "check_in": check_in,
        "program": program,
        "person": check_in.enrollment.person,
        "partner": _partner(check_in).person,
        "closes_on": closes_on(check_in),
        "answer_url": answer_url,
        "we_met_url": links.we_met_url(check_in, org_slug=organization.slug, token=token),
        "reminder": reminder,
        # Reviewing one's open actions rides on the check-in cadence (the owner's own only).
        **actions_to_review(check_in, org_slug=organization.slug),
    }
    if reminder:
        subject = f"Reminder: how is your {program.name} pair going?"
    else:
        subject = f"How is your {program.name} pair going?"
    # The signed answer link stays out of the calendar: a calendar is often shared.
    event = check_in_event(check_in, org_slug=organization.slug)
    user_id = check_in.enrollment.person.user_id
    return mail.Notification(
        organization=organization,
        to=check_in.enrollment.person.email,
        subject=mail.prefixed(subject),
        text_template="feedback/checkins/email_check_in.txt",
        context=context,
        attachments=(ics.deadline_attachment(event, filename="check-in.ics"),),
        # The check-in itself is essential; its reminders may be turned off.
        unsubscribe=(
            mail.Unsubscribe(user_id=user_id, kind="check_in_reminders")
            if reminder and user_id is not None
            else None
        ),
    )


ACTIONS_LISTED = 5


def actions_to_review(check_in: CheckIn, *, org_slug: str) -> dict[str, Any]:
    """The check-in person's open actions in this pair (planned, in progress; due soonest first)
    and where to review them. Actions are their owner's: a mentor's check-in lists none."""
    listed = list(
        open_actions(check_in.enrollment).filter(pair_id=check_in.pair_id)[: ACTIONS_LISTED + 1]
    )
    path = reverse("my_action_list", kwargs={"org_slug": org_slug})
    return {
        "open_actions": listed[:ACTIONS_LISTED],
        "more_open_actions": len(listed) > ACTIONS_LISTED,
        "actions_url": settings.SITE_URL + path,
    }


def _pair_running(check_in: CheckIn) -> bool:
    return check_in.pair.status == PairStatus.ACTIVE


@touchpoint_handler(CHECK_IN_KIND)
def send_check_in(touchpoint: Touchpoint) -> None:
    """Send one planned check-in: mark it sent and plan its first reminder, then mail it."""
    check_in = _load(Q(touchpoint=touchpoint))
    if (
        check_in is not None
        and check_in.status == CheckInStatus.SENT
        and touchpoint.interrupted
        and _pair_running(check_in)
    ):
        # This touchpoint marked it sent, then its worker died before the email was handed over:
        # send it now (its reminder is already planned).
        send_notification(_email(check_in, reminder=0))
        return
    if check_in is None or check_in.status != CheckInStatus.PLANNED:
        return  # cancelled or re-planned since: nothing to send
    if not _pair_running(check_in):
        CheckIn.objects.filter(pk=check_in.pk, status=CheckInStatus.PLANNED).update(
            status=CheckInStatus.CANCELLED
        )
        return
    now = timezone.now()
    with transaction.atomic():
        if not CheckIn.objects.filter(pk=check_in.pk, status=CheckInStatus.PLANNED).update(
            status=CheckInStatus.SENT, sent_at=now
        ):
            return
        reminder = _schedule_touchpoint(
            organization_id=check_in.organization_id,
            kind=REMINDER_KIND,
            key=_reminder_key(check_in, 1),
            due_at=now + REMINDER_AFTER,
            payload={"check_in": check_in.pk, "number": 1},
        )
    notification = _email(check_in, reminder=0)
    try:
        send_notification(notification)
    except Exception:
        # Nothing went out: undo, so that the touchpoint's retry sends it.
        CheckIn.objects.filter(pk=check_in.pk, status=CheckInStatus.SENT).update(
            status=CheckInStatus.PLANNED, sent_at=None
        )
        _cancel_touchpoints([reminder.pk])
        raise


@touchpoint_handler(REMINDER_KIND)
def send_reminder(touchpoint: Touchpoint) -> None:
    """Remind once more about an unanswered, still open check-in (at most MAX_REMINDERS)."""
    number = touchpoint.payload.get("number")
    check_in_id = touchpoint.payload.get("check_in")
    if not isinstance(number, int) or not isinstance(check_in_id, int):
        raise ValueError(f"Bad reminder payload {touchpoint.payload!r}")
    check_in = _load(Q(pk=check_in_id))
    if check_in is None or check_in.status != CheckInStatus.SENT or not _pair_running(check_in):
        return  # answered, cancelled, or the pair stopped: no reminder
    if program_today(check_in.pair.program) > closes_on(check_in):
        return
    if not wants(check_in.enrollment.person.user_id, "check_in_reminders"):
        return  # they turned reminders off (feedback.notices.preferences); later ones neither
    if touchpoint.interrupted and check_in.reminders_sent == number:
        # Marked by this touchpoint before its worker died mid-send: send it now.
        send_notification(_email(check_in, reminder=number))
        return
    with transaction.atomic():
        if not CheckIn.objects.filter(
            pk=check_in.pk, status=CheckInStatus.SENT, reminders_sent=number - 1
        ).update(reminders_sent=number):
            return
        follow_up = None
        if number < MAX_REMINDERS:
            follow_up = _schedule_touchpoint(
                organization_id=check_in.organization_id,
                kind=REMINDER_KIND,
                key=_reminder_key(check_in, number + 1),
                due_at=timezone.now() + REMINDER_AFTER,
                payload={"check_in": check_in.pk, "number": number + 1},
            )
    notification = _email(check_in, reminder=number)
    try:
        send_notification(notification)
    except Exception:
        CheckIn.objects.filter(pk=check_in.pk, reminders_sent=number).update(
            reminders_sent=number - 1
        )
        _cancel_touchpoints([follow_up.pk if follow_up else None])
        raise


# --- Answering ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    rating: int
    blockers: str
    wants_contact: bool


def answer_problem(check_in: CheckIn, *, today: date | None = None) -> str | None:
    """Why this check-in cannot be answered now (None when it can)."""
    if check_in.status == CheckInStatus.ANSWERED:
        return "You have already answered this check-in. Thank you."
    if check_in.status == CheckInStatus.CANCELLED:
        return "This check-in was cancelled: the pair's schedule changed."
    if check_in.status == CheckInStatus.PLANNED:
        return f"This check-in opens on {check_in.due_on:%-d %B %Y}."
    today = today or program_today(check_in.pair.program)
    if today > closes_on(check_in):
        return f"This check-in closed on {closes_on(check_in):%-d %B %Y}."
    return None


def clean_answer(*, rating: Any, blockers: Any, wants_contact: Any) -> Answer:
    """Validate raw input into an Answer, or a ValidationError with one message per field."""
    errors: dict[str, str] = {}
    value: int | None = None
    if isinstance(rating, bool):
        rating = None
    if isinstance(rating, int):
        value = rating
    elif isinstance(rating, str) and rating.strip().isascii() and rating.strip().isdigit():
        value = int(rating.strip())
    if value is None or not 1 <= value <= 5:
        errors["rating"] = "Choose how it is going, from 1 (not well) to 5 (very well)."
    if blockers is None:
        blockers = ""
    if not isinstance(blockers, str):
        errors["blockers"] = "Write the blockers as text."
        blockers = ""
    blockers = blockers.strip()
    if len(blockers) > BLOCKERS_MAX_LENGTH:
        errors["blockers"] = (
            f"Keep it to {BLOCKERS_MAX_LENGTH} characters (it has {len(blockers)})."
        )
    if wants_contact is None:
        wants_contact = False
    if not isinstance(wants_contact, bool):
        errors["wants_contact"] = "Answer yes or no."
    if errors:
        raise ValidationError(errors)
    assert value is not None
    return Answer(rating=value, blockers=blockers, wants_contact=bool(wants_contact))


def check_in_answer(*, check_in: CheckIn, answer: Answer, actor: User | None) -> CheckIn:
    """Record the answer of the person the check-in was sent to (once). Staff are told when
    they asked to be contacted.

    ``actor`` is the signed-in person answering, refused unless the check-in is theirs
    (``feedback.visibility.check_in_access``); ``None`` when the signed link in their email
    answers for them (the link's token is the authority, see ``feedback.links``)."""
    if actor is not None:
        require_check_in_answer(check_in, actor)
    with transaction.atomic():
        locked = _lock_for_answer(check_in)
        problem = answer_problem(locked)
        if problem:
            raise ValidationError(problem)
        locked.rating = answer.rating
        locked.blockers = answer.blockers
        locked.wants_contact = answer.wants_contact
        locked.status = CheckInStatus.ANSWERED
        locked.answered_at = timezone.now()
        locked.save(update_fields=["rating", "blockers", "wants_contact", "status", "answered_at"])
        # Its reminders still waiting are cancelled (one statement).
        Touchpoint.objects.filter(
            kind=REMINDER_KIND,
            idempotency_key__in=[_reminder_key(locked, n) for n in range(1, MAX_REMINDERS + 1)],
            status=TouchpointStatus.PENDING,
        ).update(status=TouchpointStatus.CANCELLED, done_at=timezone.now())
        # The answers themselves stay out of the audit log (staff read them on the check-in).
        log_action(
            actor=actor,
            action="check_in.answer",
            target=locked,
            data={"pair": locked.pair_id, "enrollment": locked.enrollment_id},
        )
        if locked.wants_contact:
            messages = _contact_request_emails(locked)
            transaction.on_commit(lambda: _send_all(messages))
            signals.contact_requested.send(sender=CheckIn, check_in=locked)
        refresh_on_commit(locked.pair)
    return locked


def _lock_for_answer(check_in: CheckIn) -> CheckIn:
    """The check-in's row, locked and read again, with its pair, program and person: those the
    caller already loaded are reused (the page and the email link both load them), so the lock
    reads one table."""
    pair_field, enrollment_field = (
        CheckIn._meta.get_field("pair"),
        CheckIn._meta.get_field("enrollment"),
    )
    loaded = (
        pair_field.is_cached(check_in)
        and Pair._meta.get_field("program").is_cached(check_in.pair)
        and enrollment_field.is_cached(check_in)
        and Enrollment._meta.get_field("person").is_cached(check_in.enrollment)
    )
    if not loaded:
        return (
            CheckIn.objects.select_for_update(of=("self",))
            .select_related("pair__program", "enrollment__person")
            .get(pk=check_in.pk)
        )
    locked = CheckIn.objects.select_for_update(of=("self",)).get(pk=check_in.pk)
    # A check-in never changes pair or person; the ids are checked all the same.
    if locked.pair_id == check_in.pair_id:
        locked.pair = check_in.pair
    if locked.enrollment_id == check_in.enrollment_id:
        locked.enrollment = check_in.enrollment
    return locked


def _contact_request_emails(check_in: CheckIn) -> list[mail.Notification]:
    program = check_in.pair.program
    recipients = program_contacts(program=program)
    person = check_in.enrollment.person
    context = {
        "check_in": check_in,
        "person": person,
        "program": program,
        "requests_url": settings.SITE_URL
        + reverse("program_check_in_list", args=(program.organization.slug, program.pk))
        + "?contact=1",
    }
    return [
        mail.Notification(
            organization=program.organization,
            to=user.email,
            subject=mail.prefixed(f"{person.full_name} would like you to get in touch"),
            text_template="feedback/checkins/email_contact_request.txt",
            context=context,
        )
        for user in recipients
    ]


def _send_all(notifications: list[mail.Notification]) -> None:
    for notification in notifications:
        mail.send(notification)


# --- Reading ------------------------------------------------------------------------------------


def my_check_ins(user: User) -> QuerySet[CheckIn]:
    """The signed-in person's own check-ins that went out (never their partner's)."""
    return (
        CheckIn.objects.filter(enrollment__person__user=user)
        .exclude(status__in=(CheckInStatus.PLANNED, CheckInStatus.CANCELLED))
        .select_related("pair__program", "pair__mentor__person", "pair__mentee__person")
        .order_by("-due_on", "-id")
    )


@cache
def _my_check_in_sql() -> str:
    quote = connection.ops.quote_name
    models = (
        ("c", CheckIn),
        ("p", Pair),
        ("g", Program),
        ("r", Enrollment),
        ("rp", Person),
        ("e", Enrollment),
        ("ep", Person),
        ("o", Enrollment),
        ("op", Person),
    )
    table = {alias: quote(model._meta.db_table) for alias, model in models}
    return (
        f"SELECT {', '.join(rows.columns(alias, model) for alias, model in models)} "  # noqa: S608 (model names; values bound)
        f"FROM {table['c']} c JOIN {table['p']} p ON p.id = c.pair_id "
        f"JOIN {table['g']} g ON g.id = p.program_id "
        f"JOIN {table['r']} r ON r.id = p.mentor_id JOIN {table['rp']} rp ON rp.id = r.person_id "
        f"JOIN {table['e']} e ON e.id = p.mentee_id JOIN {table['ep']} ep ON ep.id = e.person_id "
        f"JOIN {table['o']} o ON o.id = c.enrollment_id JOIN {table['op']} op ON op.id = o.person_id "
        "WHERE c.organization_id = %s AND c.id = %s AND op.user_id = %s "
        "AND c.status NOT IN (%s, %s)"
    )


def my_check_in(user: User, pk: int) -> CheckIn | None:
    """One of :func:`my_check_ins` (the same rule: the person's own, sent or after) with its pair,
    program, both people and its own person loaded, in one statement written once per process:
    the check-in page and its answer open it on every request."""
    organization_id = require_organization_id()
    with connection.cursor() as cursor:
        cursor.execute(
            _my_check_in_sql(),
            [organization_id, pk, user.pk, CheckInStatus.PLANNED, CheckInStatus.CANCELLED],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    loaded: list[Any] = []
    at = 0
    for model in (
        CheckIn,
        Pair,
        Program,
        Enrollment,
        Person,
        Enrollment,
        Person,
        Enrollment,
        Person,
    ):
        loaded.append(rows.instance(model, row[at : at + rows.width(model)]))
        at += rows.width(model)
    check_in, pair, program, mentor, mentor_person, mentee, mentee_person, own, own_person = loaded
    mentor.person, mentee.person, own.person = mentor_person, mentee_person, own_person
    pair.program, pair.mentor, pair.mentee = program, mentor, mentee
    check_in.pair, check_in.enrollment = pair, own
    return check_in


def program_check_ins(program: Program) -> QuerySet[CheckIn]:
    """A program's check-ins with their answers, for the staff who run it."""
    return (
        CheckIn.objects.filter(pair__program=program)
        .exclude(status=CheckInStatus.CANCELLED)
        .select_related("enrollment__person", "pair__mentor__person", "pair__mentee__person")
        .order_by("-due_on", "enrollment__person__full_name", "id")
    )


def open_contact_requests() -> QuerySet[CheckIn]:
    """Answered check-ins that ask staff to get in touch and still stand: the person's latest
    answer in a pair that is still open (a later answer without the request withdraws it, as the
    engagement score reads it). Staff read them on the program's check-in page."""
    later_answer = CheckIn.objects.filter(
        pair=OuterRef("pair"),
        enrollment=OuterRef("enrollment"),
        status=CheckInStatus.ANSWERED,
        due_on__gt=OuterRef("due_on"),
    )
    return CheckIn.objects.filter(
        status=CheckInStatus.ANSWERED,
        wants_contact=True,
        pair__status__in=OPEN_PAIR_STATUSES,
    ).exclude(Exists(later_answer))
