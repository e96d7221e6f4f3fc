"""Feedback's API, one module: a pair's sessions, notes, goals, hours and life; check-ins;
engagement and review decisions. Everything of a pair hangs under ``pairs/<pair_pk>/``
(``pairs/`` itself is matching's)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from feedback.actions import api as actions
from feedback.api import checkins, review
from feedback.api import relationships as pairs
from feedback.notices.api import MyEmailPreferencesView
from feedback.sessions.api import SessionViewSet
from feedback.sessions.planned_api import PlannedSessionViewSet
from organizations.api.views import ID_REGEX

PAIR = rf"pairs/(?P<pair_pk>{ID_REGEX})"

router = SimpleRouter()
router.register(f"{PAIR}/sessions", SessionViewSet, basename="api-pair-session")
router.register(
    f"{PAIR}/planned-sessions", PlannedSessionViewSet, basename="api-pair-planned-session"
)
router.register(f"{PAIR}/notes", pairs.NoteViewSet, basename="api-pair-note")
router.register(f"{PAIR}/goals", pairs.GoalViewSet, basename="api-pair-goal")
# Actions and success stories (feedback/actions/).
router.register(f"{PAIR}/actions", actions.ActionViewSet, basename="api-pair-action")
router.register(f"{PAIR}/stories", actions.StoryViewSet, basename="api-pair-story")
router.register("me/actions", actions.MyActionViewSet, basename="api-my-action")
router.register("check-ins", checkins.CheckInViewSet, basename="api-check-in")
router.register("engagement", review.EngagementSnapshotViewSet, basename="api-engagement")
router.register("review-decisions", review.ReviewDecisionViewSet, basename="api-review-decision")


def _pair_action(name: str, method: str, url_part: str | None = None) -> URLPattern:
    view = pairs.PairLifecycleViewSet.as_view({method: name})
    return path(f"pairs/<id:pk>/{url_part or name}/", view, name=f"api-pair-{url_part or name}")


urlpatterns: list[URLPattern | URLResolver] = [
    _pair_action("hours", "get"),
    _pair_action("pause", "post"),
    _pair_action("resume", "post"),
    _pair_action("extend", "post"),
    _pair_action("complete", "post"),
    _pair_action("request_rematch", "post", "request-rematch"),
    path(
        "programs/<id:program_pk>/action-summary/",
        actions.ActionSummaryViewSet.as_view({"get": "summary"}),
        name="api-program-action-summary",
    ),
    path(
        "me/email-preferences/",
        MyEmailPreferencesView.as_view(),
        name="api-my-email-preferences",
    ),
    *router.urls,
]
