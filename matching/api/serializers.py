"""Matching API bodies: rounds with status and progress, proposals with their explanations."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from matching.models import (
    MatchingBlock,
    MatchingPin,
    MatchingRound,
    Pair,
    ProposedPair,
    RoundMode,
    UnmatchedEntry,
)


class RoundSerializer(serializers.ModelSerializer[MatchingRound]):
    class Meta:
        model = MatchingRound
        fields = (
            "id",
            "program",
            "status",
            "weights",
            "rules",
            "mode",
            "stats",
            "progress",
            "progress_message",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "published_at",
            "rematch_for",
        )
        read_only_fields = fields


class RoundCreateSerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField()
    weights = serializers.DictField(
        child=serializers.JSONField(), help_text="{criterion: weight 0-10}, at least one above 0"
    )
    rules = serializers.DictField(
        child=serializers.JSONField(), required=False, default=dict, help_text="Hard-rule settings"
    )
    mode = serializers.ChoiceField(choices=RoundMode.choices, default=RoundMode.SCORE_FIRST)


class PartySerializer(serializers.Serializer[Any]):
    enrollment = serializers.IntegerField(source="pk")
    person = serializers.IntegerField(source="person_id")
    full_name = serializers.CharField(source="person.full_name")


class ProposalSerializer(serializers.ModelSerializer[ProposedPair]):
    mentor = PartySerializer()
    mentee = PartySerializer()

    class Meta:
        model = ProposedPair
        fields = (
            "id",
            "mentor",
            "mentee",
            "score",
            "breakdown",
            "rationale",
            "alternatives",
            "pinned",
        )
        read_only_fields = fields


class UnmatchedSerializer(serializers.ModelSerializer[UnmatchedEntry]):
    enrollment = PartySerializer()

    class Meta:
        model = UnmatchedEntry
        fields = ("id", "enrollment", "reason_code", "reason")
        read_only_fields = fields


class SwapSerializer(serializers.Serializer[Any]):
    pair_a = serializers.IntegerField()
    pair_b = serializers.IntegerField()
    preview = serializers.BooleanField(
        default=False, help_text="Only report the change in total score"
    )


class SwapResultSerializer(serializers.Serializer[Any]):
    delta = serializers.FloatField(help_text="Change in the round's total score")
    applied = serializers.BooleanField()


class PinBlockSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    program = serializers.IntegerField(source="program_id")
    mentor = serializers.IntegerField(source="mentor_id")
    mentee = serializers.IntegerField(source="mentee_id")
    created_at = serializers.DateTimeField(read_only=True)


class PinSerializer(PinBlockSerializer):
    class Meta:
        model = MatchingPin


class BlockSerializer(PinBlockSerializer):
    class Meta:
        model = MatchingBlock


class PairSerializer(serializers.ModelSerializer[Pair]):
    mentor = PartySerializer()
    mentee = PartySerializer()
    program_name = serializers.CharField(source="program.name")

    class Meta:
        model = Pair
        fields: tuple[str, ...] = (
            "id",
            "program",
            "program_name",
            "mentor",
            "mentee",
            "status",
            "score",
            "rationale",
            "source_round",
            "created_at",
            "ended_at",
            "ended_reason",
        )
        read_only_fields = fields


REMATCH_SIDES = ("mentee", "mentor")


class PairEndSerializer(serializers.Serializer[Any]):
    # Blank and over-long reasons are the service's to refuse, with the same field message as
    # on the page.
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)
    rematch = serializers.ListField(
        child=serializers.ChoiceField(choices=REMATCH_SIDES),
        required=False,
        default=list,
        help_text="Start a re-match for these people of the pair once it has ended",
    )


class PairEndResultSerializer(PairSerializer):
    rematch_rounds = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the re-match rounds started"
    )
    rematch_errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Why a re-match asked for was not started, by side",
    )

    class Meta(PairSerializer.Meta):
        fields = (*PairSerializer.Meta.fields, "rematch_rounds", "rematch_errors")
        read_only_fields = fields


class RematchSerializer(serializers.Serializer[Any]):
    enrollment = serializers.IntegerField(help_text="The mentee or mentor to re-match")


class FiguresSerializer(serializers.Serializer[Any]):
    matched = serializers.IntegerField()
    total = serializers.FloatField()
    mean = serializers.FloatField()
    minimum = serializers.FloatField()


class ChangeSerializer(serializers.Serializer[Any]):
    mentee_id = serializers.IntegerField()
    mentor_before = serializers.IntegerField(allow_null=True)
    mentor_after = serializers.IntegerField(allow_null=True)
    score_before = serializers.FloatField(allow_null=True)
    score_after = serializers.FloatField(allow_null=True)


class ComparisonSerializer(serializers.Serializer[Any]):
    before = FiguresSerializer()
    after = FiguresSerializer()
    unchanged = serializers.IntegerField()
    changes = ChangeSerializer(many=True)
