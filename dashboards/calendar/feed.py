"""What a person's private calendar feed holds: their upcoming planned sessions, their open
check-ins and their open surveys (each deadline as an all-day event), in the current organisation
only (the caller's tenant scope; row-level security beneath it)."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from django.utils import timezone

from feedback import ics
from feedback.checkins import check_in_event, closes_on
from feedback.models import CheckIn, CheckInStatus, PlannedSession, PlannedSessionStatus
from organizations.models import Organization
from surveys.models import InvitationStatus, SurveyInvitation
from surveys.waves.sending import survey_event

# A feed stays small: what is ahead, and a little of what just passed (a calendar drops the rest).
PAST_DAYS = 7
MAX_EVENTS = 200


def feed_events(*, organization: Organization, user_id: int) -> list[icalendar.Event]:
    since = timezone.localdate() - timedelta(days=PAST_DAYS)
    events: list[icalendar.Event] = []
    mine_as_mentor = PlannedSession.objects.filter(pair__mentor__person__user_id=user_id)
    mine_as_mentee = PlannedSession.objects.filter(pair__mentee__person__user_id=user_id)
    sessions = (
        (mine_as_mentor | mine_as_mentee)
        .filter(status=PlannedSessionStatus.PLANNED, starts_on__gte=since)
        .select_related(
            "organization",
            "pair__program",
            "pair__mentor__person",
            "pair__mentee__person",
            "planned_by__person",
        )
        .order_by("starts_on", "id")[:MAX_EVENTS]
    )
    events += [ics.session_event(session) for session in sessions]
    check_ins = (
        CheckIn.objects.filter(enrollment__person__user_id=user_id, status=CheckInStatus.SENT)
        .select_related("pair__program")
        .order_by("due_on", "id")[:MAX_EVENTS]
    )
    events += [
        check_in_event(check_in, org_slug=organization.slug)
        for check_in in check_ins
        if closes_on(check_in) >= since
    ]
    invitations = (
        SurveyInvitation.objects.filter(
            enrollment__person__user_id=user_id,
            status=InvitationStatus.SENT,
            closes_on__gte=since,
        )
        .select_related("survey__program")
        .order_by("closes_on", "id")[:MAX_EVENTS]
    )
    events += [survey_event(invitation, org_slug=organization.slug) for invitation in invitations]
    return events


def feed_body(*, organization: Organization, user_id: int) -> bytes:
    return ics.feed(
        feed_events(organization=organization, user_id=user_id),
        name=f"{organization.name} · Flipside",
    )
