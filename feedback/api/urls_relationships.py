"""Relationship API routes, all under ``pairs/<pair_pk>/`` (``pairs/`` itself is matching.api's)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from feedback.api import relationships as views
from organizations.api.views import ID_REGEX

PAIR = rf"pairs/(?P<pair_pk>{ID_REGEX})"

router = SimpleRouter()
router.register(f"{PAIR}/sessions", views.SessionViewSet, basename="api-pair-session")
router.register(f"{PAIR}/notes", views.NoteViewSet, basename="api-pair-note")
router.register(f"{PAIR}/goals", views.GoalViewSet, basename="api-pair-goal")


def _pair_action(name: str, method: str, url_part: str | None = None) -> URLPattern:
    view = views.PairLifecycleViewSet.as_view({method: name})
    return path(f"pairs/<id:pk>/{url_part or name}/", view, name=f"api-pair-{url_part or name}")


urlpatterns: list[URLPattern | URLResolver] = [
    _pair_action("hours", "get"),
    _pair_action("pause", "post"),
    _pair_action("resume", "post"),
    _pair_action("extend", "post"),
    _pair_action("complete", "post"),
    _pair_action("request_rematch", "post", "request-rematch"),
    *router.urls,
]
