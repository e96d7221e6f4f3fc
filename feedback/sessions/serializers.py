"""The sessions API's bodies. What a viewer receives is ``feedback.visibility``'s decision: the
pair's text (what was learned, action items) has its own serializer, so a staff body cannot contain
it even by mistake. Request bodies keep the type checks and leave the rules to the services.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from feedback.api.serializers_relationships import MAX_ID, id_list
from feedback.models import PlannedSession, SessionFormat, SessionLog
from programs.lifecycle import program_zone
from programs.models import Topic


class SessionTopicSerializer(serializers.ModelSerializer[Topic]):
    class Meta:
        model = Topic
        fields = ("id", "name")
        read_only_fields = fields


class SessionFactsSerializer(serializers.ModelSerializer[SessionLog]):
    """A session as staff see it: that it happened, when, how long, how, about what."""

    topics = SessionTopicSerializer(many=True, read_only=True)

    class Meta:
        model = SessionLog
        fields: tuple[str, ...] = (
            "id",
            "pair",
            "held_on",
            "duration_minutes",
            "format",
            "topics",
            "status",
            "source",
            "logged_by",
            "confirmed_by",
            "confirmed_at",
            "corrected",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class SessionSerializer(SessionFactsSerializer):
    """A session as its pair sees it: the facts and what they wrote about it."""

    learned = serializers.CharField(
        read_only=True,
        help_text="What was learned. Only ever sent to the pair's two people, never to staff.",
    )
    action_items = serializers.CharField(
        read_only=True,
        help_text="Action items. Only ever sent to the pair's two people, never to staff.",
    )

    class Meta(SessionFactsSerializer.Meta):
        fields = (*SessionFactsSerializer.Meta.fields, "learned", "action_items")
        read_only_fields = fields
        # Staff get SessionFactsSerializer's body, without them (core.api.schema).
        viewer_dependent_fields = ("learned", "action_items")


class SessionWriteSerializer(serializers.Serializer[Any]):
    held_on = serializers.DateField()
    duration_minutes = serializers.IntegerField(help_text="1 to 600")
    format = serializers.ChoiceField(choices=SessionFormat.choices, default=SessionFormat.VIDEO)
    topics = id_list("Ids of the program's focus topics")
    learned = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default=""
    )
    action_items = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default=""
    )


class SessionConfirmSerializer(serializers.Serializer[Any]):
    """Optional corrections the partner makes while confirming; the audit log keeps both."""

    held_on = serializers.DateField(required=False)
    duration_minutes = serializers.IntegerField(required=False)
    format = serializers.ChoiceField(choices=SessionFormat.choices, required=False)
    topics = id_list("Ids of the program's focus topics (replaces the logged ones)")


class SessionCorrectSerializer(serializers.Serializer[Any]):
    """The session's facts as they really were (the pair page's correction form): every fact is
    given; the partner's session is confirmed with them. ``topics`` replaces the logged ones (an
    empty list clears them)."""

    held_on = serializers.DateField()
    duration_minutes = serializers.IntegerField(help_text="1 to 600")
    format = serializers.ChoiceField(choices=SessionFormat.choices)
    topics = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        help_text="Ids of the program's focus topics (replaces the logged ones)",
    )


class SessionLogSerializer(SessionWriteSerializer):
    """Logging a session may add the pair's notes about it, all in one step (all or nothing)."""

    shared_note = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text="Optional. Your partner sees it too; the program team never does.",
    )
    private_note = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text="Optional. Only you see it.",
    )


# --- Planned sessions ------------------------------------------------------------------------------


class PlannedSessionFactsSerializer(serializers.ModelSerializer[PlannedSession]):
    """A planned session as the program's staff see it: when, how long, whether it still holds.
    Times are given with the program's offset (``time_zone``)."""

    ends_at = serializers.SerializerMethodField(help_text="Null for a day without a time.")
    time_zone = serializers.SerializerMethodField(help_text="The program's time zone.")
    planned_by = serializers.IntegerField(source="planned_by_id", help_text="An enrolment id.")

    class Meta:
        model = PlannedSession
        fields: tuple[str, ...] = (
            "id",
            "pair",
            "starts_on",
            "starts_at",
            "ends_at",
            "minutes",
            "time_zone",
            "status",
            "sequence",
            "planned_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_ends_at(self, session: PlannedSession) -> datetime | None:
        if session.starts_at is None:
            return None
        return timezone.localtime(session.starts_at + timedelta(minutes=session.minutes))

    def get_time_zone(self, session: PlannedSession) -> str:
        return str(program_zone(session.pair.program))


class PlannedSessionSerializer(PlannedSessionFactsSerializer):
    """The pair's two people also get the place or link and the note."""

    class Meta(PlannedSessionFactsSerializer.Meta):
        fields = (*PlannedSessionFactsSerializer.Meta.fields, "location", "note")
        read_only_fields = fields
        viewer_dependent_fields = ("location", "note")


class PlannedSessionWriteSerializer(serializers.Serializer[Any]):
    """A day (``starts_on``, all day) or a start (``starts_at``); the length as ``minutes`` or an
    ``ends_at``. A time without an offset is read in the program's time zone."""

    starts_on = serializers.DateField(required=False, allow_null=True)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10_000, help_text="15 to 480"
    )
    location = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="A place or a link."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
