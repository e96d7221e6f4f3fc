"""Organisation pages under /o/<slug>/ (the middleware has entered the scope and found the membership)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import add_form_errors, paginate, require_role
from organizations import selectors, services
from organizations import tokens as tokens_use_cases
from organizations.forms import AllProgramsForm, ApiTokenForm, InvitationForm, RoleForm
from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES, Role
from organizations.scope import tenant_scope
from organizations.signup import INVITATION_SESSION_KEY


@require_role(*STAFF_ROLES)
def member_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    page = paginate(request, selectors.membership_list())
    return render(
        request, "organizations/member_list.html", {"page": page, "role_form": RoleForm()}
    )


@require_POST
@require_role(Role.ADMIN)
def member_role(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    membership = get_object_or_404(selectors.membership_list(), pk=pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                actor=request.user,
                membership=membership,
                role=form.cleaned_data["role"],
            )
            messages.success(
                request, f"{membership.user.email} is now {membership.get_role_display()}."
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Choose a valid role.")
    return redirect("member_list", org_slug=org_slug)


@require_POST
def member_programs(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    """Make a coordinator org-wide (every program) or not; the service asks the policy (admins)."""
    membership = get_object_or_404(selectors.membership_list(), pk=pk)
    form = AllProgramsForm(request.POST)
    form.is_valid()
    try:
        services.membership_set_all_programs(
            actor=request.user,
            membership=membership,
            all_programs=form.cleaned_data.get("all_programs", False),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("member_list", org_slug=org_slug)
    if membership.all_programs:
        messages.success(request, f"{membership.user.email} now coordinates every program.")
    else:
        messages.success(request, f"{membership.user.email} coordinates their assigned programs.")
    return redirect("member_list", org_slug=org_slug)


@require_POST
@require_role(Role.ADMIN)
def member_remove(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    membership = get_object_or_404(selectors.membership_list(), pk=pk)
    try:
        services.membership_remove(actor=request.user, membership=membership)
        messages.success(request, f"{membership.user.email} was removed from the organisation.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("member_list", org_slug=org_slug)


@require_http_methods(["GET", "POST"])
@require_role(Role.ADMIN)
def invitation_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The invite form and the sent invitations. With htmx, the form posts in place and only the
    panel (a Django template partial) comes back; without JavaScript it is a plain form + redirect."""
    is_htmx = request.headers.get("HX-Request") == "true"
    form = InvitationForm(request.POST or None)
    sent_to = None
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                organization=request.organization,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            if not is_htmx:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("invitation_list", org_slug=org_slug)
            sent_to, form = invitation.email, InvitationForm()
    page = paginate(request, selectors.invitation_list())
    template = "organizations/invitation_list.html"
    if is_htmx:
        template += "#invitations-panel"
    return render(
        request,
        template,
        {"form": form, "page": page, "sent_to": sent_to},
        status=400 if form.errors else 200,
    )


@require_POST
@require_role(Role.ADMIN)
def invitation_revoke(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    invitation = get_object_or_404(selectors.invitation_list(), pk=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
        messages.success(request, f"The invitation for {invitation.email} was revoked.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("invitation_list", org_slug=org_slug)


@require_POST
@require_role(Role.ADMIN)
def invitation_resend(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    invitation = get_object_or_404(selectors.invitation_list(), pk=pk)
    try:
        services.invitation_resend(
            organization=request.organization,
            actor=request.user,
            invitation=invitation,
        )
        messages.success(request, f"A new link was sent to {invitation.email}.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("invitation_list", org_slug=org_slug)


@require_role(Role.ADMIN)
def audit_log(request: OrgRequest, org_slug: str) -> HttpResponse:
    page = paginate(request, selectors.audit_entry_list(viewer=request.user), per_page=50)
    return render(request, "organizations/audit_log.html", {"page": page})


@require_http_methods(["GET", "POST"])
def api_tokens(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The person's own API tokens (staff only: ``organizations.access``)."""
    tokens = tokens_use_cases.list_tokens(actor=request.membership)
    time_zone = request.organization.time_zone
    form = ApiTokenForm(request.POST or None, time_zone=time_zone)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = tokens_use_cases.create_token(
                actor=request.membership,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            form = ApiTokenForm(time_zone=time_zone)
    status = 400 if form.errors else 200
    return render(
        request,
        "organizations/api_tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
        status=status,
    )


@require_POST
def api_token_revoke(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    token = tokens_use_cases.revoke_token(actor=request.membership, token_id=pk)
    messages.success(request, f"Token “{token.name}” was revoked.")
    return redirect("api_tokens", org_slug=org_slug)


# --- Invitation acceptance (outside /o/: the invitee is not a member yet) ---------------------------


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    organization = selectors.organization_by_slug(org_slug)
    if organization is None:
        raise Http404
    with tenant_scope(organization):
        invitation = services.invitation_for_token(token)
        problem = None
        if invitation is None or invitation.status in ("revoked",):
            problem = (
                "This invitation link is not valid. Ask the person who invited you for a new one."
            )
        elif invitation.status == "accepted":
            problem = "This invitation has already been used."
        elif invitation.status == "expired":
            problem = "This invitation has expired. Ask the person who invited you for a new one."
        if problem:
            request.session.pop(INVITATION_SESSION_KEY, None)
            return render(
                request,
                "organizations/invitation_accept.html",
                {"problem": problem, "invited_org": organization},
                status=404 if invitation is None else 410,
            )
        assert invitation is not None
        if not request.user.is_authenticated:
            # Remember the invitation: the account adapter opens sign-up for its address and
            # brings the person back here after sign-in / email confirmation.
            request.session[INVITATION_SESSION_KEY] = {
                "org": organization.slug,
                "token": token,
                "email": invitation.email.lower(),
            }
            return render(
                request,
                "organizations/invitation_accept.html",
                {"invitation": invitation, "invited_org": organization},
            )
        if invitation.email.lower() != request.user.email.lower():
            # Say so before offering a button that could only fail (the service refuses it too).
            return render(
                request,
                "organizations/invitation_accept.html",
                {
                    "problem": (
                        f"This invitation was sent to {invitation.email}. Sign out, then sign in "
                        "with that address to accept it."
                    ),
                    "invited_org": organization,
                },
                status=403,
            )
        if request.method == "POST":
            try:
                services.invitation_accept(token=token, user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("home")
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(request, f"Welcome to {organization.name}.")
            return redirect("organization_home", org_slug=organization.slug)
        return render(
            request,
            "organizations/invitation_accept.html",
            {"invitation": invitation, "invited_org": organization, "can_accept": True},
        )
