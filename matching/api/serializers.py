"""Matching API bodies: pairs with their people and why they were paired, ending a pair, re-matching
one person (the rounds' bodies are in ``matching.rounds.api``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from matching.access import PairRoles, PairViewer, rationale_as_seen, score_as_seen
from matching.models import Pair


class PartySerializer(serializers.Serializer[Any]):
    enrollment = serializers.IntegerField(source="pk")
    person = serializers.IntegerField(source="person_id")
    full_name = serializers.CharField(source="person.full_name")


class PairSerializer(serializers.ModelSerializer[Pair]):
    """A pair as its reader may see it (``matching.access``, ``pair.see_figures``): the program's
    staff get the raw match score and the full rationale; the pair's two people neither the score
    nor "pinned by an administrator". The reader comes in the context (``pair_viewer``, a
    :class:`~matching.access.PairViewer`); without one, the pair's view is given."""

    mentor = PartySerializer()
    mentee = PartySerializer()
    program_name = serializers.CharField(source="program.name")
    score = serializers.FloatField(
        read_only=True,
        help_text="The raw match score (0-100). Only sent to the program's staff.",
    )
    rationale = serializers.CharField(
        read_only=True,
        help_text="Why they were paired. The pair's people read it without the program team's "
        "remarks (a pin).",
    )

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
        viewer_dependent_fields: tuple[str, ...] = ("score",)

    def to_representation(self, instance: Pair) -> dict[str, Any]:
        body: dict[str, Any] = super().to_representation(instance)
        viewer = self.context.get("pair_viewer")
        roles = (
            viewer.roles(instance)
            if isinstance(viewer, PairViewer)
            else PairRoles(pair=instance, enrollment=None, is_staff=False)
        )
        if score_as_seen(instance.score, roles) is None:
            body.pop("score", None)
        body["rationale"] = rationale_as_seen(instance.rationale, roles)
        return body


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
        viewer_dependent_fields = ("score",)


class RematchSerializer(serializers.Serializer[Any]):
    enrollment = serializers.IntegerField(help_text="The mentee or mentor to re-match")
