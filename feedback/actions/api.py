"""The actions API: a pair's actions and success stories (``pairs/<pair_pk>/actions/``,
``pairs/<pair_pk>/stories/``), one's own actions (``me/actions/``) and a program's action summary
for its staff (``programs/<program_pk>/action-summary/``).

Same policy and use cases as the pages (``feedback.actions.access``): who may not see the pair gets
404; an action staff may not read (unshared) or a story they may not read (unpublished) does not
exist for them (404); a write by someone the policy refuses is 403 before the body is read; bad
values are 400 with the services' field messages.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.pagination import DefaultCursorPagination
from core.api.params import choice_param
from feedback.actions import selectors, use_cases
from feedback.actions.access import WRITE_ACTION, WRITE_STORY, ActionAccess, of_pair
from feedback.actions.serializers import (
    ActionCreateSerializer,
    ActionSerializer,
    ActionStatusSerializer,
    ActionSummarySerializer,
    ActionUpdateSerializer,
    StorySerializer,
    StoryWriteSerializer,
)
from feedback.api.relationships import NOT_FOUND, PAIR_PARAMETER, PairViewSet, request_user
from feedback.models import Action, ActionStatus, SuccessStory
from organizations.api.permissions import HasOrganizationRole, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import STAFF_ROLES
from programs.access import managed_program

SUMMARY_LISTED = 50


class ActionPagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("-created_at", "-id")  # type: ignore[assignment]


class _ActionsOfPair(PairViewSet):
    @property
    def actions_access(self) -> ActionAccess:
        return of_pair(self.access)


# --- Actions of a pair ---------------------------------------------------------------------------


@extend_schema(parameters=[PAIR_PARAMETER])
class ActionViewSet(_ActionsOfPair):
    """A pair's actions: what its executive (the mentee) commits to change. The pair's two people
    read them all; staff read only those shared with the organisation. The mentee writes them,
    moves their status and shares or unshares each."""

    ordering_fields = {
        "created": "created_at",
        "updated": "updated_at",
        "status": "status",
        "status_changed": "status_changed_at",
        "title": "title",
    }

    serializer_class = ActionSerializer
    pagination_class = ActionPagination

    def get_queryset(self) -> QuerySet[Action]:
        return self.actions_access.actions().select_related("topic", "pair")

    def _action(self) -> Action:
        return use_cases.visible_action(self.actions_access, int(self.kwargs["pk"]))

    def _body(self, action: Action, code: int = status.HTTP_200_OK) -> Response:
        fresh = use_cases.visible_action(self.actions_access, action.pk)
        return Response(ActionSerializer(fresh).data, status=code)

    @extend_schema(responses={200: ActionSerializer(many=True), 404: NOT_FOUND})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ActionSerializer(page, many=True).data)

    @extend_schema(responses={200: ActionSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(ActionSerializer(self._action()).data)

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Commit to an action (the pair's mentee), optionally from a session and on a topic."""
        access = self.actions_access
        access.permissions.require(WRITE_ACTION)  # before the body is read
        data = self._payload(ActionCreateSerializer)
        created = use_cases.create_action(
            access=access,
            actor=request_user(request),
            draft=use_cases.ActionDraft(
                title=data["title"],
                due_on=data["due_on"],
                session_id=data.get("session"),
                topic_id=data.get("topic"),
            ),
        )
        return self._body(created, status.HTTP_201_CREATED)

    def _update(self, *, partial: bool) -> Response:
        access = self.actions_access
        access.permissions.require(WRITE_ACTION)
        current = self._action()
        data = self._payload(ActionUpdateSerializer, partial=partial)
        updated = use_cases.update_action(
            access=access,
            actor=request_user(self.request),
            action=current,
            title=data.get("title", current.title),
            due_on=data.get("due_on", current.due_on) if partial else data["due_on"],
            topic_id=data.get("topic", current.topic_id) if partial else data.get("topic"),
            result=data.get("result", current.result) if partial else data["result"],
        )
        return self._body(updated)

    @extend_schema(request=ActionUpdateSerializer, responses={200: ActionSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Rewrite an action: what, by when, topic, result note (the session it came from stays)."""
        return self._update(partial=False)

    @extend_schema(request=ActionUpdateSerializer, responses={200: ActionSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)

    @extend_schema(request=ActionStatusSerializer, responses={200: ActionSerializer})
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def move(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Move the action: planned → in progress or dropped; in progress → implemented or
        dropped; implemented or dropped → in progress (re-opened). Optionally with the result."""
        access = self.actions_access
        access.permissions.require(WRITE_ACTION)
        current = self._action()
        data = self._payload(ActionStatusSerializer)
        moved = use_cases.move_action(
            access=access,
            actor=request_user(request),
            action=current,
            status=data["status"],
            result=data.get("result"),
        )
        return self._body(moved)

    def _share(self, shared: bool) -> Response:
        access = self.actions_access
        access.permissions.require(WRITE_ACTION)
        current = self._action()
        changed = use_cases.share_action(
            access=access, actor=request_user(self.request), action=current, shared=shared
        )
        return self._body(changed)

    @extend_schema(request=None, responses={200: ActionSerializer})
    @action(detail=True, methods=["post"])
    def share(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Share the action with the organisation: the program's staff read it from now on."""
        return self._share(True)

    @extend_schema(request=None, responses={200: ActionSerializer})
    @action(detail=True, methods=["post"])
    def unshare(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Revoke the sharing: the program's staff count the action but no longer read it."""
        return self._share(False)


# --- Success stories of a pair -------------------------------------------------------------------


class StoryPagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("-created_at", "-id")  # type: ignore[assignment]


@extend_schema(parameters=[PAIR_PARAMETER])
class StoryViewSet(_ActionsOfPair):
    """A pair's success stories: either member writes one and edits it while unpublished; each
    agrees separately; it is published while both agree; either withdraws. Staff read the
    published ones only."""

    ordering_fields = {
        "created": "created_at",
        "updated": "updated_at",
    }

    serializer_class = StorySerializer
    pagination_class = StoryPagination

    def get_queryset(self) -> QuerySet[SuccessStory]:
        return self.actions_access.stories()

    def _story(self) -> SuccessStory:
        return use_cases.visible_story(self.actions_access, int(self.kwargs["pk"]))

    def _body(self, story: SuccessStory, code: int = status.HTTP_200_OK) -> Response:
        return Response(StorySerializer(story).data, status=code)

    @extend_schema(responses={200: StorySerializer(many=True), 404: NOT_FOUND})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(StorySerializer(page, many=True).data)

    @extend_schema(responses={200: StorySerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._body(self._story())

    @extend_schema(request=StoryWriteSerializer, responses={201: StorySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        access = self.actions_access
        access.permissions.require(WRITE_STORY)
        data = self._payload(StoryWriteSerializer)
        story = use_cases.write_story(access=access, actor=request_user(request), text=data["text"])
        return self._body(story, status.HTTP_201_CREATED)

    def _update(self, *, partial: bool) -> Response:
        access = self.actions_access
        access.permissions.require(WRITE_STORY)
        story = self._story()
        data = self._payload(StoryWriteSerializer, partial=partial)
        edited = use_cases.edit_story(
            access=access,
            actor=request_user(self.request),
            story=story,
            text=data.get("text", story.text),
        )
        return self._body(edited)

    @extend_schema(request=StoryWriteSerializer, responses={200: StorySerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Rewrite an unpublished story: both agree again before it is published."""
        return self._update(partial=False)

    @extend_schema(request=StoryWriteSerializer, responses={200: StorySerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)

    @extend_schema(request=None, responses={200: StorySerializer})
    @action(detail=True, methods=["post"])
    def agree(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Agree to publish the story (published once both of the pair agreed)."""
        access = self.actions_access
        access.permissions.require(WRITE_STORY)
        story = use_cases.agree_story(
            access=access, actor=request_user(request), story=self._story()
        )
        return self._body(story)

    @extend_schema(request=None, responses={200: StorySerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Withdraw your agreement: the story is no longer published."""
        access = self.actions_access
        access.permissions.require(WRITE_STORY)
        story = use_cases.withdraw_story(
            access=access, actor=request_user(request), story=self._story()
        )
        return self._body(story)


# --- One's own actions ---------------------------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter(
            "status", str, enum=ActionStatus.values, description="Only actions in this status"
        ),
    ]
)
class MyActionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Action]):
    """The actions you own, across your pairs."""

    ordering_fields = {
        "created": "created_at",
        "updated": "updated_at",
        "status": "status",
        "status_changed": "status_changed_at",
        "title": "title",
    }

    serializer_class = ActionSerializer
    permission_classes = (HasOrganizationRole,)
    pagination_class = ActionPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Action]:
        queryset = selectors.my_actions(cast(User, self.request.user))
        wanted = choice_param(self.request, "status", ActionStatus.values)
        if wanted:
            queryset = queryset.filter(status=wanted)
        return queryset


# --- A program's summary (staff) -----------------------------------------------------------------


class ActionSummaryViewSet(viewsets.GenericViewSet[Any]):
    """What changed in a program: every action counted per status and topic; the text of shared
    implemented actions and of published stories (the program's staff only)."""

    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    serializer_class = ActionSummarySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("program_pk", str, OpenApiParameter.PATH, pattern=f"^{ID_REGEX}$")
        ],
        responses={200: ActionSummarySerializer, 404: NOT_FOUND},
    )
    def summary(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = request_membership(request)
        assert membership is not None
        program = managed_program(membership, int(self.kwargs["program_pk"]))
        counts = selectors.program_action_counts(program)
        shared = selectors.shared_actions(program)
        implemented = selectors.shared_implemented_actions(program)
        stories = selectors.published_stories(program)
        body = {
            "program": program.pk,
            "total": counts.total,
            "by_status": [
                {"status": value, "count": n} for value, _label, n in counts.status_rows()
            ],
            "by_topic": [
                {
                    "topic": topic.topic_id,
                    "name": topic.name,
                    "by_status": [
                        {"status": value, "count": n}
                        for value, n in zip(
                            ActionStatus.values, topic.in_status_order(), strict=True
                        )
                    ],
                    "total": topic.total,
                }
                for topic in counts.by_topic
            ],
            "shared_total": shared.count(),
            "shared_implemented_total": implemented.count(),
            "shared_implemented": list(implemented[:SUMMARY_LISTED]),
            "published_stories_total": stories.count(),
            "published_stories": list(stories[:SUMMARY_LISTED]),
        }
        return Response(ActionSummarySerializer(body).data)
