"""The staff page of a program survey's invitations: statuses with counts, paginated."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from core.pages import paginate
from organizations.http import OrgRequest
from surveys.models import InvitationStatus, Survey
from surveys.waves.use_cases import status_counts, survey_invitations


@require_GET
def survey_invitation_list(request: OrgRequest, org_slug: str, survey_pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("program"), pk=survey_pk)
    invitations = survey_invitations(request.user, survey)
    counts = status_counts(invitations)
    status_filter = request.GET.get("status", "")
    if status_filter in InvitationStatus.values:
        invitations = invitations.filter(status=status_filter)
    else:
        status_filter = ""
    context = {
        "survey": survey,
        "program": survey.program,
        "page": paginate(request, invitations),
        "counts": [(s.value, s.label, counts[s.value]) for s in InvitationStatus],
        "total": counts["total"],
        "status_filter": status_filter,
    }
    return render(request, "surveys/waves/invitations.html", context)
