"""Registration form pages: admins and coordinators configure a program's questions; a
participant fills in their own registration."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import add_form_errors, require_role
from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES
from participants import registration, use_cases
from participants.forms.registration import WEEKDAYS, QuestionForm, RegistrationForm
from participants.models import EnrollmentRole, RegistrationQuestion
from programs.access import managed_program
from programs.models import Program, Topic

STAFF = STAFF_ROLES


def _question(program: Program, pk: int) -> RegistrationQuestion:
    return get_object_or_404(registration.question_list(program), pk=pk)


@require_http_methods(["GET", "POST"])
@require_role(*STAFF)
def question_list(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    """The program's custom questions in order, and a form to add one (POST)."""
    program = managed_program(request.membership, program_pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = registration.question_create(
                program=program, actor=request.user, data=form.to_input()
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, f"Question “{question.text}” was added.")
            return redirect("registration_question_list", org_slug=org_slug, program_pk=program.pk)
    return render(
        request,
        "participants/enrollment/questions.html",
        {"program": program, "form": form, "questions": registration.question_list(program)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@require_role(*STAFF)
def question_edit(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    program = managed_program(request.membership, program_pk)
    question = _question(program, pk)
    form = QuestionForm.for_question(question, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration.question_update(
                question=question, actor=request.user, data=form.to_input()
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "The question was saved.")
            return redirect("registration_question_list", org_slug=org_slug, program_pk=program.pk)
    return render(
        request,
        "participants/enrollment/question_edit.html",
        {"program": program, "question": question, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@require_role(*STAFF)
def question_delete(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    program = managed_program(request.membership, program_pk)
    question = _question(program, pk)
    registration.question_delete(question=question, actor=request.user)
    messages.success(request, f"Question “{question.text}” was removed.")
    return redirect("registration_question_list", org_slug=org_slug, program_pk=program.pk)


@require_POST
@require_role(*STAFF)
def question_move(request: OrgRequest, org_slug: str, program_pk: int, pk: int) -> HttpResponse:
    program = managed_program(request.membership, program_pk)
    question = _question(program, pk)
    try:
        registration.question_move(
            question=question, actor=request.user, direction=request.POST.get("direction", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("registration_question_list", org_slug=org_slug, program_pk=program.pk)


@require_http_methods(["GET", "POST"])
def my_registration(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    """The participant's own registration for one program."""
    enrollment = use_cases.my_enrollment(actor=request.membership, program_id=program_pk)
    program = enrollment.program
    is_mentor = enrollment.role == EnrollmentRole.MENTOR
    form = RegistrationForm(
        request.POST or None,
        topics=list(Topic.objects.filter(is_active=True).order_by("name", "id")),
        questions=registration.questions_for(program, enrollment.role),
        initial_input=registration.registration_initial(enrollment),
        is_mentor=is_mentor,
        max_mentees_allowed=program.max_mentees_per_mentor,
    )
    section_errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            registration.registration_save(
                enrollment=enrollment, actor=request.user, data=form.to_input()
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                form.add_error(None, error.messages)
            for key, field_messages in getattr(error, "message_dict", {}).items():
                if key in ("teach", "learn", "interests", "availability"):
                    section_errors[key] = field_messages
                else:
                    form.add_error(form.error_field(key), field_messages)
        else:
            messages.success(request, "Your registration was saved.")
            return redirect("my_program_detail", org_slug=org_slug, program_pk=program.pk)
    invalid = bool(form.errors or section_errors)
    return render(
        request,
        "participants/my_programs/registration.html",
        {
            "enrollment": enrollment,
            "program": program,
            "form": form,
            "section_errors": section_errors,
            "invalid": invalid,
            "is_mentor": is_mentor,
            "completeness": registration.profile_completeness(enrollment),
            "weekdays": WEEKDAYS,
            "max_windows": registration.MAX_WINDOWS,
        },
        status=400 if invalid else 200,
    )
