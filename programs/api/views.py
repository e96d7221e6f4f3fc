"""Program API under /api/v1/o/<slug>/: the same roles, visibility and services as the pages.

Admins and coordinators use it; a coordinator reaches only the programs they are assigned to (any
other id is a 404, like another organisation's). Topic and coordinator changes are for admins.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.models import User
from core.api.pagination import DefaultCursorPagination
from core.api.params import bool_param, choice_param
from organizations.api.permissions import ADMIN_ONLY, HasOrganizationRole, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import STAFF_ROLES
from programs import content, lifecycle, selectors, services
from programs.api import serializers as s
from programs.models import (
    CharterVersion,
    Objective,
    Program,
    ProgramCoordinator,
    ProgramStatus,
    Topic,
    TrainingResource,
)
from programs.services import PROGRAM_FIELDS


class ByPosition(DefaultCursorPagination):
    ordering = ("position",)


class ByName(DefaultCursorPagination):
    ordering = ("name",)


class NewestVersionFirst(DefaultCursorPagination):
    ordering = ("-version",)


def _actor(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class TopicViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Topic],
):
    """The topic vocabulary. Staff read it; admins add, rename and (de)activate topics."""

    ordering_fields = {"name": "name", "created": "created_at"}

    serializer_class = s.TopicSerializer
    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    required_roles_by_action = {
        "create": ADMIN_ONLY,
        "update": ADMIN_ONLY,
        "partial_update": ADMIN_ONLY,
    }
    lookup_value_regex = ID_REGEX
    pagination_class = ByName

    def get_queryset(self) -> QuerySet[Topic]:
        return selectors.topic_list()

    def perform_create(self, serializer: BaseSerializer[Topic]) -> None:
        data = serializer.validated_data
        topic = services.topic_create(
            organization=self.request._request.organization,  # type: ignore[attr-defined]
            actor=_actor(self.request),
            name=data["name"],
            description=data.get("description", ""),
        )
        if data.get("is_active") is False:
            services.topic_set_active(actor=_actor(self.request), topic=topic, is_active=False)
        serializer.instance = topic

    def perform_update(self, serializer: BaseSerializer[Topic]) -> None:
        topic = serializer.instance
        assert topic is not None
        data = serializer.validated_data
        if "name" in data or "description" in data:
            services.topic_update(
                actor=_actor(self.request),
                topic=topic,
                name=data.get("name", topic.name),
                description=data.get("description", topic.description),
            )
        if "is_active" in data:
            services.topic_set_active(
                actor=_actor(self.request), topic=topic, is_active=data["is_active"]
            )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=ProgramStatus.values),
            OpenApiParameter(
                "archived", OpenApiTypes.BOOL, description="Archived programs instead."
            ),
        ]
    )
)
class ProgramViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Program],
):
    """Programs you may manage. No delete: archive instead (audit and history stay)."""

    ordering_fields = {
        "name": "name",
        "status": "status",
        "created": "created_at",
        "updated": "updated_at",
    }

    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    lookup_value_regex = ID_REGEX

    def get_serializer_class(self) -> type[BaseSerializer[Program]]:
        if self.action in ("retrieve", "transition"):
            return s.ProgramDetailSerializer
        return s.ProgramSerializer

    def get_queryset(self) -> QuerySet[Program]:
        membership = request_membership(self.request)
        assert membership is not None
        if self.action != "list":
            return selectors.program_list(membership=membership)
        status_filter = choice_param(self.request, "status", ProgramStatus.values)
        return (
            selectors.program_list(membership=membership)
            .filter(archived_at__isnull=not bool_param(self.request, "archived"))
            .filter(**({"status": status_filter} if status_filter else {}))
            .prefetch_related("focus_topics")
        )

    def perform_create(self, serializer: BaseSerializer[Program]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.program_create(
            organization=self.request._request.organization,  # type: ignore[attr-defined]
            actor=_actor(self.request),
            values={k: v for k, v in data.items() if k in PROGRAM_FIELDS},
            focus_topics=data.get("focus_topics", ()),
        )

    def perform_update(self, serializer: BaseSerializer[Program]) -> None:
        program = serializer.instance
        assert program is not None
        data = dict(serializer.validated_data)
        services.program_update(
            actor=_actor(self.request),
            program=program,
            values={k: v for k, v in data.items() if k in PROGRAM_FIELDS},
            focus_topics=data.get("focus_topics"),
        )

    @extend_schema(request=s.TransitionRequestSerializer, responses=s.ProgramDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Move the program in its lifecycle. A 400 lists every missing precondition by field."""
        program = self.get_object()
        payload = s.TransitionRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lifecycle.program_transition(
            actor=_actor(request), program=program, to=payload.validated_data["to"]
        )
        return Response(s.ProgramDetailSerializer(program).data)

    @extend_schema(request=None, responses={201: s.ProgramSerializer})
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A draft copy for the next cohort (settings, topics, objectives, training, charter)."""
        copy = services.program_duplicate(actor=_actor(request), program=self.get_object())
        return Response(s.ProgramSerializer(copy).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ProgramSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        program = services.program_archive(actor=_actor(request), program=self.get_object())
        return Response(s.ProgramSerializer(program).data)

    @extend_schema(request=None, responses=s.ProgramSerializer)
    @action(detail=True, methods=["post"])
    def unarchive(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        program = services.program_unarchive(actor=_actor(request), program=self.get_object())
        return Response(s.ProgramSerializer(program).data)


PROGRAM_PK = OpenApiParameter(
    "program_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The program's id."
)


class ProgramChildViewSet[M: Model](viewsets.GenericViewSet[M]):
    """Base of the resources nested under one program: the program is resolved among those the
    requester may manage (404 otherwise) before anything else happens."""

    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    lookup_value_regex = ID_REGEX
    model: ClassVar[type[Model]]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # After the role check, before the body is read: another organisation's program id, or
        # one this coordinator does not run, is a 404 even for a create with an invalid body.
        self.get_program()

    def get_program(self) -> Program:
        cached: Program | None = getattr(self, "_program", None)
        if cached is None:
            membership = request_membership(self.request)
            assert membership is not None
            cached = get_object_or_404(
                selectors.program_list(membership=membership), pk=self.kwargs["program_pk"]
            )
            self._program = cached
        return cached

    def get_queryset(self) -> QuerySet[M]:
        if getattr(self, "swagger_fake_view", False):
            # Schema generation runs outside any organisation: an unevaluated, empty queryset.
            return QuerySet(self.model).none()
        return self.children(self.get_program())

    def children(self, program: Program) -> QuerySet[M]:
        """Abstract hook: each subclass returns its rows of ``program`` (every one overrides it)."""
        raise NotImplementedError


@extend_schema(parameters=[PROGRAM_PK])
class ObjectiveViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ProgramChildViewSet[Objective],
):
    """A program's measurable objectives, in order."""

    ordering_fields = {
        "position": "position",
        "created": "created_at",
    }

    serializer_class = s.ObjectiveSerializer
    pagination_class = ByPosition
    model = Objective

    def children(self, program: Program) -> QuerySet[Objective]:
        return selectors.objective_list(program=program)

    def perform_create(self, serializer: BaseSerializer[Objective]) -> None:
        serializer.instance = content.objective_create(
            actor=_actor(self.request),
            program=self.get_program(),
            values=dict(serializer.validated_data),
        )

    def perform_update(self, serializer: BaseSerializer[Objective]) -> None:
        assert serializer.instance is not None
        content.objective_update(
            actor=_actor(self.request),
            objective=serializer.instance,
            values=dict(serializer.validated_data),
        )

    def perform_destroy(self, instance: Objective) -> None:
        content.objective_delete(actor=_actor(self.request), objective=instance)

    @extend_schema(request=s.ObjectiveOrderSerializer, responses=s.ObjectiveSerializer(many=True))
    @action(detail=False, methods=["post"])
    def reorder(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Put the objectives in the order of ``order`` (each of the program's ids once)."""
        payload = s.ObjectiveOrderSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        objectives = content.objective_reorder(
            actor=_actor(request),
            program=self.get_program(),
            order=payload.validated_data["order"],
        )
        return Response(s.ObjectiveSerializer(objectives, many=True).data)


@extend_schema(parameters=[PROGRAM_PK])
class CharterVersionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ProgramChildViewSet[CharterVersion],
):
    """Charter versions, newest (current) first. Creating one publishes it; versions never change."""

    ordering_fields = {
        "version": "version",
        "published": "published_at",
    }

    serializer_class = s.CharterVersionSerializer
    pagination_class = NewestVersionFirst
    model = CharterVersion

    def children(self, program: Program) -> QuerySet[CharterVersion]:
        return selectors.charter_versions(program=program)

    def perform_create(self, serializer: BaseSerializer[CharterVersion]) -> None:
        data = serializer.validated_data
        serializer.instance = content.charter_publish(
            actor=_actor(self.request),
            program=self.get_program(),
            body=data["body"],
            change_note=data.get("change_note", ""),
        )


@extend_schema(parameters=[PROGRAM_PK])
class TrainingResourceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ProgramChildViewSet[TrainingResource],
):
    """A program's training resources (a link, a text or both)."""

    ordering_fields = {
        "position": "position",
        "title": "title",
        "created": "created_at",
    }

    serializer_class = s.TrainingResourceSerializer
    pagination_class = ByPosition
    model = TrainingResource

    def children(self, program: Program) -> QuerySet[TrainingResource]:
        return selectors.training_list(program=program)

    def perform_create(self, serializer: BaseSerializer[TrainingResource]) -> None:
        serializer.instance = content.training_create(
            actor=_actor(self.request),
            program=self.get_program(),
            values=dict(serializer.validated_data),
        )

    def perform_update(self, serializer: BaseSerializer[TrainingResource]) -> None:
        assert serializer.instance is not None
        content.training_update(
            actor=_actor(self.request),
            resource=serializer.instance,
            values=dict(serializer.validated_data),
        )

    def perform_destroy(self, instance: TrainingResource) -> None:
        content.training_delete(actor=_actor(self.request), resource=instance)


@extend_schema(parameters=[PROGRAM_PK])
class ProgramCoordinatorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    ProgramChildViewSet[ProgramCoordinator],
):
    """Who coordinates the program. Staff read it; admins assign and remove coordinators."""

    ordering_fields = {"created": "created_at"}

    serializer_class = s.ProgramCoordinatorSerializer
    required_roles_by_action = {"create": ADMIN_ONLY, "destroy": ADMIN_ONLY}
    model = ProgramCoordinator

    def children(self, program: Program) -> QuerySet[ProgramCoordinator]:
        return selectors.coordinator_list(program=program)

    def perform_create(self, serializer: BaseSerializer[ProgramCoordinator]) -> None:
        serializer.instance = services.coordinator_assign(
            actor=_actor(self.request),
            program=self.get_program(),
            user=serializer.validated_data["user"],
        )

    def perform_destroy(self, instance: ProgramCoordinator) -> None:
        services.coordinator_remove(actor=_actor(self.request), assignment=instance)
