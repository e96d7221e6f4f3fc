"""A participant's own programs: where they stand, what is expected, and what to do next."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from organizations.http import OrgRequest
from participants import enrollment as enrolment
from participants import hooks, participation, use_cases
from participants.forms.enrollment import ApplyForm, WithdrawForm
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus
from participants.next_step import enrollment_steps, participant_facts
from programs.models import Program, TrainingResource


@dataclass(frozen=True)
class Terms:
    program: str
    mentor: str
    mentee: str

    @classmethod
    def of(cls, program: Program) -> Terms:
        return cls(
            program=program.term("program", "program"),
            mentor=program.term("mentor", "mentor"),
            mentee=program.term("mentee", "mentee"),
        )


def expectations(enrollment: Enrollment, terms: Terms) -> list[str]:
    """What the program asks of this person, in the program's own words and rhythm."""
    program = enrollment.program
    if enrollment.role == EnrollmentRole.MENTOR:
        lines = [
            f"As a {terms.mentor}, you share your everyday know-how with a senior {terms.mentee} "
            "and help them see the organisation from where you stand.",
            "You guide the conversations: bring questions, examples and small exercises.",
        ]
    else:
        lines = [
            f"As a {terms.mentee}, you come to learn: listen, ask, try things between sessions, "
            f"and share the context your {terms.mentor} cannot see.",
            "You make time and protect it: sessions are not cancelled for routine meetings.",
        ]
    lines.append(
        f"Meet every {program.session_cadence_days} days and answer a short check-in every "
        f"{program.checkin_cadence_days} days."
    )
    lines.append("What is said in a session stays in the pair, as the charter describes.")
    if program.start_date and program.end_date:
        lines.append(
            f"The {terms.program} runs from {program.start_date:%-d %B %Y} to "
            f"{program.end_date:%-d %B %Y}."
        )
    return lines


def _mine(request: OrgRequest, program_pk: int) -> Enrollment:
    return use_cases.my_enrollment(actor=request.membership, program_id=program_pk)


def _detail(org_slug: str, program_pk: int) -> HttpResponse:
    return redirect("my_program_detail", org_slug=org_slug, program_pk=program_pk)


@require_GET
def my_program_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    # People an admin imported or added have no account link yet, so their invitations would not
    # show: link the directory entry with this (verified) sign-in email on the first visit.
    enrolment.person_link_user(user=request.user)
    return render(
        request,
        "participants/my_programs/list.html",
        {
            "enrollments": list(enrolment.my_enrollments(request.user)),
            "open_programs": list(enrolment.open_programs_for(request.user)),
            "apply_form": ApplyForm(),
        },
    )


@require_GET
def my_program_detail(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    enrollment = _mine(request, program_pk)
    terms = Terms.of(enrollment.program)
    above = {"pairs": [], **hooks.my_program_page.context(enrollment)}
    # "What happens next" is the participant rule of next_step.py, as on the home and pair page,
    # and the sections below show the same facts it read.
    facts = participant_facts([enrollment])[enrollment.pk]
    steps = enrollment_steps(enrollment, facts, paired=bool(above["pairs"]))
    training = facts.training
    return render(
        request,
        "participants/my_programs/detail.html",
        {
            **above,
            "steps": steps,
            "enrollment": enrollment,
            "program": enrollment.program,
            "terms": terms,
            "role_term": terms.mentor if enrollment.role == EnrollmentRole.MENTOR else terms.mentee,
            "expectations": expectations(enrollment, terms),
            "charter": facts.charter,
            "training": training,
            "required_training_left": participation.required_training_left(training),
            "completeness": facts.completeness,
            "is_open": enrollment.status in enrolment.OPEN_STATUSES,
            "withdraw_form": WithdrawForm(),
        },
    )


@require_POST
def my_program_apply(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    program = get_object_or_404(enrolment.open_programs_for(request.user), pk=program_pk)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether you apply as mentor or mentee.")
        return redirect("my_program_list", org_slug=org_slug)
    try:
        enrolment.enrollment_apply(
            program=program, user=request.user, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("my_program_list", org_slug=org_slug)
    messages.success(request, f"You applied to {program.name}. The program team will review it.")
    return _detail(org_slug, program.pk)


def _act(
    request: OrgRequest, org_slug: str, program_pk: int, done: str, action: str
) -> HttpResponse:
    enrollment = _mine(request, program_pk)
    try:
        if action == "accept":
            enrollment = use_cases.accept_invitation(
                actor=request.membership, enrollment_id=enrollment.pk
            )
        elif action == "decline":
            use_cases.decline_invitation(actor=request.membership, enrollment_id=enrollment.pk)
        else:
            use_cases.withdraw_enrollment(
                actor=request.membership,
                enrollment_id=enrollment.pk,
                reason=request.POST.get("reason", ""),
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if enrollment.status == EnrollmentStatus.WAITLISTED:
            done = (
                f"You accepted. Every mentor place is taken for now: you are number "
                f"{enrollment.waitlist_position} on the waitlist."
            )
        messages.success(request, done)
    return _detail(org_slug, program_pk)


@require_POST
def my_program_accept(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    return _act(request, org_slug, program_pk, "You accepted the invitation. Welcome!", "accept")


@require_POST
def my_program_decline(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    return _act(request, org_slug, program_pk, "You declined the invitation.", "decline")


@require_POST
def my_program_withdraw(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    return _act(request, org_slug, program_pk, "You have withdrawn from the program.", "withdraw")


@require_POST
def my_program_charter(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    enrollment = _mine(request, program_pk)
    try:
        acceptance = participation.charter_accept(enrollment=enrollment, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"You accepted version {acceptance.charter_version.version} of the charter."
        )
    return _detail(org_slug, program_pk)


@require_POST
def my_program_training(
    request: OrgRequest, org_slug: str, program_pk: int, resource_pk: int
) -> HttpResponse:
    """Mark a training resource done. With htmx only the training section comes back."""
    enrollment = _mine(request, program_pk)
    resource = get_object_or_404(
        TrainingResource.objects.filter(program_id=enrollment.program_id), pk=resource_pk
    )
    error_message = None
    try:
        participation.training_complete(
            enrollment=enrollment, resource=resource, actor=request.user
        )
    except ValidationError as error:
        error_message = " ".join(error.messages)
    if request.headers.get("HX-Request") == "true":
        training = participation.training_for(enrollment)
        return render(
            request,
            "participants/my_programs/detail.html#training-panel",
            {
                "enrollment": enrollment,
                "program": enrollment.program,
                "training": training,
                "required_training_left": participation.required_training_left(training),
                "training_error": error_message,
                "is_open": enrollment.status in enrolment.OPEN_STATUSES,
            },
            status=400 if error_message else 200,
        )
    if error_message:
        messages.error(request, error_message)
    else:
        messages.success(request, f"“{resource.title}” is marked as done.")
    return _detail(org_slug, program_pk)
