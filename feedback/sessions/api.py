"""The sessions API under ``pairs/<pair_pk>/sessions/``: list, read, log (with notes), edit,
withdraw, confirm. Everyone who sees the pair sees the facts; its text goes to its two people only.
Who may do what is ``feedback.visibility`` and the services; a refusal is 403 with the same words
as on the pair page.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import DefaultCursorPagination
from feedback.api.relationships import (
    NOT_FOUND,
    PAIR_PARAMETER,
    PairViewSet,
    member_side,
    request_user,
)
from feedback.models import SessionLog
from feedback.sessions import services as sessions
from feedback.sessions.serializers import (
    SessionConfirmSerializer,
    SessionCorrectSerializer,
    SessionFactsSerializer,
    SessionLogSerializer,
    SessionSerializer,
    SessionWriteSerializer,
)
from feedback.sessions.use_cases import SessionFacts, confirm_session, log_session
from feedback.visibility import LOG_SESSION, PairAccess


class SessionPagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("-held_on", "-id")  # type: ignore[assignment]


def _session_serializer(access: PairAccess) -> type[SessionFactsSerializer]:
    """The pair's text is in its own serializer: staff get one that cannot contain it."""
    return SessionSerializer if access.sees_session_text else SessionFactsSerializer


def _session_body(access: PairAccess, session: SessionLog) -> dict[str, Any]:
    return cast(dict[str, Any], _session_serializer(access)(session).data)


@extend_schema(parameters=[PAIR_PARAMETER])
class SessionViewSet(PairViewSet):
    """A pair's sessions. Everyone who sees the pair sees the facts; what was learned and the
    action items go to the pair's two people only. One of them logs a session, the other confirms
    it (optionally correcting date, length, format and topics)."""

    ordering_fields = {
        "held_on": "held_on",
        "duration": "duration_minutes",
        "status": "status",
        "created": "created_at",
        "updated": "updated_at",
    }

    serializer_class = SessionSerializer
    pagination_class = SessionPagination

    def get_queryset(self) -> QuerySet[SessionLog]:
        return self.access.sessions().prefetch_related("topics")

    def _session(self) -> SessionLog:
        session = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        session.pair = self.access.pair
        return session

    @extend_schema(responses={200: SessionSerializer(many=True), 404: NOT_FOUND})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        serializer = _session_serializer(self.access)
        return self.get_paginated_response(serializer(page, many=True).data)

    @extend_schema(responses={200: SessionSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(_session_body(self.access, self._session()))

    @extend_schema(request=SessionLogSerializer, responses={201: SessionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Log a session you had (the pair's people only), with optional shared and private notes;
        it waits for your partner."""
        access = self.access  # who may not see the pair gets 404 before the body is read
        access.access.require(LOG_SESSION)  # and staff 403, whatever they sent
        data = self._payload(SessionLogSerializer)
        session = log_session(
            access=access,
            actor=request_user(request),
            facts=SessionFacts(
                held_on=data["held_on"],
                duration_minutes=data["duration_minutes"],
                format=data["format"],
                topic_ids=data.get("topics"),
                learned=data["learned"],
                action_items=data["action_items"],
            ),
            shared_note=data["shared_note"],
            private_note=data["private_note"],
        )
        return Response(_session_body(self.access, self._fresh(session)), status.HTTP_201_CREATED)

    def _fresh(self, session: SessionLog) -> SessionLog:
        # Topics changed inside the service: read them back.
        fresh = self.get_queryset().get(pk=session.pk)
        fresh.pair = self.access.pair
        return fresh

    def _update(self, *, partial: bool) -> Response:
        by = member_side(self.access, "Only the two people of this pair edit its sessions.")
        session = self._session()
        self.access.require_session_edit(session)
        data = self._payload(SessionWriteSerializer, partial=partial)
        current_topics = [topic.pk for topic in session.topics.all()]
        updated = sessions.session_update(
            session=session,
            by=by,
            actor=request_user(self.request),
            held_on=data.get("held_on", session.held_on),
            duration_minutes=data.get("duration_minutes", session.duration_minutes),
            format=data.get("format", session.format),
            topic_ids=data.get("topics", current_topics),
            learned=data.get("learned", session.learned) if partial else data["learned"],
            action_items=(
                data.get("action_items", session.action_items) if partial else data["action_items"]
            ),
        )
        return Response(_session_body(self.access, self._fresh(updated)))

    @extend_schema(request=SessionWriteSerializer, responses={200: SessionSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Replace a session: its logger until the partner confirms it; afterwards either of the
        pair may still edit the text (the facts are final)."""
        return self._update(partial=False)

    @extend_schema(request=SessionWriteSerializer, responses={200: SessionSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Withdraw a session you logged, until your partner confirms it."""
        by = member_side(self.access, "Only the two people of this pair delete its sessions.")
        sessions.session_delete(session=self._session(), by=by, actor=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _confirm(self, serializer_class: type[Any]) -> Response:
        member_side(self.access, "Only the two people of this pair confirm its sessions.")
        session = self._session()
        self.access.require_session_confirm(session)  # 403 before the body is read
        corrections = self._payload(serializer_class)
        confirmed = confirm_session(
            access=self.access,
            actor=request_user(self.request),
            session=session,
            corrections=corrections,
        )
        return Response(_session_body(self.access, self._fresh(confirmed)))

    @extend_schema(request=SessionConfirmSerializer, responses={200: SessionSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Confirm a session your partner logged, with any corrections to its facts."""
        return self._confirm(SessionConfirmSerializer)

    @extend_schema(
        request=SessionCorrectSerializer,
        responses={200: SessionSerializer},
        examples=[
            OpenApiExample(
                "A shorter session than logged",
                value={
                    "held_on": "2026-03-02",
                    "duration_minutes": 45,
                    "format": "video",
                    "topics": [3],
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Correct the facts of a session your partner logged and confirm it (the pair page's
        correction form): every fact is given, as it really was. The response says
        ``corrected`` when a fact changed; the audit log keeps both versions."""
        return self._confirm(SessionCorrectSerializer)
