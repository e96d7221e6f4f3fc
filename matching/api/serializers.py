"""Matching API bodies: pairs with their people and why they were paired, ending a pair, re-matching
one person (the rounds' bodies are in ``matching.rounds.api``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from matching.models import Pair


class PartySerializer(serializers.Serializer[Any]):
    enrollment = serializers.IntegerField(source="pk")
    person = serializers.IntegerField(source="person_id")
    full_name = serializers.CharField(source="person.full_name")


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
