"""Enrolment management for admins and coordinators: who is in a program, invitations,
applications, withdrawals and the mentor waitlist."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import add_form_errors, paginate, require_role
from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES
from participants import enrollment as enrolment
from participants.forms_enrollment import InviteForm, WithdrawForm
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus
from programs.models import Program

STAFF = STAFF_ROLES
CANDIDATES_SHOWN = 50


def _program(request: OrgRequest, program_pk: int) -> Program:
    return get_object_or_404(enrolment.staff_programs(request.membership), pk=program_pk)


def _enrollment(request: OrgRequest, program: Program, pk: int) -> Enrollment:
    return get_object_or_404(enrolment.enrollment_list(program=program), pk=pk)


def _back(program: Program, org_slug: str) -> HttpResponse:
    return redirect("enrollment_manage", org_slug=org_slug, program_pk=program.pk)


def _count_rows(program: Program) -> list[tuple[str, list[int], int]]:
    counts = enrolment.enrollment_counts(program)
    return [
        (label, [counts[role][status] for status in EnrollmentStatus.values], counts[role]["total"])
        for role, label in (("mentor", "Mentors"), ("mentee", "Mentees"))
    ]


@require_http_methods(["GET", "POST"])
@require_role(*STAFF)
def enrollment_manage(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    """The program's enrolments by role and status, the waitlist, and the invite form (POST)."""
    program = _program(request, program_pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = enrolment.enrollment_invite(
                program=program,
                person_ids=form.cleaned_data["person_ids"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            names = ", ".join(e.person.full_name for e in invited)
            messages.success(
                request, f"Invited {len(invited)} as {form.cleaned_data['role']}: {names}."
            )
            return _back(program, org_slug)
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    enrollments = enrolment.enrollment_list(program=program).order_by(
        "role", "status", "person__full_name", "id"
    )
    if role in EnrollmentRole.values:
        enrollments = enrollments.filter(role=role)
    if status in EnrollmentStatus.values:
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
    }
    return render(
        request,
        "participants/enrollment/manage.html",
        context,
        status=400 if form.errors else 200,
    )


@require_POST
@require_role(*STAFF)
def enrollment_approve(
    request: OrgRequest, org_slug: str, program_pk: int, pk: int
) -> HttpResponse:
    program = _program(request, program_pk)
    enrollment = _enrollment(request, program, pk)
    try:
        enrollment = enrolment.enrollment_approve(enrollment=enrollment, actor=request.user)
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
    return _back(program, org_slug)


@require_POST
@require_role(*STAFF)
def enrollment_reject(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    program = _program(request, program_pk)
    enrollment = _enrollment(request, program, pk)
    try:
        enrolment.enrollment_reject(enrollment=enrollment, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The application of {enrollment.person.full_name} was rejected.")
    return _back(program, org_slug)


@require_POST
@require_role(*STAFF)
def enrollment_withdraw(
    request: OrgRequest, org_slug: str, program_pk: int, pk: int
) -> HttpResponse:
    program = _program(request, program_pk)
    enrollment = _enrollment(request, program, pk)
    reason = request.POST.get("reason", "")
    try:
        enrolment.enrollment_withdraw(enrollment=enrollment, actor=request.user, reason=reason)
    except ValidationError as error:
        messages.error(request, f"{enrollment.person.full_name}: {' '.join(error.messages)}")
    else:
        messages.success(request, f"{enrollment.person.full_name} was withdrawn.")
    return _back(program, org_slug)
