"""The participants app's pages: the directory, imports, enrolment, and a participant's own programs."""

from django.urls import path

from participants.importing import views as importing
from participants.onboarding import views as onboarding
from participants.scim import views as scim
from participants.views import directory, enrollment, my_programs, registration

_PEOPLE = "o/<slug:org_slug>/people/"
_PROGRAM = "o/<slug:org_slug>/programs/<id:program_pk>/"
_MINE = "o/<slug:org_slug>/me/programs/<id:program_pk>/"

urlpatterns = [
    # Directory (admins and coordinators)
    path(_PEOPLE, directory.person_list, name="person_list"),
    path(f"{_PEOPLE}new/", directory.person_create, name="person_create"),
    path(f"{_PEOPLE}<id:pk>/", directory.person_detail, name="person_detail"),
    path(f"{_PEOPLE}<id:pk>/edit/", directory.person_edit, name="person_edit"),
    path(f"{_PEOPLE}<id:pk>/deactivate/", directory.person_deactivate, name="person_deactivate"),
    path(f"{_PEOPLE}<id:pk>/reactivate/", directory.person_reactivate, name="person_reactivate"),
    # Import people (admins)
    path(f"{_PEOPLE}provisioning/", scim.scim_settings, name="scim_settings"),
    path(
        f"{_PEOPLE}provisioning/<id:pk>/revoke/", scim.scim_token_revoke, name="scim_token_revoke"
    ),
    path(f"{_PEOPLE}imports/", importing.import_list, name="import_list"),
    path(f"{_PEOPLE}imports/template.csv", importing.import_template, name="import_template"),
    path(f"{_PEOPLE}imports/<id:pk>/", importing.import_detail, name="import_detail"),
    path(
        f"{_PEOPLE}imports/<id:pk>/problems.csv", importing.import_problems, name="import_problems"
    ),
    path(f"{_PEOPLE}imports/<id:pk>/check/", importing.import_validate, name="import_validate"),
    path(f"{_PEOPLE}imports/<id:pk>/commit/", importing.import_commit, name="import_commit"),
    # Invite people to a program by email, in bulk (admins and coordinators)
    path(f"{_PEOPLE}invite/", onboarding.people_invite, name="people_invite"),
    path(
        f"{_PEOPLE}invite/<id:pk>/",
        onboarding.invitation_batch_detail,
        name="invitation_batch_detail",
    ),
    # The program invitation's link (outside /o/: the person may not be a member yet)
    path(
        "join/<slug:org_slug>/<str:token>/",
        onboarding.program_invitation_open,
        name="program_invitation_open",
    ),
    # First time here: a person with no account sets a password from an emailed one-use link
    # (under accounts/: global routes, the link carries its organisation)
    path(
        "accounts/first-time/",
        onboarding.first_password_request,
        name="first_password_request",
    ),
    path(
        "accounts/first-time/<str:token>/",
        onboarding.first_password_set,
        name="first_password_set",
    ),
    # Enrolment (admins and coordinators)
    path(f"{_PROGRAM}enrollments/", enrollment.enrollment_manage, name="enrollment_manage"),
    path(
        f"{_PROGRAM}enrollments/open-invitations/",
        enrollment.enrollment_open_invitations,
        name="enrollment_open_invitations",
    ),
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
    # A participant's own programs
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
