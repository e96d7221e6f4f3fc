"""Relationship API: a pair's sessions, notes and goals, its hours, and its lifecycle actions.

Everything hangs under ``pairs/<pair_pk>/`` and starts with ``feedback.visibility.pair_access``:
whoever may not see the pair (another member, another organisation) gets 404 for every route.
Among those who see it, the policy decides the body (staff never receive the pair's text: the
serializer is chosen from the access, not blanked) and who may write:

- sessions, notes and goals are written by the pair's two people only (staff: 403);
- notes are the pair's own: staff who see the pair get 403 on the list, and a note is edited or
  deleted by its author alone (anyone else cannot address it: 404);
- pause, resume and complete: the pair's people or its staff; extend: staff; re-match requests:
  the pair's people.

Services raise Django ``ValidationError`` for their rules; the API's exception handler turns them
into 400s with the same field messages as the pages.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.pagination import DefaultCursorPagination
from feedback import goals, notes
from feedback.api.serializers_relationships import (
    GoalFactsSerializer,
    GoalProgressSerializer,
    GoalSerializer,
    GoalUpdateSerializer,
    GoalWriteSerializer,
    NoteSerializer,
    NoteWriteSerializer,
    PairExtendSerializer,
    PairHoursSerializer,
    PairLifecycleSerializer,
    PairPauseSerializer,
    PairRematchSerializer,
)
from feedback.models import Goal, GoalUpdate, Note
from feedback.sessions import services as sessions
from feedback.visibility import PairAccess, pair_access
from matching import access as pair_policy
from matching import pairs
from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.api.views import ID_REGEX
from participants.models import Enrollment

PAIR_PARAMETER = OpenApiParameter(
    "pair_pk", str, OpenApiParameter.PATH, pattern=f"^{ID_REGEX}$", description="The pair's id"
)
NOT_FOUND = OpenApiResponse(description="No such pair (or not yours to see)")


def request_user(request: Request) -> User:
    return cast(User, request.user)


def _access(request: Request, pair_id: int | str) -> PairAccess:
    membership = request_membership(request)
    assert membership is not None  # the permission class answered 404 otherwise
    return pair_access(int(pair_id), membership=membership, user=request_user(request))


def member_side(access: PairAccess, message: str) -> Enrollment:
    """The viewer's side of the pair; staff who see the pair without being in it get 403."""
    if access.enrollment is None:
        raise PermissionDenied(message)
    return access.enrollment


class NotePagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("-created_at", "-id")  # type: ignore[assignment]


class GoalPagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("id",)  # type: ignore[assignment]


class PairViewSet(viewsets.GenericViewSet[Any]):
    """Routes under ``pairs/<pair_pk>/``: the pair and the viewer's access, resolved once."""

    permission_classes = (IsOrganizationMember,)
    lookup_value_regex = ID_REGEX
    _pair_access: PairAccess | None = None

    @property
    def access(self) -> PairAccess:
        if self._pair_access is None:
            self._pair_access = _access(self.request, self.kwargs["pair_pk"])
        return self._pair_access

    def _payload(self, serializer_class: type[Any], *, partial: bool = False) -> dict[str, Any]:
        payload = serializer_class(data=self.request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        return cast(dict[str, Any], payload.validated_data)


# --- Notes ---------------------------------------------------------------------------------------


@extend_schema(parameters=[PAIR_PARAMETER])
class NoteViewSet(PairViewSet):
    """The pair's notes: your own (shared or private) and your partner's shared ones. Never
    staff's: they get 403 on the list and cannot address a note at all."""

    ordering_fields = {
        "created": "created_at",
        "updated": "updated_at",
    }

    serializer_class = NoteSerializer
    pagination_class = NotePagination

    def get_queryset(self) -> QuerySet[Note]:
        member_side(self.access, "Notes are the pair's own.")
        return self.access.notes()

    def _own_note(self) -> Note:
        """Writes reach the viewer's own notes only: anyone else's note does not exist here."""
        enrollment = self.access.enrollment
        if enrollment is None:
            raise Http404("No such note.")
        return get_object_or_404(
            Note.objects.filter(pair=self.access.pair, author=enrollment), pk=self.kwargs["pk"]
        )

    @extend_schema(responses={200: NoteSerializer(many=True), 404: NOT_FOUND})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(NoteSerializer(page, many=True).data)

    @extend_schema(request=NoteWriteSerializer, responses={201: NoteSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        author = member_side(self.access, "Notes are the pair's own.")
        data = self._payload(NoteWriteSerializer)
        session = None
        if data.get("session") is not None:
            session = self.access.sessions().filter(pk=data["session"]).first()
            if session is None:
                raise ValidationError({"session": ["Choose a session of this pair."]})
        note = notes.note_create(
            pair=self.access.pair,
            author=author,
            actor=request_user(request),
            text=data["text"],
            visibility=data["visibility"],
            session=session,
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    def _update(self, *, partial: bool) -> Response:
        note = self._own_note()
        data = self._payload(NoteWriteSerializer, partial=partial)
        if "session" in data and data["session"] != note.session_id:
            raise ValidationError(
                {"session": ["A note stays with the session it was written for."]}
            )
        updated = notes.note_update(
            note=note,
            author=cast(Enrollment, self.access.enrollment),
            actor=request_user(self.request),
            text=data.get("text", note.text),
            visibility=data.get("visibility", note.visibility),
        )
        return Response(NoteSerializer(updated).data)

    @extend_schema(request=NoteWriteSerializer, responses={200: NoteSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Rewrite one of your notes (its author only)."""
        return self._update(partial=False)

    @extend_schema(request=NoteWriteSerializer, responses={200: NoteSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        note = self._own_note()
        notes.note_delete(
            note=note, author=cast(Enrollment, self.access.enrollment), actor=request_user(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Goals ---------------------------------------------------------------------------------------


@extend_schema(parameters=[PAIR_PARAMETER])
class GoalViewSet(PairViewSet):
    """The pair's goals. Staff see owner, description, target and progress; the pair's people
    also see the updates with their comments, and are the ones who set goals and move them."""

    ordering_fields = {
        "created": "created_at",
        "updated": "updated_at",
        "status": "status",
        "progress": "progress",
    }

    serializer_class = GoalSerializer
    pagination_class = GoalPagination

    def get_queryset(self) -> QuerySet[Goal]:
        access = self.access
        goals_of_pair = access.goals()
        if access.sees_goal_comments:
            updates = access.goal_updates().order_by("-created_at", "-id")
            goals_of_pair = goals_of_pair.prefetch_related(
                Prefetch("updates", queryset=updates, to_attr="visible_updates")
            )
        return goals_of_pair

    def _serializer(self) -> type[GoalFactsSerializer]:
        """Update comments are the pair's text: staff get the serializer without them."""
        return GoalSerializer if self.access.sees_goal_comments else GoalFactsSerializer

    def _body(self, goal: Goal) -> dict[str, Any]:
        return cast(dict[str, Any], self._serializer()(goal).data)

    def _goal(self) -> Goal:
        goal = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        goal.pair = self.access.pair
        return goal

    @extend_schema(responses={200: GoalSerializer(many=True), 404: NOT_FOUND})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._serializer()(page, many=True).data)

    @extend_schema(responses={200: GoalSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._body(self._goal()))

    @extend_schema(request=GoalWriteSerializer, responses={201: GoalSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        by = member_side(self.access, "Only the two people of this pair set its goals.")
        data = self._payload(GoalWriteSerializer)
        goal = goals.goal_create(
            pair=self.access.pair,
            by=by,
            actor=request_user(request),
            owner=data["owner"],
            description=data["description"],
            target_date=data["target_date"],
        )
        return Response(self._body(self._reread(goal)), status=status.HTTP_201_CREATED)

    def _reread(self, goal: Goal) -> Goal:
        fresh = self.get_queryset().get(pk=goal.pk)
        fresh.pair = self.access.pair
        return fresh

    def _update(self, *, partial: bool) -> Response:
        by = member_side(self.access, "Only the two people of this pair set its goals.")
        goal = self._goal()
        data = self._payload(GoalWriteSerializer, partial=partial)
        edited = goals.goal_edit(
            goal=goal,
            by=by,
            actor=request_user(self.request),
            owner=data.get("owner", goal.owner),
            description=data.get("description", goal.description),
            target_date=data.get("target_date", goal.target_date)
            if partial
            else data["target_date"],
        )
        return Response(self._body(self._reread(edited)))

    @extend_schema(request=GoalWriteSerializer, responses={200: GoalSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=False)

    @extend_schema(request=GoalWriteSerializer, responses={200: GoalSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)

    @extend_schema(request=GoalProgressSerializer, responses={201: GoalUpdateSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record progress (0-100 %) with an optional comment; 100 % marks the goal achieved."""
        by = member_side(self.access, "Only the two people of this pair move its goals.")
        goal = self._goal()
        data = self._payload(GoalProgressSerializer)
        update: GoalUpdate = goals.goal_progress(
            goal=goal,
            by=by,
            actor=request_user(request),
            progress=data["progress"],
            comment=data["comment"],
            status=data["status"],
        )
        return Response(GoalUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


# --- The pair: hours and lifecycle ---------------------------------------------------------------


class PairLifecycleViewSet(viewsets.GenericViewSet[Any]):
    """A pair's hours and the actions on its life (``pairs/<pk>/…``, beside ``matching.api``'s
    list, detail and end)."""

    permission_classes = (IsOrganizationMember,)
    serializer_class = PairLifecycleSerializer

    def _access(self) -> PairAccess:
        return _access(self.request, self.kwargs["pk"])

    @extend_schema(responses={200: PairHoursSerializer, 404: NOT_FOUND})
    def hours(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Confirmed hours of the pair, and what still waits for confirmation."""
        hours = sessions.pair_hours(self._access().pair)
        body = {
            "sessions": hours.sessions,
            "confirmed_minutes": hours.confirmed_minutes,
            "confirmed_hours": hours.confirmed_hours,
            "awaiting": hours.awaiting,
            "drafts": hours.drafts,
        }
        return Response(PairHoursSerializer(body).data)

    @extend_schema(request=PairPauseSerializer, responses={200: PairLifecycleSerializer})
    def pause(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Pause an active pair until a date (its people or its staff)."""
        access = self._access()
        access.access.require(pair_policy.PAUSE)
        data = PairPauseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = pairs.pair_pause(
            pair=access.pair,
            actor=request_user(request),
            resume_on=data.validated_data["resume_on"],
        )
        return Response(PairLifecycleSerializer(pair).data)

    @extend_schema(request=None, responses={200: PairLifecycleSerializer})
    def resume(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Resume a paused pair now (its people or its staff)."""
        access = self._access()
        access.access.require(pair_policy.RESUME)
        pair = pairs.pair_resume(pair=access.pair, actor=request_user(request))
        return Response(PairLifecycleSerializer(pair).data)

    @extend_schema(request=PairExtendSerializer, responses={200: PairLifecycleSerializer})
    def extend(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Give the pair a later end date (the program's staff only)."""
        access = self._access()
        access.access.require(pair_policy.EXTEND)
        data = PairExtendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = pairs.pair_extend(
            pair=access.pair, actor=request_user(request), ends_on=data.validated_data["ends_on"]
        )
        return Response(PairLifecycleSerializer(pair).data)

    @extend_schema(request=None, responses={200: PairLifecycleSerializer})
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Mark the pair completed: it finished its program (its people or its staff)."""
        access = self._access()
        access.access.require(pair_policy.COMPLETE)
        pair = pairs.pair_complete(pair=access.pair, actor=request_user(request))
        return Response(PairLifecycleSerializer(pair).data)

    @extend_schema(request=PairRematchSerializer, responses={200: PairLifecycleSerializer})
    def request_rematch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Ask the program's coordinators for another partner (the pair's people only; staff
        end the pair and start a re-match themselves)."""
        access = self._access()
        access.access.require(pair_policy.REQUEST_REMATCH)
        by = access.member()
        data = PairRematchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = pairs.pair_request_rematch(
            pair=access.pair,
            by=by,
            actor=request_user(request),
            reason=data.validated_data["reason"],
        )
        return Response(PairLifecycleSerializer(pair).data)
