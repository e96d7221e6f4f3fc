"""Relationship API bodies: sessions, notes, goals and the pair's lifecycle.

What a viewer receives is decided by ``feedback.visibility``, never here: the views pick the
serializer from :class:`~feedback.visibility.PairAccess`. Text written by the pair (session text, goal
update comments) has its own serializer, so a staff body cannot contain it even by mistake; notes
are serialised for the pair's members only.

Request bodies keep the type checks (dates, whole numbers, lists of ids) and leave the domain rules
(ranges, lengths, whose turn it is) to the services, so the API and the pages give the same field
messages.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from feedback.models import (
    Goal,
    GoalOwner,
    GoalStatus,
    GoalUpdate,
    Note,
    NoteVisibility,
)
from matching.api.serializers import PairSerializer
from matching.models import Pair, PairStatus

# Ids travel as bigints: a larger number is a field error here, not a database error later.
MAX_ID = 2**63 - 1


def id_list(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        help_text=help_text,
    )


class PairHoursSerializer(serializers.Serializer[Any]):
    sessions = serializers.IntegerField()
    confirmed_minutes = serializers.IntegerField()
    confirmed_hours = serializers.FloatField()
    awaiting = serializers.IntegerField(help_text="Sessions waiting for the partner")
    drafts = serializers.IntegerField(help_text='"We met" sessions still to fill in')


# --- Notes ---------------------------------------------------------------------------------------


class NoteSerializer(serializers.ModelSerializer[Note]):
    """Only ever serialised for the pair's members (their own notes and the shared ones)."""

    class Meta:
        model = Note
        fields = (
            "id",
            "pair",
            "author",
            "session",
            "visibility",
            "text",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class NoteWriteSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)
    visibility = serializers.ChoiceField(choices=NoteVisibility.choices)
    session = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="A session of this pair the note is about (set when the note is written)",
    )


# --- Goals ---------------------------------------------------------------------------------------


class GoalUpdateSerializer(serializers.ModelSerializer[GoalUpdate]):
    class Meta:
        model = GoalUpdate
        fields = ("id", "goal", "author", "progress", "comment", "created_at")
        read_only_fields = fields


class GoalFactsSerializer(serializers.ModelSerializer[Goal]):
    """A goal as staff see it: whose, what, by when, how far."""

    class Meta:
        model = Goal
        fields: tuple[str, ...] = (
            "id",
            "pair",
            "owner",
            "description",
            "target_date",
            "progress",
            "status",
            "created_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class GoalSerializer(GoalFactsSerializer):
    """A goal as its pair sees it, with the updates and their comments (newest first)."""

    updates = GoalUpdateSerializer(
        many=True,
        read_only=True,
        source="visible_updates",
        help_text="Only ever sent to the pair's two people, never to staff.",
    )

    class Meta(GoalFactsSerializer.Meta):
        fields = (*GoalFactsSerializer.Meta.fields, "updates")
        read_only_fields = fields
        # Staff get GoalFactsSerializer's body, without them (core.api.schema).
        viewer_dependent_fields = ("updates",)


class GoalWriteSerializer(serializers.Serializer[Any]):
    owner = serializers.ChoiceField(choices=GoalOwner.choices)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False)
    target_date = serializers.DateField(required=False, allow_null=True, default=None)


class GoalProgressSerializer(serializers.Serializer[Any]):
    progress = serializers.IntegerField(help_text="0 to 100 (%)")
    comment = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default=""
    )
    # A plain string checked by the service: one enum per name keeps the schema's enums unambiguous.
    status = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            f"One of {', '.join(GoalStatus.values)}; by default 100 % is achieved and anything "
            "less open"
        ),
    )


# --- Pair lifecycle ------------------------------------------------------------------------------


class PairLifecycleSerializer(PairSerializer):
    """The pair with its dates, after a lifecycle action."""

    # See GoalProgressSerializer.status: the pair's status enum is described on ``Pair``.
    status = serializers.CharField(
        read_only=True, help_text=f"One of {', '.join(PairStatus.values)}"
    )

    class Meta(PairSerializer.Meta):
        model = Pair
        fields = (
            *PairSerializer.Meta.fields,
            "activated_at",
            "paused_until",
            "ends_on",
            "completed_at",
        )
        read_only_fields = fields


class PairPauseSerializer(serializers.Serializer[Any]):
    resume_on = serializers.DateField(help_text="The pair resumes on this date (after today)")


class PairExtendSerializer(serializers.Serializer[Any]):
    ends_on = serializers.DateField(help_text="The pair's new end date (later than its current)")


class PairRematchSerializer(serializers.Serializer[Any]):
    # Blank and over-long reasons are the service's to refuse, with the page's field message.
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)
