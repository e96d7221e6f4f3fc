from django.urls import path

from feedback.views import checkins

_ORG = "o/<slug:org_slug>/"

urlpatterns = [
    path(f"{_ORG}me/check-ins/", checkins.my_check_in_list, name="my_check_in_list"),
    path(f"{_ORG}me/check-ins/<id:pk>/", checkins.my_check_in_answer, name="my_check_in_answer"),
    path(
        f"{_ORG}programs/<id:program_pk>/check-ins/",
        checkins.program_check_in_list,
        name="program_check_in_list",
    ),
    # The email's one-click links: outside /o/ because they work signed out (the token decides).
    path("check-ins/<slug:org_slug>/<str:token>/", checkins.check_in_link, name="check_in_link"),
    path(
        "check-ins/<slug:org_slug>/<str:token>/we-met/",
        checkins.check_in_link_we_met,
        name="check_in_link_we_met",
    ),
]
