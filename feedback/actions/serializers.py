"""The actions API's bodies. What a viewer receives is ``feedback.actions.access``'s decision (the
querysets are filtered by it: an unshared action is never in a staff body). Request bodies keep
the type checks and leave the rules (dates, topics, lengths, moves) to the services, so the API and
the pages give the same field messages.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from feedback.actions import services
from feedback.api.serializers_relationships import MAX_ID
from feedback.models import Action, ActionStatus, SuccessStory
from programs.models import Topic


def _optional_id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, help_text=help_text
    )


class ActionTopicSerializer(serializers.ModelSerializer[Topic]):
    class Meta:
        model = Topic
        fields = ("id", "name")
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer[Action]):
    topic = ActionTopicSerializer(read_only=True, allow_null=True)
    program = serializers.IntegerField(source="pair.program_id", read_only=True)
    shared = serializers.SerializerMethodField(
        help_text="Shared with the organisation by its owner (staff read it only then)."
    )
    next_statuses = serializers.SerializerMethodField(
        help_text="The statuses this action may move to next."
    )

    class Meta:
        model = Action
        fields = (
            "id",
            "program",
            "pair",
            "owner",
            "session",
            "topic",
            "title",
            "due_on",
            "status",
            "next_statuses",
            "result",
            "shared",
            "shared_at",
            "status_changed_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_shared(self, action: Action) -> bool:
        return action.shared_at is not None

    def get_next_statuses(self, action: Action) -> list[str]:
        return list(services.next_statuses(action.status))


class ActionCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(trim_whitespace=False, help_text="What you will do")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    session = _optional_id("A session of this pair the action came from")
    topic = _optional_id("One of the program's focus topics, or of the session's topics")


class ActionUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(trim_whitespace=False)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    topic = _optional_id("One of the program's focus topics, or of the session's topics")
    result = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default=""
    )


class ActionStatusSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    result = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Optional: the result note, replaced when given.",
    )


class StorySerializer(serializers.ModelSerializer[SuccessStory]):
    published = serializers.BooleanField(source="is_published", read_only=True)

    class Meta:
        model = SuccessStory
        fields = (
            "id",
            "pair",
            "text",
            "written_by",
            "mentor_agreed_at",
            "mentee_agreed_at",
            "published",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class StoryWriteSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(trim_whitespace=False)


class SharedActionSerializer(serializers.ModelSerializer[Action]):
    """A shared action as the program's staff read it (no owner: the summary is about changes)."""

    topic = ActionTopicSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Action
        fields = ("id", "pair", "topic", "title", "due_on", "status", "result", "shared_at")
        read_only_fields = fields


class PublishedStorySerializer(serializers.ModelSerializer[SuccessStory]):
    class Meta:
        model = SuccessStory
        fields = ("id", "pair", "text", "updated_at")
        read_only_fields = fields


class StatusCountSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    count = serializers.IntegerField()


class TopicCountSerializer(serializers.Serializer[Any]):
    topic = serializers.IntegerField(allow_null=True, help_text="Null for actions without topic")
    name = serializers.CharField()
    by_status = StatusCountSerializer(many=True)
    total = serializers.IntegerField()


class ActionSummarySerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Every action of the program, shared or not")
    by_status = StatusCountSerializer(many=True)
    by_topic = TopicCountSerializer(many=True)
    shared_total = serializers.IntegerField()
    shared_implemented_total = serializers.IntegerField()
    shared_implemented = SharedActionSerializer(
        many=True, help_text="The latest shared implemented actions (at most 50)"
    )
    published_stories_total = serializers.IntegerField()
    published_stories = PublishedStorySerializer(
        many=True, help_text="The latest published success stories (at most 50)"
    )
