"""Pages of the bulk invitation (staff) and of the invitation link (the invited person).

Adapters: parse, call ``use_cases`` / ``joining``, render. The staff pages are under
/o/<slug>/people/invite/; the link is under /join/<slug>/<token>/ (the person is not a member yet).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from core.pages import add_form_errors, paginate, require_role
from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug
from participants import directory
from participants.models import Person
from participants.onboarding import first_password, joining, selection, use_cases
from participants.onboarding.forms import (
    FilterForm,
    FirstPasswordForm,
    FirstPasswordRequestForm,
    InviteByEmailForm,
    JoinForm,
)
from programs.models import Program

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
FILTER_KEYS = ("search", "department", "title", "level_min", "level_max", "not_invited", "filtered")


def _program_choice(request: OrgRequest, programs: QuerySet[Program]) -> Program | None:
    raw = request.POST.get("program") if request.method == "POST" else request.GET.get("program")
    if raw in (None, ""):
        only = list(programs[:2])
        return only[0] if len(only) == 1 else None
    try:
        return programs.filter(pk=use_cases.parse_program_id(raw)).first()
    except ValidationError:
        return None


def _filter_data(data: QueryDict) -> dict[str, Any]:
    """The filter values of a query string or form: an unticked "not yet invited" box is off once
    the filter form was submitted (its hidden ``filtered`` marker says so)."""
    values: dict[str, Any] = {key: data.get(key, "") for key in FILTER_KEYS[:5]}
    if data.get("filtered"):
        values["not_invited"] = bool(data.get("not_invited"))
    return values


@require_http_methods(["GET", "POST"])
@require_role(*STAFF_ROLES)
def people_invite(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Choose people from the directory (filters, tick or select every match) and invite them to
    a program by email."""
    programs = use_cases.invitable_programs(actor=request.membership)
    program = _program_choice(request, programs)
    source = request.POST if request.method == "POST" else request.GET
    data = _filter_data(source)
    filter_errors = None
    try:
        filters = selection.clean_filters(data)
    except ValidationError as error:
        filter_errors, filters = error, selection.Filters()
    data["not_invited"] = filters.not_invited
    filter_form = FilterForm(
        {**data, "program": program.pk if program else ""},
        organization=request.organization,
        programs=programs,
        departments=directory.department_list(),
    )
    status = 200
    if filter_errors is not None:
        add_form_errors(filter_form, filter_errors)
        status = 400
    invite_form = InviteByEmailForm(request.POST or None)
    if request.method == "POST":
        if invite_form.is_valid():
            try:
                batch = use_cases.invite_by_email(
                    actor=request.membership,
                    program_id=request.POST.get("program"),
                    role=invite_form.cleaned_data["role"],
                    filters=data,
                    select_all=invite_form.cleaned_data["select_all"],
                    person_ids=invite_form.cleaned_data["person_ids"],
                    resend=invite_form.cleaned_data["resend"],
                )
            except ValidationError as error:
                add_form_errors(invite_form, error)
            else:
                return redirect("invitation_batch_detail", org_slug=org_slug, pk=batch.pk)
        status = 400
    page = None
    levels = dict(directory.level_scale(request.organization))
    rows: list[tuple[Person, str]] = []
    if program is not None:
        page = paginate(request, selection.people_matching(program, filters), per_page=25)
        rows = [(person, levels.get(person.level or 0, "")) for person in page.object_list]
    return render(
        request,
        "participants/onboarding/invite.html",
        {
            "programs": programs,
            "program": program,
            "filter_form": filter_form,
            "form": invite_form,
            "filters": filters,
            "filter_values": data,
            "page": page,
            "rows": rows,
            "ticked": set(getattr(invite_form, "cleaned_data", {}).get("person_ids", [])),
        },
        status=status,
    )


@require_GET
@require_role(*STAFF_ROLES)
def invitation_batch_detail(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    """A batch's progress (polled with htmx while it sends) and its result."""
    batch = use_cases.show_batch(actor=request.membership, batch_id=pk)
    template = "participants/onboarding/batch.html"
    is_htmx = request.headers.get("HX-Request") == "true"
    return render(
        request,
        f"{template}#batch-status" if is_htmx else template,
        {"batch": batch, "program": batch.program},
    )


# --- The invitation link (outside /o/: the person may not be a member yet) ------------------------


def _render_link(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "participants/onboarding/join.html", context, status=status)


@require_http_methods(["GET", "POST"])
def program_invitation_open(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    organization = organization_by_slug(org_slug)
    if organization is None:
        raise Http404
    with tenant_scope(organization):
        state = joining.open_link(token)
        base = {"invited_org": organization}
        if state.problem:
            return _render_link(request, {**base, "problem": state.problem}, state.status)
        enrollment = state.enrollment
        email = enrollment.person.email.lower()
        user = request.user if request.user.is_authenticated else None
        if user is not None and not joining.owns_address(user, email):
            problem = f"This invitation was sent to {email}. Sign out, then open the link again."
            return _render_link(request, {**base, "problem": problem}, 403)
        account = user or joining.account_for(email)
        if user is None and account is not None and joining.needs_password_sign_in(account):
            login_url = reverse("account_login") + "?" + urlencode({"next": request.path})
            return _render_link(
                request,
                {**base, "problem": "", "sign_in_first": login_url, "enrollment": enrollment},
            )
        charter = joining.charter_for(state.letter) if state.letter else None
        form = JoinForm(
            request.POST or None,
            new_account=account is None,
            charter=charter,
            initial={"full_name": enrollment.person.full_name},
        )
        context = {
            **base,
            "enrollment": enrollment,
            "program": enrollment.program,
            "email": email,
            "form": form,
            "charter": charter,
            "new_account": account is None,
            "signed_in": user is not None,
            "inviter": state.letter.batch.requested_by
            if state.letter and state.letter.batch
            else None,
        }
        if request.method == "GET":
            return _render_link(request, context)
        if request.POST.get("answer") == "decline":
            try:
                joining.decline_by_link(token=token)
            except ValidationError as error:
                return _render_link(request, {**base, "problem": " ".join(error.messages)}, 410)
            return _render_link(request, {**base, "declined": enrollment.program})
        if not form.is_valid():
            return _render_link(request, context, 400)
        try:
            person, accepted = joining.accept_by_link(
                organization=organization,
                token=token,
                signed_in=user,
                full_name=form.cleaned_data.get("full_name", ""),
                password=form.cleaned_data.get("password", ""),
                accept_charter=bool(form.cleaned_data.get("accept_charter")),
            )
        except ValidationError as error:
            add_form_errors(form, error)
            return _render_link(request, context, 400)
        if user is None:
            login(request, person, backend=BACKEND)
        if accepted.status == "waitlisted":
            messages.success(
                request,
                f"Welcome to {accepted.program.name}. Every mentor place is taken for now: you "
                f"are number {accepted.waitlist_position} on the waitlist.",
            )
        else:
            messages.success(request, f"Welcome to {accepted.program.name}!")
        return redirect(joining.next_step_url(organization, accepted))


# --- First time here: set a password from an emailed link (``first_password``) -------------------


def _first_password_page(
    request: HttpRequest, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, "participants/onboarding/first_password.html", context, status=status)


@require_http_methods(["GET", "POST"])
def first_password_request(request: HttpRequest) -> HttpResponse:
    """ "First time here?": the address, then (whatever it is) "check your email"."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    organization = first_password.organization_of(next_url)
    form = FirstPasswordRequestForm(request.POST or None, initial={"next": next_url})
    context: dict[str, Any] = {"form": form, "organization": organization}
    if request.method == "GET" or organization is None:
        return _first_password_page(request, context)
    if not form.is_valid():
        return _first_password_page(request, context, 400)
    email = form.cleaned_data["email"]
    first_password.request_link(organization=organization, email=email, next_url=next_url)
    return _first_password_page(request, {**context, "sent": email})


@require_http_methods(["GET", "POST"])
def first_password_set(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: a name and a password, then signed in on the page the first link named."""
    try:
        state = first_password.open_link(token)
    except ValidationError as error:
        return _first_password_page(request, {"problem": " ".join(error.messages)}, 410)
    form = FirstPasswordForm(request.POST or None, initial={"full_name": state.person.full_name})
    context = {"state": state, "form": form}
    if request.method == "GET":
        return _first_password_page(request, context)
    if not form.is_valid():
        return _first_password_page(request, context, 400)
    try:
        user, next_url = first_password.set_first_password(
            token=token,
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password"],
        )
    except ValidationError as error:
        add_form_errors(form, error)
        return _first_password_page(request, context, 400)
    login(request, user, backend=BACKEND)
    messages.success(request, f"Welcome to {state.organization.name}: your password is set.")
    return redirect(next_url)
