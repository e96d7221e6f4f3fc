"""The staff page of a program survey's invitations: statuses with counts, paginated."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from core.pages import paginate
from core.params import choice_value
from organizations.http import OrgRequest
from surveys.models import InvitationStatus, Survey
from surveys.waves.use_cases import status_counts, survey_invitations, undelivered


@require_GET
def survey_invitation_list(request: OrgRequest, org_slug: str, survey_pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("program"), pk=survey_pk)
    invitations = survey_invitations(request.user, survey)
    counts = status_counts(invitations)
    failed_count = undelivered(invitations).count()
    status_filter = choice_value(request.GET, "status", InvitationStatus.values, default="") or ""
    if status_filter:
        invitations = invitations.filter(status=status_filter)
    failed_only = choice_value(request.GET, "delivery", ["failed"]) == "failed"
    if failed_only:
        invitations = undelivered(invitations)
    context = {
        "survey": survey,
        "program": survey.program,
        "page": paginate(request, invitations),
        "counts": [(s.value, s.label, counts[s.value]) for s in InvitationStatus],
        "total": counts["total"],
        "status_filter": status_filter,
        "failed_count": failed_count,
        "failed_only": failed_only,
    }
    return render(request, "surveys/waves/invitations.html", context)
