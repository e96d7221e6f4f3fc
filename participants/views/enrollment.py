"""Enrolment management for admins and coordinators: who is in a program, invitations,
applications, withdrawals and the mentor waitlist.

Adapters over ``participants.use_cases``: the enrolment policy decides (a member gets 403, a
coordinator of other programs 404), the services validate.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import add_form_errors, paginate
from core.params import choice_value
from organizations.http import OrgRequest
from participants import enrollment as enrolment
from participants import use_cases
from participants.forms.enrollment import InviteForm, WithdrawForm
from participants.models import EnrollmentRole, EnrollmentStatus
from participants.onboarding import open_invitations
from programs.models import Program

CANDIDATES_SHOWN = 50


def _back(program_pk: int, org_slug: str) -> HttpResponse:
    return redirect("enrollment_manage", org_slug=org_slug, program_pk=program_pk)


def _count_rows(program: Program) -> list[tuple[str, list[int], int]]:
    counts = enrolment.enrollment_counts(program)
    return [
        (label, [counts[role][status] for status in EnrollmentStatus.values], counts[role]["total"])
        for role, label in (("mentor", "Mentors"), ("mentee", "Mentees"))
    ]


@require_http_methods(["GET", "POST"])
def enrollment_manage(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    """The program's enrolments by role and status, the waitlist, and the invite form (POST)."""
    program = use_cases.managed_enrollment_program(actor=request.membership, program_id=program_pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = use_cases.invite_people(
                actor=request.membership,
                program_id=program.pk,
                person_ids=form.cleaned_data["person_ids"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            names = ", ".join(e.person.full_name for e in invited)
            messages.success(
                request,
                f"Invited {len(invited)} as {form.cleaned_data['role']}: {names}. Each gets an "
                "email with a link to accept.",
            )
            return _back(program.pk, org_slug)
    role = choice_value(request.GET, "role", EnrollmentRole.values, default="") or ""
    status = choice_value(request.GET, "status", EnrollmentStatus.values, default="") or ""
    enrollments = enrolment.enrollment_list(program=program).order_by(
        "role", "status", "person__full_name", "id"
    )
    if role:
        enrollments = enrollments.filter(role=role)
    if status:
        enrollments = enrollments.filter(status=status)
    search = request.GET.get("q", "")[:100]
    context = {
        "program": program,
        "form": form,
        "withdraw_form": WithdrawForm(),
        "count_rows": _count_rows(program),
        "open_statuses": list(enrolment.OPEN_STATUSES),
        "mentor_places": enrolment.mentor_places(program),
        "waitlist": list(enrolment.waitlist(program)),
        "page": paginate(request, enrollments),
        "candidates": list(enrolment.invite_candidates(program, search)[:CANDIDATES_SHOWN]),
        "search": search,
        "role_filter": role,
        "status_filter": status,
        "roles": EnrollmentRole.choices,
        "statuses": EnrollmentStatus.choices,
        "can_invite": program.status in enrolment.INVITABLE_PROGRAM_STATUSES,
        "open_invitations": open_invitations.open_invitations(program).count(),
        "undecided_invitations": open_invitations.undecided_count(program),
        "can_decide": program.status in open_invitations.DECIDABLE,
    }
    return render(
        request,
        "participants/enrollment/manage.html",
        context,
        status=400 if form.errors else 200,
    )


@require_POST
def enrollment_approve(
    request: OrgRequest, org_slug: str, program_pk: int, pk: int
) -> HttpResponse:
    try:
        enrollment = use_cases.approve_application(
            actor=request.membership, enrollment_id=pk, program_id=program_pk
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if enrollment.status == EnrollmentStatus.WAITLISTED:
            messages.success(
                request,
                f"{enrollment.person.full_name} was approved and is number "
                f"{enrollment.waitlist_position} on the mentor waitlist.",
            )
        else:
            messages.success(request, f"{enrollment.person.full_name} was approved.")
    return _back(program_pk, org_slug)


@require_POST
def enrollment_reject(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    try:
        enrollment = use_cases.reject_application(
            actor=request.membership, enrollment_id=pk, program_id=program_pk
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The application of {enrollment.person.full_name} was rejected.")
    return _back(program_pk, org_slug)


@require_POST
def enrollment_withdraw(
    request: OrgRequest, org_slug: str, program_pk: int, pk: int
) -> HttpResponse:
    try:
        enrollment = use_cases.withdraw_enrollment(
            actor=request.membership,
            enrollment_id=pk,
            program_id=program_pk,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        enrollment = use_cases.show_enrollment(
            actor=request.membership, enrollment_id=pk, program_id=program_pk
        )
        messages.error(request, f"{enrollment.person.full_name}: {' '.join(error.messages)}")
    else:
        messages.success(request, f"{enrollment.person.full_name} was withdrawn.")
    return _back(program_pk, org_slug)


@require_POST
def enrollment_open_invitations(
    request: OrgRequest, org_slug: str, program_pk: int
) -> HttpResponse:
    """Close the program's open invitations, or keep them open through matching (a clear choice)."""
    try:
        decision = use_cases.decide_open_invitations(
            actor=request.membership, program_id=program_pk, decision=request.POST.get("decision")
        )
    except ValidationError as error:
        program = use_cases.managed_enrollment_program(
            actor=request.membership, program_id=program_pk
        )
        messages.error(request, " ".join(error.messages))
        return redirect("enrollment_manage", org_slug=org_slug, program_pk=program.pk)
    messages.success(request, decision)
    return _back(program_pk, org_slug)
