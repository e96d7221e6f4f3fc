"""Answering pages: from the email's signed link (works signed out, and signed in as anyone: the
link is the authority), the signed-in page, and "My surveys".

Opening a link only shows the page; answers are a POST, so mail scanners that pre-fetch links
change nothing. Every path calls ``submit_answers``, the one use case the API calls too.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.pages import paginate
from organizations.http import OrgRequest
from organizations.models import Organization
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug
from surveys.models import InvitationStatus, SurveyInvitation
from surveys.respond.forms import AnswerForm
from surveys.respond.use_cases import (
    answer_form,
    answer_problem,
    invitation_queryset,
    my_invitations,
    submit_answers,
)
from surveys.waves import links
from surveys.waves.planning import local_today


def _page(
    request: HttpRequest,
    invitation: SurveyInvitation,
    *,
    form: AnswerForm | None,
    action_url: str,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    problem = answer_problem(invitation)
    answered = invitation.status == InvitationStatus.ANSWERED
    context = {
        "invitation": invitation,
        "survey": invitation.survey,
        "program": invitation.survey.program,
        "problem": problem,
        "answered": answered,
        "thanks": answered and request.GET.get("thanks") == "1",
        "form": form if problem is None else None,
        "action_url": action_url,
        **(extra or {}),
    }
    if problem is not None and status == 200 and not answered:
        status = 410  # closed, cancelled or not open yet: nothing to answer here
    return render(request, "surveys/respond/answer.html", context, status=status)


def _submit(
    request: HttpRequest,
    invitation: SurveyInvitation,
    *,
    actor: User | None,
    action_url: str,
    extra: dict[str, Any],
) -> HttpResponse:
    """Handle a POSTed answer: a redirect to the thank-you state, or the page with the errors."""
    if answer_problem(invitation) is not None:
        # Already answered, closed or cancelled: say so (a second click is not an input error).
        return _page(request, invitation, form=None, action_url=action_url, extra=extra)
    try:
        submit_answers(invitation=invitation, actor=actor, data=request.POST)
    except ValidationError as error:
        form = answer_form(invitation, request.POST)
        form.is_valid()
        messages = (
            error.message_dict.get(NON_FIELD_ERRORS)
            if hasattr(error, "error_dict")
            else (error.messages)
        )
        if messages:
            form.add_error(None, messages)
        invitation.refresh_from_db()
        return _page(request, invitation, form=form, action_url=action_url, extra=extra, status=400)
    return redirect(f"{action_url}?thanks=1")


# --- The email link (outside /o/: it works signed out) --------------------------------------------


def _open_link(org_slug: str, token: str) -> tuple[Organization, links.InvitationLink]:
    """The organisation and link of a token; 404 for anything not signed by us for this
    organisation."""
    organization = organization_by_slug(org_slug)
    if organization is None:
        raise Http404("No such link.")
    try:
        link = links.read_token(token)
    except links.InvalidLinkError:
        raise Http404("No such link.") from None
    if link.organization_id != organization.pk:
        raise Http404("No such link.")
    return organization, link


@require_http_methods(["GET", "POST"])
def survey_link(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    organization, link = _open_link(org_slug, token)
    with tenant_scope(organization):
        invitation = (
            invitation_queryset()
            .filter(pk=link.invitation_id, enrollment_id=link.enrollment_id)
            .first()
        )
        if invitation is None:
            raise Http404("No such survey invitation.")
        if link.expired(local_today(invitation.enrollment)):
            return render(
                request, "surveys/respond/link_expired.html", {"link_org": organization}, status=410
            )
        person = invitation.enrollment.person
        user = request.user
        other = user.is_authenticated and person.user_id != user.pk
        extra = {"link_owner": person.full_name if other else None, "link_org": organization}
        action_url = reverse("survey_link", kwargs={"org_slug": org_slug, "token": token})
        if request.method == "POST":
            # The link answers for its person; the audit names them only when it is them signed in.
            actor = user if isinstance(user, User) and user.pk == person.user_id else None
            return _submit(request, invitation, actor=actor, action_url=action_url, extra=extra)
        return _page(
            request, invitation, form=answer_form(invitation), action_url=action_url, extra=extra
        )


# --- Signed-in pages ------------------------------------------------------------------------------


@require_GET
def my_survey_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    page = paginate(request, my_invitations(request.user))
    rows = [
        {"invitation": invitation, "problem": answer_problem(invitation)}
        for invitation in page.object_list
    ]
    return render(request, "surveys/respond/mine.html", {"page": page, "rows": rows})


@require_http_methods(["GET", "POST"])
def my_survey_answer(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    invitation = get_object_or_404(my_invitations(request.user), pk=pk)
    action_url = reverse("my_survey_answer", kwargs={"org_slug": org_slug, "pk": pk})
    if request.method == "POST":
        return _submit(request, invitation, actor=request.user, action_url=action_url, extra={})
    return _page(request, invitation, form=answer_form(invitation), action_url=action_url)
