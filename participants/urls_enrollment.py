from django.urls import path

from participants.views import enrollment, my_programs, registration

_PROGRAM = "o/<slug:org_slug>/programs/<id:program_pk>/"
_MINE = "o/<slug:org_slug>/me/programs/<id:program_pk>/"

urlpatterns = [
    # Admins and coordinators
    path(f"{_PROGRAM}enrollments/", enrollment.enrollment_manage, name="enrollment_manage"),
    path(
        f"{_PROGRAM}enrollments/<id:pk>/approve/",
        enrollment.enrollment_approve,
        name="enrollment_approve",
    ),
    path(
        f"{_PROGRAM}enrollments/<id:pk>/reject/",
        enrollment.enrollment_reject,
        name="enrollment_reject",
    ),
    path(
        f"{_PROGRAM}enrollments/<id:pk>/withdraw/",
        enrollment.enrollment_withdraw,
        name="enrollment_withdraw",
    ),
    path(
        f"{_PROGRAM}registration-questions/",
        registration.question_list,
        name="registration_question_list",
    ),
    path(
        f"{_PROGRAM}registration-questions/<id:pk>/",
        registration.question_edit,
        name="registration_question_edit",
    ),
    path(
        f"{_PROGRAM}registration-questions/<id:pk>/delete/",
        registration.question_delete,
        name="registration_question_delete",
    ),
    path(
        f"{_PROGRAM}registration-questions/<id:pk>/move/",
        registration.question_move,
        name="registration_question_move",
    ),
    # Participants
    path("o/<slug:org_slug>/me/programs/", my_programs.my_program_list, name="my_program_list"),
    path(_MINE, my_programs.my_program_detail, name="my_program_detail"),
    path(f"{_MINE}apply/", my_programs.my_program_apply, name="my_program_apply"),
    path(f"{_MINE}accept/", my_programs.my_program_accept, name="my_program_accept"),
    path(f"{_MINE}decline/", my_programs.my_program_decline, name="my_program_decline"),
    path(f"{_MINE}withdraw/", my_programs.my_program_withdraw, name="my_program_withdraw"),
    path(f"{_MINE}charter/", my_programs.my_program_charter, name="my_program_charter"),
    path(
        f"{_MINE}training/<id:resource_pk>/",
        my_programs.my_program_training,
        name="my_program_training",
    ),
    path(f"{_MINE}registration/", registration.my_registration, name="my_registration"),
]
