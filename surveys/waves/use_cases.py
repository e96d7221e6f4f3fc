"""Reads of the waves feature for staff: a program survey's invitations and their statuses.

Staff see who was invited and each invitation's status ("answered"), never which answer is whose:
for an anonymous survey the invitation keeps no answer time either (``surveys.models``).
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from accounts.models import User
from feedback.models import TouchpointStatus
from surveys import access
from surveys.models import InvitationStatus, Survey, SurveyInvitation


def staff_survey(actor: User, survey: Survey) -> Survey:
    """``survey`` if ``actor`` runs its program (404 otherwise, also for templates: they have no
    invitations)."""
    if survey.program_id is None:
        raise Http404("No such survey.")
    access.require(actor, survey, access.VIEW)
    return survey


def survey_invitations(actor: User, survey: Survey) -> QuerySet[SurveyInvitation]:
    staff_survey(actor, survey)
    return (
        SurveyInvitation.objects.filter(survey=survey)
        .select_related("enrollment__person", "touchpoint")
        .order_by("enrollment__person__full_name", "id")
    )


def undelivered(invitations: QuerySet[SurveyInvitation]) -> QuerySet[SurveyInvitation]:
    """Invitations whose email may not have gone out: the send failed, or a worker was lost in
    the middle of it (the sweeper marks that touchpoint failed rather than send twice). Staff
    see them so they can check with the person; the invitation still lists under My surveys."""
    return invitations.filter(touchpoint__status=TouchpointStatus.FAILED)


def status_counts(invitations: QuerySet[SurveyInvitation]) -> dict[str, int]:
    """``{status: n}`` for every status (zeros included), and ``"total"``."""
    counts = {status.value: 0 for status in InvitationStatus}
    for row in invitations.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts
