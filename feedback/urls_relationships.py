"""The pair page's actions (the page itself is ``pair_detail`` in ``matching.urls_pairs``)."""

from django.urls import URLPattern, URLResolver, path

from feedback.views import relationships as views

_PAIR = "o/<slug:org_slug>/pairs/<id:pair_pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{_PAIR}sessions/", views.session_log, name="pair_session_log"),
    path(f"{_PAIR}sessions/<id:pk>/edit/", views.session_edit, name="pair_session_edit"),
    path(f"{_PAIR}sessions/<id:pk>/delete/", views.session_delete, name="pair_session_delete"),
    path(f"{_PAIR}sessions/<id:pk>/confirm/", views.session_confirm, name="pair_session_confirm"),
    path(f"{_PAIR}sessions/<id:pk>/correct/", views.session_correct, name="pair_session_correct"),
    path(f"{_PAIR}sessions/invite.ics", views.session_invite, name="pair_session_invite"),
    path(f"{_PAIR}notes/", views.note_create, name="pair_note_create"),
    path(f"{_PAIR}notes/<id:pk>/edit/", views.note_edit, name="pair_note_edit"),
    path(f"{_PAIR}notes/<id:pk>/delete/", views.note_delete, name="pair_note_delete"),
    path(f"{_PAIR}goals/", views.goal_create, name="pair_goal_create"),
    path(f"{_PAIR}goals/<id:pk>/progress/", views.goal_progress, name="pair_goal_progress"),
    path(f"{_PAIR}pause/", views.pair_pause, name="pair_pause"),
    path(f"{_PAIR}resume/", views.pair_resume, name="pair_resume"),
    path(f"{_PAIR}complete/", views.pair_complete, name="pair_complete"),
    path(f"{_PAIR}extend/", views.pair_extend, name="pair_extend"),
    path(f"{_PAIR}rematch/", views.pair_request_rematch, name="pair_request_rematch"),
]
