"""Check-in pages: answering from the email link (no sign-in needed), one's own check-ins, and a
program's check-ins for the staff who run it.

The email link's token is the authority: it acts on the one check-in it names, for the person it
was sent to, whoever (if anyone) is signed in. Opening a link only shows a page; every change is a
POST from a button, so mail scanners that pre-fetch links change nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.pages import add_form_errors, paginate, require_role
from core.params import bool_value, choice_value
from feedback import checkins, links
from feedback.models import CheckIn, CheckInStatus, SessionLog
from feedback.sessions.services import session_we_met
from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES, Organization
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug
from programs.access import managed_programs

STAFF = STAFF_ROLES
STATUS_FILTERS = (CheckInStatus.SENT, CheckInStatus.ANSWERED, CheckInStatus.PLANNED)


class CheckInForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How is it going?",
        choices=[(value, f"{value}: {label}") for value, label in checkins.RATING_LABELS.items()],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how it is going, from 1 (not well) to 5 (very well).",
            "invalid_choice": "Choose how it is going, from 1 (not well) to 5 (very well).",
        },
    )
    blockers = forms.CharField(
        label="Is anything blocking you?",
        required=False,
        max_length=checkins.BLOCKERS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional. Only the program team reads it.",
    )
    wants_contact = forms.BooleanField(
        label="I would like the program coordinator to contact me",
        required=False,
        help_text="Your partner never sees your answers or this request.",
    )


def _answer_from(form: CheckInForm) -> checkins.Answer:
    data = form.cleaned_data
    return checkins.clean_answer(
        rating=data["rating"], blockers=data["blockers"], wants_contact=data["wants_contact"]
    )


def _partner_name(check_in: CheckIn) -> str:
    pair = check_in.pair
    partner = pair.mentee if check_in.enrollment_id == pair.mentor_id else pair.mentor
    return partner.person.full_name


def _answer_page(
    request: HttpRequest,
    check_in: CheckIn,
    *,
    form: CheckInForm | None,
    action_url: str,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    problem = checkins.answer_problem(check_in)
    context = {
        "check_in": check_in,
        "program": check_in.pair.program,
        "partner_name": _partner_name(check_in),
        "closes_on": checkins.closes_on(check_in),
        "problem": problem,
        "answered": check_in.status == CheckInStatus.ANSWERED,
        # Read back after answering: the person sees what they sent (the program team's copy).
        "rating_label": checkins.RATING_LABELS.get(check_in.rating) if check_in.rating else "",
        "form": form if problem is None else None,
        "action_url": action_url,
        **checkins.actions_to_review(check_in, org_slug=check_in.organization.slug),
        **(extra or {}),
    }
    if problem is not None and status == 200 and check_in.status != CheckInStatus.ANSWERED:
        status = 410
    return render(request, "feedback/checkins/answer.html", context, status=status)


def _submit(
    request: HttpRequest, check_in: CheckIn, *, action_url: str, extra: dict[str, Any]
) -> HttpResponse | None:
    """Handle a POSTed answer: None on success (the caller redirects), else the page with errors."""
    if checkins.answer_problem(check_in) is not None:
        # Already answered, closed or cancelled: say so (a second click is not an input error).
        return _answer_page(request, check_in, form=None, action_url=action_url, extra=extra)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _answer_page(
            request, check_in, form=form, action_url=action_url, extra=extra, status=400
        )
    user, owner_id = request.user, check_in.enrollment.person.user_id
    try:
        checkins.check_in_answer(
            check_in=check_in,
            answer=_answer_from(form),
            # The audit names the person only when it is them signed in (a link opened in
            # someone else's session still answers for the link's owner, anonymously).
            actor=user if isinstance(user, User) and user.pk == owner_id else None,
        )
    except ValidationError as error:
        add_form_errors(form, error)
        check_in.refresh_from_db()
        return _answer_page(
            request, check_in, form=form, action_url=action_url, extra=extra, status=400
        )
    return None


# --- The email links (outside /o/: they work signed out) ------------------------------------------


def _link_check_in(organization: Organization, link: links.CheckInLink) -> CheckIn:
    check_in = (
        CheckIn.objects.filter(pk=link.check_in_id, enrollment_id=link.enrollment_id)
        .select_related(
            "pair__program", "pair__mentor__person", "pair__mentee__person", "enrollment__person"
        )
        .first()
    )
    if check_in is None:
        raise Http404("No such check-in.")
    return check_in


def _open_link(org_slug: str, token: str) -> tuple[Organization, links.CheckInLink, bool]:
    """The organisation and link of a token; 404 for anything not signed by us for this org."""
    organization = organization_by_slug(org_slug)
    if organization is None:
        raise Http404("No such link.")
    expired = False
    try:
        link = links.read_token(token)
    except links.InvalidLinkError:
        raise Http404("No such link.") from None
    except links.ExpiredLinkError as error:
        link, expired = error.link, True
    if link.organization_id != organization.pk:
        raise Http404("No such link.")
    return organization, link, expired


def _link_context(request: HttpRequest, organization: Organization, check_in: CheckIn) -> dict:
    """Tell a signed-in person when the link they opened is somebody else's."""
    person = check_in.enrollment.person
    user = request.user
    other = user.is_authenticated and person.user_id != user.pk
    return {"link_owner": person.full_name if other else None, "link_org": organization}


def _expired_page(request: HttpRequest, organization: Organization) -> HttpResponse:
    return render(
        request,
        "feedback/checkins/link_expired.html",
        {"link_org": organization},
        status=410,
    )


@require_http_methods(["GET", "POST"])
def check_in_link(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    organization, link, expired = _open_link(org_slug, token)
    with tenant_scope(organization):
        check_in = _link_check_in(organization, link)
        if expired:
            return _expired_page(request, organization)
        action_url = reverse("check_in_link", kwargs={"org_slug": org_slug, "token": token})
        extra = {
            **_link_context(request, organization, check_in),
            "we_met_url": reverse(
                "check_in_link_we_met", kwargs={"org_slug": org_slug, "token": token}
            ),
        }
        if request.method == "POST":
            failed = _submit(request, check_in, action_url=action_url, extra=extra)
            if failed is not None:
                return failed
            return redirect(action_url)
        return _answer_page(
            request, check_in, form=CheckInForm(), action_url=action_url, extra=extra
        )


@require_http_methods(["GET", "POST"])
def check_in_link_we_met(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """ "We met": one button that logs a draft session of the pair on the check-in's date."""
    organization, link, expired = _open_link(org_slug, token)
    with tenant_scope(organization):
        check_in = _link_check_in(organization, link)
        if expired:
            return _expired_page(request, organization)
        url = reverse("check_in_link_we_met", kwargs={"org_slug": org_slug, "token": token})
        context: dict[str, Any] = {
            "check_in": check_in,
            "program": check_in.pair.program,
            "partner_name": _partner_name(check_in),
            "action_url": url,
            "answer_url": reverse("check_in_link", kwargs={"org_slug": org_slug, "token": token}),
            "answered": check_in.status == CheckInStatus.ANSWERED,
            **_link_context(request, organization, check_in),
        }
        logged = SessionLog.objects.filter(pair=check_in.pair, held_on=check_in.due_on).exists()
        status = 200
        if check_in.status in (CheckInStatus.PLANNED, CheckInStatus.CANCELLED):
            context["problem"] = checkins.answer_problem(check_in)
            status = 410
        elif request.method == "POST" and not logged:
            try:
                session_we_met(pair=check_in.pair, by=check_in.enrollment, held_on=check_in.due_on)
            except ValidationError as error:
                context["problem"] = " ".join(error.messages)
                status = 400
            else:
                return redirect(url)
        context["logged"] = logged
        return render(request, "feedback/checkins/we_met.html", context, status=status)


# --- Signed-in pages ------------------------------------------------------------------------------


@require_GET
def my_check_in_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    page = paginate(request, checkins.my_check_ins(request.user))
    rows = [
        {
            "check_in": check_in,
            "partner_name": _partner_name(check_in),
            "problem": checkins.answer_problem(check_in),
            "closes_on": checkins.closes_on(check_in),
        }
        for check_in in page.object_list
    ]
    return render(request, "feedback/checkins/mine.html", {"page": page, "rows": rows})


@require_http_methods(["GET", "POST"])
def my_check_in_answer(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    check_in = checkins.my_check_in(request.user, pk)
    if check_in is None:
        raise Http404("No such check-in.")
    action_url = reverse("my_check_in_answer", kwargs={"org_slug": org_slug, "pk": pk})
    if request.method == "POST":
        failed = _submit(request, check_in, action_url=action_url, extra={})
        if failed is not None:
            return failed
        return redirect(action_url)
    return _answer_page(request, check_in, form=CheckInForm(), action_url=action_url)


@require_GET
@require_role(*STAFF)
def program_check_in_list(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    """A program's check-ins and their answers (staff see answers; partners never do)."""
    program = get_object_or_404(managed_programs(request.membership), pk=program_pk)
    shown = checkins.program_check_ins(program)
    status_filter = choice_value(request.GET, "status", STATUS_FILTERS, default="") or ""
    if status_filter:
        shown = shown.filter(status=status_filter)
    contact_only = bool_value(request.GET, "contact")
    if contact_only:
        shown = shown.filter(wants_contact=True)
    context = {
        "program": program,
        "page": paginate(request, shown),
        "status_filter": status_filter,
        "status_choices": [(s.value, s.label) for s in STATUS_FILTERS],
        "contact_only": contact_only,
    }
    return render(request, "feedback/checkins/program.html", context)
