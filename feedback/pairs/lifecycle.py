"""A pair's life from its page: pause, resume, complete, extend, ask for a re-match. Who may do
each is ``matching.access``; the views ask it before reading the form (a refused person gets 403
whatever they typed) and the services ask it again, whoever calls them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from feedback.pairs.answers import access_of, apply_error, member_of, pair_url
from feedback.pairs.forms import ExtendForm, PauseForm, RematchForm
from feedback.pairs.views import render_pair_page
from feedback.visibility import PairAccess
from matching import access as pair_policy
from matching import pairs as pair_services
from organizations.http import OrgRequest

# --- Lifecycle -----------------------------------------------------------------------------------


def _lifecycle_done(
    request: OrgRequest, org_slug: str, access: PairAccess, message: str
) -> HttpResponse:
    messages.success(request, message)
    return redirect(pair_url(access, org_slug, "lifecycle"))


def _refused(
    request: OrgRequest, org_slug: str, access: PairAccess, error: ValidationError
) -> HttpResponse:
    """A lifecycle step that no longer applies (the pair changed meanwhile): say why."""
    messages.error(request, " ".join(error.messages))
    return redirect(pair_url(access, org_slug, "lifecycle"))


def _lifecycle_form(
    request: OrgRequest,
    org_slug: str,
    access: PairAccess,
    form: Form,
    key: str,
    act: Any,
    message: str,
) -> HttpResponse:
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refused(request, org_slug, access, error)
            apply_error(form, error)
        else:
            return _lifecycle_done(request, org_slug, access, message)
    return render_pair_page(request, access.pair, life_forms={key: form}, status=400)


@require_POST
def pair_pause(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = access_of(request, pair_pk)
    access.access.require(pair_policy.PAUSE)

    def act(data: dict[str, Any]) -> None:
        pair_services.pair_pause(pair=access.pair, actor=request.user, resume_on=data["resume_on"])

    return _lifecycle_form(
        request,
        org_slug,
        access,
        PauseForm(request.POST),
        "pause_form",
        act,
        "The pair is paused. Check-ins wait until it resumes.",
    )


@require_POST
def pair_resume(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = access_of(request, pair_pk)
    access.access.require(pair_policy.RESUME)
    try:
        pair_services.pair_resume(pair=access.pair, actor=request.user)
    except ValidationError as error:
        return _refused(request, org_slug, access, error)
    return _lifecycle_done(request, org_slug, access, "The pair is active again.")


@require_POST
def pair_complete(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = access_of(request, pair_pk)
    access.access.require(pair_policy.COMPLETE)
    try:
        pair_services.pair_complete(pair=access.pair, actor=request.user)
    except ValidationError as error:
        return _refused(request, org_slug, access, error)
    return _lifecycle_done(request, org_slug, access, "The pair is completed. Well done!")


@require_POST
def pair_extend(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = access_of(request, pair_pk)
    access.access.require(pair_policy.EXTEND)

    def act(data: dict[str, Any]) -> None:
        pair_services.pair_extend(pair=access.pair, actor=request.user, ends_on=data["ends_on"])

    return _lifecycle_form(
        request,
        org_slug,
        access,
        ExtendForm(request.POST),
        "extend_form",
        act,
        "The pair's end date is extended.",
    )


@require_POST
def pair_request_rematch(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = access_of(request, pair_pk)
    access.access.require(pair_policy.REQUEST_REMATCH)
    by = member_of(access)

    def act(data: dict[str, Any]) -> None:
        pair_services.pair_request_rematch(
            pair=access.pair, by=by, actor=request.user, reason=data["reason"]
        )

    return _lifecycle_form(
        request,
        org_slug,
        access,
        RematchForm(request.POST),
        "rematch_form",
        act,
        "Your request went to the program's coordinators. They will be in touch.",
    )
