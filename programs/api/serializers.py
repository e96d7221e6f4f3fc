"""API shapes of programs. Serializers parse and present; services validate and write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs import lifecycle, selectors
from programs.models import (
    PROGRAM_SETTINGS,
    CharterVersion,
    Objective,
    Program,
    ProgramCoordinator,
    ProgramStatus,
    Topic,
    TrainingResource,
)


@extend_schema_field(OpenApiTypes.INT)
class InScopeIdField(serializers.PrimaryKeyRelatedField):
    """An id resolved inside the current organisation. The queryset is built per request: a
    class-level tenant queryset would be evaluated at import, outside any scope. Another
    organisation's id is simply unknown here (a field error, never a leak)."""

    default_error_messages = {
        "does_not_exist": "Unknown id {pk_value}.",
        "incorrect_type": "Give an id (a number), not {data_type}.",
    }

    def __init__(self, *, queryset_factory: Callable[[], QuerySet[Any]], **kwargs: Any) -> None:
        self.queryset_factory = queryset_factory
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.queryset_factory()


class TopicSerializer(serializers.ModelSerializer[Topic]):
    class Meta:
        model = Topic
        fields = ("id", "name", "description", "is_active", "created_at")
        read_only_fields = ("id", "created_at")
        # The service checks uniqueness (case-insensitive, per organisation).
        validators: list[Any] = []


class ProgramSerializer(serializers.ModelSerializer[Program]):
    focus_topics = InScopeIdField(many=True, required=False, queryset_factory=selectors.topic_list)

    class Meta:
        model = Program
        fields: tuple[str, ...] = (
            "id",
            "status",
            "focus_topics",
            *PROGRAM_SETTINGS,
            "duplicated_from",
            "archived_at",
            "created_at",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = (
            "id",
            "status",
            "duplicated_from",
            "archived_at",
            "created_at",
            "updated_at",
        )


class MissingSerializer(serializers.Serializer[lifecycle.Missing]):
    field = serializers.CharField()
    message = serializers.CharField()


class TransitionOptionSerializer(serializers.Serializer[lifecycle.TransitionOption]):
    to = serializers.CharField()
    to_label = serializers.CharField(source="label")
    allowed = serializers.BooleanField()
    missing = MissingSerializer(many=True)


class ProgramDetailSerializer(ProgramSerializer):
    """One program, with the moves it can make next and what each still needs."""

    transitions = serializers.SerializerMethodField()

    class Meta(ProgramSerializer.Meta):
        fields = (*ProgramSerializer.Meta.fields, "transitions")
        read_only_fields = (*ProgramSerializer.Meta.read_only_fields, "transitions")

    @extend_schema_field(TransitionOptionSerializer(many=True))
    def get_transitions(self, program: Program) -> list[dict[str, Any]]:
        options = lifecycle.transition_options(program)
        return list(TransitionOptionSerializer(options, many=True).data)  # type: ignore[arg-type]


class TransitionRequestSerializer(serializers.Serializer[Program]):
    to = serializers.ChoiceField(choices=ProgramStatus.choices)


class ObjectiveSerializer(serializers.ModelSerializer[Objective]):
    class Meta:
        model = Objective
        fields = (
            "id",
            "statement",
            "audience",
            "measure",
            "baseline",
            "target",
            "unit",
            "position",
            "created_at",
        )
        read_only_fields = ("id", "position", "created_at")


class ObjectiveOrderSerializer(serializers.Serializer[Objective]):
    order = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False)


class CharterVersionSerializer(serializers.ModelSerializer[CharterVersion]):
    # None for a version published by the system (the first charter of a program) or by a person
    # since deleted.
    published_by = serializers.EmailField(
        source="published_by.email", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = CharterVersion
        fields = ("id", "version", "body", "change_note", "published_by", "published_at")
        read_only_fields = ("id", "version", "published_by", "published_at")
        extra_kwargs = {"body": {"trim_whitespace": False}}


class TrainingResourceSerializer(serializers.ModelSerializer[TrainingResource]):
    class Meta:
        model = TrainingResource
        fields = (
            "id",
            "title",
            "audience",
            "url",
            "body",
            "estimated_minutes",
            "required",
            "position",
            "created_at",
        )
        read_only_fields = ("id", "position", "created_at")
        # "A link or a text" is checked by the service, with a field message.
        validators: list[Any] = []


class ProgramCoordinatorSerializer(serializers.ModelSerializer[ProgramCoordinator]):
    user = InScopeIdField(queryset_factory=selectors.member_users)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = ProgramCoordinator
        fields = ("id", "user", "email", "full_name", "created_at")
        read_only_fields = ("id", "email", "full_name", "created_at")
