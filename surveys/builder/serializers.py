"""The builder API's bodies. Request bodies check types only; the rules of a question and of a
survey are ``surveys.builder.validation`` and the services, whose field messages reach the client
as 400s (``core.api.errors``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from programs.models import Audience
from surveys.models import ObjectiveAnchor, Question, QuestionKind, Survey, Wave
from surveys.selectors import current_questions, current_version

MAX_ID = 2**63 - 1  # a bigint: larger ids are a 400, not a database error


class SurveyQuestionSerializer(serializers.ModelSerializer[Question]):
    # A slug or empty (no anchor): the model's SlugField would be documented as a non-empty slug.
    anchor_key = serializers.RegexField(r"^[-a-zA-Z0-9_]*$", read_only=True)

    class Meta:
        model = Question
        fields = (
            "id",
            "position",
            "section",
            "kind",
            "text",
            "help_text",
            "required",
            "audience",
            "scale_points",
            "labels",
            "choices",
            "min_value",
            "max_value",
            "anchor_key",
        )
        read_only_fields = fields


class SurveyQuestionWriteSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=300)
    # A serializer is a Field, whose own ``help_text`` and ``required`` these fields shadow (DRF
    # takes declared fields off the class, so only the type checker sees a clash).
    help_text = serializers.CharField(  # type: ignore[assignment]
        max_length=300, required=False, allow_blank=True
    )
    section = serializers.CharField(max_length=120, required=False, allow_blank=True)
    required = serializers.BooleanField(required=False, default=True)  # type: ignore[assignment]
    audience = serializers.ChoiceField(choices=Audience.choices, required=False)
    scale_points = serializers.IntegerField(
        required=False, allow_null=True, help_text="Likert only: 5 or 7."
    )
    labels = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        max_length=7,
        help_text="Likert only: one label per point, lowest first.",
    )
    choices = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        max_length=50,
        help_text="Single and multiple choice only: at least 2 options, each once.",
    )
    min_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    )
    max_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    )
    anchor_key = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text="Pairs answers across waves (a slug, once per survey version).",
    )


class SurveyQuestionCreateSerializer(SurveyQuestionWriteSerializer):
    position = serializers.IntegerField(
        required=False, min_value=0, help_text="Insert before this position (default: at the end)."
    )


class BuilderSurveySerializer(serializers.ModelSerializer[Survey]):
    version = serializers.SerializerMethodField(help_text="The current version's number.")

    class Meta:
        model = Survey
        fields: tuple[str, ...] = (
            "id",
            "program",
            "wave",
            "title",
            "intro",
            "anonymous",
            "open_days",
            "is_active",
            "library_key",
            "copied_from",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_version(self, survey: Survey) -> int | None:
        version = current_version(survey)
        return version.number if version else None


class BuilderSurveyDetailSerializer(BuilderSurveySerializer):
    questions = serializers.SerializerMethodField()

    class Meta(BuilderSurveySerializer.Meta):
        fields = (*BuilderSurveySerializer.Meta.fields, "questions")
        read_only_fields = fields

    def get_questions(self, survey: Survey) -> list[dict[str, Any]]:
        return list(SurveyQuestionSerializer(current_questions(survey), many=True).data)


class SurveyTemplateWriteSerializer(serializers.Serializer[Any]):
    wave = serializers.ChoiceField(choices=Wave.choices)
    title = serializers.CharField(max_length=200)
    intro = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    anonymous = serializers.BooleanField(required=False)
    open_days = serializers.IntegerField(required=False)


class ProgramSurveySettingsSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    intro = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    anonymous = serializers.BooleanField(required=False)
    open_days = serializers.IntegerField(required=False)


class ProgramSurveyCreateSerializer(serializers.Serializer[Any]):
    template = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of an active template of the organisation."
    )
    wave = serializers.ChoiceField(
        choices=Wave.choices, required=False, help_text="Default: the template's wave."
    )


class ObjectiveAnchorSerializer(serializers.ModelSerializer[ObjectiveAnchor]):
    class Meta:
        model = ObjectiveAnchor
        fields = ("id", "objective", "anchor_key", "created_at")
        read_only_fields = fields


class ObjectiveAnchorWriteSerializer(serializers.Serializer[Any]):
    objective = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of an objective of this program."
    )
    anchor_key = serializers.CharField(max_length=50)


class QuestionMoveSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(
        choices=[("up", "Up"), ("down", "Down")],
        help_text="One step towards the start (up) or the end (down) of the survey.",
    )
