"""Builders for the answering tests (no tests here): an open invitation of a survey world."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from participants.models import Enrollment
from surveys.models import InvitationStatus, Survey, SurveyInvitation
from surveys.respond.use_cases import invitation_queryset
from tests.conftest import Tenant


def open_invitation(
    tenant: Tenant,
    survey: Survey,
    enrollment: Enrollment,
    *,
    status: str = InvitationStatus.SENT,
    days_left: int = 10,
) -> SurveyInvitation:
    today = timezone.localdate()
    with tenant.scope():
        created = SurveyInvitation.objects.create(
            organization=tenant.organization,
            survey=survey,
            enrollment=enrollment,
            opens_on=today - timedelta(days=2),
            closes_on=today + timedelta(days=days_left),
            status=status,
            sent_at=timezone.now(),
        )
        return invitation_queryset().get(pk=created.pk)
