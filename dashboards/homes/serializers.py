"""The home API's body, read straight from the selector's dataclasses (the page shows the same)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from participants.next_step import STEP_ORDER


class HomeRateSerializer(serializers.Serializer[Any]):
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)


class HomeProgramSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="program.pk")
    name = serializers.CharField(source="program.name")
    status = serializers.CharField(source="program.status")
    enrolled = serializers.IntegerField()
    accepted = serializers.IntegerField()
    matched = serializers.IntegerField()
    active_pairs = serializers.IntegerField()
    sessions_this_month = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    contact_requests = serializers.IntegerField()
    awaiting_approval = serializers.IntegerField()
    review_waiting = serializers.IntegerField(
        allow_null=True, help_text="Open pairs without a review decision; null before the review"
    )
    response_rate = HomeRateSerializer()
    rounds_to_review = serializers.ListField(child=serializers.IntegerField())


class HomeAttentionSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=["approvals", "round_review", "at_risk", "contact", "review_queue"]
    )
    program = serializers.IntegerField(source="program.pk")
    count = serializers.IntegerField()
    text = serializers.CharField()
    url = serializers.CharField(source="href", help_text="The page that resolves it")


class HomeStaffSerializer(serializers.Serializer[Any]):
    programs = HomeProgramSerializer(many=True)
    attention = HomeAttentionSerializer(many=True)


class HomeStepSerializer(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=list(STEP_ORDER))
    text = serializers.CharField()
    button = serializers.CharField()
    url = serializers.CharField(
        source="href", allow_null=True, help_text="Null: nothing to do but wait"
    )


class HomeGoalSerializer(serializers.Serializer[Any]):
    description = serializers.CharField()
    owner = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    target_date = serializers.DateField(allow_null=True)


class HomePairSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    partner_name = serializers.CharField()
    partner_role = serializers.CharField()
    last_session_on = serializers.DateField(allow_null=True)
    next_session_due = serializers.DateField(allow_null=True)
    goals = HomeGoalSerializer(many=True)


class HomeEnrollmentSerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField(source="program_pk")
    program_name = serializers.CharField()
    role = serializers.CharField()
    status = serializers.CharField()
    next_step = HomeStepSerializer(allow_null=True)
    steps = HomeStepSerializer(many=True)
    pairs = HomePairSerializer(many=True)


class HomeParticipantSerializer(serializers.Serializer[Any]):
    enrollments = HomeEnrollmentSerializer(many=True)


class HomeSerializer(serializers.Serializer[Any]):
    role = serializers.CharField(source="membership.role")
    staff = HomeStaffSerializer(allow_null=True, help_text="Null for a member who is not staff")
    participant = HomeParticipantSerializer()
