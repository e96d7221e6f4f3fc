"""A pair's planned sessions under ``pairs/<pair_pk>/planned-sessions/``: list the upcoming ones,
plan one, read one, move it (PUT/PATCH), cancel it (DELETE). Both members get each change as a
calendar invitation by email. Everyone who sees the pair sees when; the place and note go to its
two people only; only they plan, move and cancel (staff 403). The use cases are the pair page's
(``feedback.sessions.use_cases``).

Times are read and written in the program's time zone: a ``starts_at`` without an offset is taken
there, and responses carry the program's offset and ``time_zone``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import DefaultCursorPagination
from feedback.api.relationships import NOT_FOUND, PAIR_PARAMETER, PairViewSet, request_user
from feedback.models import PlannedSession
from feedback.sessions import planned
from feedback.sessions.serializers import (
    PlannedSessionFactsSerializer,
    PlannedSessionSerializer,
    PlannedSessionWriteSerializer,
)
from feedback.sessions.use_cases import (
    PlanTimes,
    cancel_planned_session,
    move_planned_session,
    plan_session,
    planned_session_of,
)
from feedback.visibility import WRITE
from programs.lifecycle import program_zone


class PlannedSessionPagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("starts_on", "id")  # type: ignore[assignment]


_PLAN_EXAMPLES = [
    OpenApiExample(
        "An hour on a video call",
        value={
            "starts_at": "2026-03-02T10:00:00+01:00",
            "ends_at": "2026-03-02T11:00:00+01:00",
            "location": "https://meet.example.com/abc",
        },
        request_only=True,
    ),
    OpenApiExample("A day, no time yet", value={"starts_on": "2026-03-02"}, request_only=True),
]


@extend_schema(parameters=[PAIR_PARAMETER])
class PlannedSessionViewSet(PairViewSet):
    """A pair's planned sessions (the calendar invitations both members get)."""

    ordering_fields = {
        "starts_on": "starts_on",
        "created": "created_at",
        "updated": "updated_at",
    }

    serializer_class = PlannedSessionSerializer
    pagination_class = PlannedSessionPagination

    def _serializer(self) -> type[PlannedSessionFactsSerializer]:
        return (
            PlannedSessionSerializer
            if self.access.sees_session_text
            else PlannedSessionFactsSerializer
        )

    def _in_zone[T](self, work: Callable[[], T]) -> T:
        with timezone.override(program_zone(self.access.pair.program)):
            return work()

    def _body(self, session: PlannedSession) -> dict[str, Any]:
        session.pair = self.access.pair
        return cast(dict[str, Any], self._in_zone(lambda: self._serializer()(session).data))

    def _times(self, *, partial: bool) -> tuple[PlanTimes, dict[str, Any]]:
        data = self._in_zone(lambda: self._payload(PlannedSessionWriteSerializer, partial=partial))
        times = PlanTimes(
            starts_on=data.get("starts_on"),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            minutes=data.get("minutes"),
        )
        return times, data

    def get_queryset(self) -> QuerySet[PlannedSession]:
        return planned.upcoming(self.access.pair).select_related("pair__program")

    @extend_schema(responses={200: PlannedSessionSerializer(many=True), 404: NOT_FOUND})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The pair's upcoming sessions (planned, from today on), soonest first."""
        page = self.paginate_queryset(self.get_queryset())
        body = self._in_zone(lambda: self._serializer()(page, many=True).data)
        return self.get_paginated_response(body)

    @extend_schema(responses={200: PlannedSessionSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One planned session, cancelled or past ones included."""
        return Response(self._body(planned_session_of(self.access, int(kwargs["pk"]))))

    @extend_schema(
        request=PlannedSessionWriteSerializer,
        responses={201: PlannedSessionSerializer},
        examples=_PLAN_EXAMPLES,
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Plan a session (the pair's two people): both get the calendar invitation by email.
        In the past, more than a year ahead, or ending before it starts: 400 on that field."""
        self.access.access.require(WRITE)  # staff 403 before the body is read
        times, data = self._times(partial=False)
        session = plan_session(
            access=self.access,
            actor=request_user(request),
            times=times,
            location=data.get("location", ""),
            note=data.get("note", ""),
        )
        return Response(self._body(session), status=status.HTTP_201_CREATED)

    def _move(self, *, partial: bool) -> Response:
        self.access.access.require(WRITE)
        session = planned_session_of(self.access, int(self.kwargs["pk"]))
        times, data = self._times(partial=partial)
        if not partial and times.starts_on is None and times.starts_at is None:
            raise ValidationError(
                {"starts_on": ["Give the new day (starts_on) or start (starts_at)."]}
            )
        moved = move_planned_session(
            access=self.access,
            actor=request_user(self.request),
            session=session,
            times=times,
            location=data.get("location"),
            note=data.get("note"),
        )
        return Response(self._body(moved))

    @extend_schema(
        request=PlannedSessionWriteSerializer,
        responses={200: PlannedSessionSerializer},
        examples=_PLAN_EXAMPLES,
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Move the session to a new day (``starts_on``) or start (``starts_at``), one of which
        is required: both get the updated invitation (same calendar entry). A cancelled session
        is not moved (400)."""
        return self._move(partial=False)

    @extend_schema(
        request=PlannedSessionWriteSerializer,
        responses={200: PlannedSessionSerializer},
        examples=_PLAN_EXAMPLES,
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change what is given (a new day or start replaces both the old day and start)."""
        return self._move(partial=True)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Cancel the session: both get the cancellation for their calendars. It stays readable
        with ``status: cancelled``; cancelling twice is a 400."""
        self.access.access.require(WRITE)
        session = planned_session_of(self.access, int(kwargs["pk"]))
        cancel_planned_session(access=self.access, actor=request_user(request), session=session)
        return Response(status=status.HTTP_204_NO_CONTENT)
