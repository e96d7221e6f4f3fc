"""Feedback's pages, one module: the pair page and its sections, check-ins, engagement and review."""

from django.urls import URLPattern, URLResolver, path

from feedback.actions import views as actions
from feedback.notices import views as notices
from feedback.pairs import lifecycle, notes_goals
from feedback.pairs import views as pairs
from feedback.sessions import views as sessions
from feedback.views import checkins, review

_ORG = "o/<slug:org_slug>/"
_PAIR = f"{_ORG}pairs/<id:pair_pk>/"
_PROGRAM = f"{_ORG}programs/<id:program_pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    # The pair page, a person's pairs, a program's pairs (staff).
    path(f"{_ORG}me/pairs/", pairs.my_pair_list, name="my_pair_list"),
    path(f"{_ORG}pairs/<id:pk>/", pairs.pair_detail, name="pair_detail"),
    path(f"{_ORG}pairs/<id:pk>/end/", pairs.pair_end, name="pair_end"),
    path(f"{_PROGRAM}pairs/", pairs.program_pair_list, name="program_pair_list"),
    path(f"{_PROGRAM}rematch/<id:enrollment_pk>/", pairs.program_rematch, name="program_rematch"),
    # Sessions.
    path(f"{_PAIR}sessions/", sessions.session_log, name="pair_session_log"),
    path(f"{_PAIR}sessions/<id:pk>/edit/", sessions.session_edit, name="pair_session_edit"),
    path(f"{_PAIR}sessions/<id:pk>/delete/", sessions.session_delete, name="pair_session_delete"),
    path(
        f"{_PAIR}sessions/<id:pk>/confirm/", sessions.session_confirm, name="pair_session_confirm"
    ),
    path(
        f"{_PAIR}sessions/<id:pk>/correct/", sessions.session_correct, name="pair_session_correct"
    ),
    path(f"{_PAIR}planned/", sessions.planned_session_create, name="pair_planned_session_create"),
    path(
        f"{_PAIR}planned/<id:pk>/move/",
        sessions.planned_session_move,
        name="pair_planned_session_move",
    ),
    path(
        f"{_PAIR}planned/<id:pk>/cancel/",
        sessions.planned_session_cancel,
        name="pair_planned_session_cancel",
    ),
    path(f"{_PAIR}sessions/invite.ics", sessions.session_invite, name="pair_session_invite"),
    # Notes and goals.
    path(f"{_PAIR}notes/", notes_goals.note_create, name="pair_note_create"),
    path(f"{_PAIR}notes/<id:pk>/edit/", notes_goals.note_edit, name="pair_note_edit"),
    path(f"{_PAIR}notes/<id:pk>/delete/", notes_goals.note_delete, name="pair_note_delete"),
    path(f"{_PAIR}goals/", notes_goals.goal_create, name="pair_goal_create"),
    path(f"{_PAIR}goals/<id:pk>/progress/", notes_goals.goal_progress, name="pair_goal_progress"),
    # The pair's life.
    path(f"{_PAIR}pause/", lifecycle.pair_pause, name="pair_pause"),
    path(f"{_PAIR}resume/", lifecycle.pair_resume, name="pair_resume"),
    path(f"{_PAIR}complete/", lifecycle.pair_complete, name="pair_complete"),
    path(f"{_PAIR}extend/", lifecycle.pair_extend, name="pair_extend"),
    path(f"{_PAIR}rematch/", lifecycle.pair_request_rematch, name="pair_request_rematch"),
    # Actions and success stories (feedback/actions/).
    path(f"{_PAIR}actions/new/", actions.action_create, name="pair_action_create"),
    path(f"{_PAIR}actions/<id:pk>/edit/", actions.action_edit, name="pair_action_edit"),
    path(f"{_PAIR}actions/<id:pk>/status/", actions.action_status, name="pair_action_status"),
    path(f"{_PAIR}actions/<id:pk>/share/", actions.action_share, name="pair_action_share"),
    path(f"{_PAIR}stories/", actions.story_create, name="pair_story_create"),
    path(f"{_PAIR}stories/<id:pk>/edit/", actions.story_edit, name="pair_story_edit"),
    path(f"{_PAIR}stories/<id:pk>/agree/", actions.story_agree, name="pair_story_agree"),
    path(f"{_PAIR}stories/<id:pk>/withdraw/", actions.story_withdraw, name="pair_story_withdraw"),
    path(f"{_ORG}me/actions/", actions.my_action_list, name="my_action_list"),
    path(f"{_PROGRAM}what-changed/", actions.program_what_changed, name="program_what_changed"),
    # Check-ins.
    path(f"{_ORG}me/check-ins/", checkins.my_check_in_list, name="my_check_in_list"),
    path(f"{_ORG}me/check-ins/<id:pk>/", checkins.my_check_in_answer, name="my_check_in_answer"),
    path(f"{_PROGRAM}check-ins/", checkins.program_check_in_list, name="program_check_in_list"),
    # The email's one-click links: outside /o/ because they work signed out (the token decides).
    path("check-ins/<slug:org_slug>/<str:token>/", checkins.check_in_link, name="check_in_link"),
    path(
        "check-ins/<slug:org_slug>/<str:token>/we-met/",
        checkins.check_in_link_we_met,
        name="check_in_link_we_met",
    ),
    # A person's email settings (feedback/notices/); unsubscribing from an email, signed out.
    path(
        "unsubscribe/<slug:org_slug>/<str:token>/",
        notices.mail_unsubscribe,
        name="mail_unsubscribe",
    ),
    path(f"{_ORG}me/emails/", notices.my_email_preferences, name="my_email_preferences"),
    # Engagement and the mid-program review.
    path(f"{_PROGRAM}engagement/", review.program_engagement, name="program_engagement"),
    path(f"{_PROGRAM}review/", review.program_review, name="program_review"),
    path(f"{_PROGRAM}review/pairs/<id:pair_pk>/", review.review_pair, name="review_pair"),
]
