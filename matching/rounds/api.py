"""Rounds API: rounds (create, start, status and progress, proposals, unmatched, swap, compare,
publish), and the program's pins and blocks. Adapters over ``matching.rounds.use_cases``: parse the
request, call the use case, serialise what it returns.

Who may do what is ``matching.rounds.access``: members get 403 (whatever they send), a program or
round one does not run a 404 in the URL and a field error in the body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import DefaultCursorPagination
from core.api.params import id_param
from matching import selectors
from matching.api.serializers import PartySerializer
from matching.engine.impact import Impact
from matching.models import (
    MatchingBlock,
    MatchingPin,
    MatchingRound,
    ProposedPair,
    RoundMode,
    UnmatchedEntry,
)
from matching.rounds import access, config, use_cases
from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import Membership

# --- Bodies ---------------------------------------------------------------------------------------


class RoundSerializer(serializers.ModelSerializer[MatchingRound]):
    class Meta:
        model = MatchingRound
        fields = (
            "id",
            "number",
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


class ImpactRequestSerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField()
    rules = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text="Hard-rule settings, as for a new round (defaults for those left out)",
    )


class RuleImpactSerializer(serializers.Serializer[Any]):
    rule = serializers.CharField(help_text="The rule's name, as in ``rules``")
    label = serializers.CharField(help_text="What the rule requires, in words")  # type: ignore[assignment]
    excluded = serializers.IntegerField(help_text="Possible pairs this rule alone forbids")
    excluded_share = serializers.FloatField(help_text="``excluded`` over ``possible`` (0-1)")
    mentees_without = serializers.IntegerField(
        help_text="Mentees this rule alone leaves with no allowed mentor"
    )
    mentors_without = serializers.IntegerField(
        help_text="Mentors this rule alone leaves with no allowed mentee"
    )


class ImpactSerializer(serializers.Serializer[Any]):
    """What each hard rule removes among the program's people still free to match, before a round
    runs: the figures of the round form's table."""

    program = serializers.IntegerField()
    nobody = serializers.BooleanField(
        help_text="True when one side has nobody free to match: every figure is then 0 or null"
    )
    mentees = serializers.IntegerField(help_text="Mentees still free to match")
    mentors = serializers.IntegerField(help_text="Mentors with a free place")
    possible = serializers.IntegerField(help_text="mentees times mentors")
    rules = RuleImpactSerializer(many=True, help_text="Each enabled rule on its own")
    allowed = serializers.IntegerField(help_text="Pairs all the rules together still allow")
    allowed_share = serializers.FloatField(help_text="``allowed`` over ``possible`` (0-1)")
    mentees_without = serializers.IntegerField(help_text="Mentees with no allowed mentor at all")
    mentors_without = serializers.IntegerField(help_text="Mentors with no allowed mentee at all")
    most_pairs = serializers.IntegerField(
        allow_null=True,
        help_text="The most pairs any round could make under these rules (null: not computed, "
        "the cohort is too large)",
    )
    no_pairs = serializers.BooleanField(help_text="True when these rules leave no pair possible")


def impact_body(program_id: int, rules: dict[str, Any], impact: Impact | None) -> dict[str, Any]:
    if impact is None:
        return {
            "program": program_id,
            "nobody": True,
            "mentees": 0,
            "mentors": 0,
            "possible": 0,
            "rules": [],
            "allowed": 0,
            "allowed_share": 0.0,
            "mentees_without": 0,
            "mentors_without": 0,
            "most_pairs": None,
            "no_pairs": True,
        }
    hard = config.hard_rules(rules)
    return {
        "program": program_id,
        "nobody": False,
        "mentees": impact.mentees,
        "mentors": impact.mentors,
        "possible": impact.possible,
        "rules": [
            {
                "rule": item.rule,
                "label": hard.label(item.rule),
                "excluded": item.excluded,
                "excluded_share": impact.share(item.excluded),
                "mentees_without": item.mentees_without,
                "mentors_without": item.mentors_without,
            }
            for item in impact.rules
        ],
        "allowed": impact.allowed,
        "allowed_share": impact.share(impact.allowed),
        "mentees_without": impact.mentees_without,
        "mentors_without": impact.mentors_without,
        "most_pairs": impact.most_pairs,
        "no_pairs": impact.allowed == 0 or impact.most_pairs == 0,
    }


class StartSerializer(serializers.Serializer[Any]):
    swaps = serializers.ChoiceField(
        choices=[("pin", "Pin the swapped pairs"), ("discard", "Discard the swaps")],
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the round has swapped pairs: what a re-run does with them",
    )


class ProposalPartySerializer(PartySerializer):
    """A person of a proposal, with what the reviewer weighs: their level and job title."""

    level = serializers.IntegerField(source="person.level", allow_null=True)
    job_title = serializers.CharField(source="person.job_title")


class ProposalSerializer(serializers.ModelSerializer[ProposedPair]):
    mentor = ProposalPartySerializer()
    mentee = ProposalPartySerializer()

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
            "swapped",
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
    before_round = serializers.IntegerField(help_text="The earlier of the two rounds (its id)")
    after_round = serializers.IntegerField(
        help_text="The later round: every difference reads later minus earlier"
    )
    before = FiguresSerializer()
    after = FiguresSerializer()
    unchanged = serializers.IntegerField()
    changes = ChangeSerializer(many=True)


class WhatIfFiguresSerializer(serializers.Serializer[Any]):
    matched = serializers.IntegerField()
    unmatched = serializers.IntegerField(help_text="Mentees and mentors left without a pair")
    total = serializers.FloatField()
    mean = serializers.FloatField()
    minimum = serializers.FloatField(help_text="The lowest pair score")


class WhatIfSerializer(serializers.Serializer[Any]):
    after = WhatIfFiguresSerializer(help_text="What a round with this config would propose")
    base_round = serializers.IntegerField(
        allow_null=True, help_text="The latest computed round compared with (null: none yet)"
    )
    before = WhatIfFiguresSerializer(allow_null=True, help_text="That round's figures")
    gained = serializers.IntegerField(help_text="Pairs proposed that the latest round lacks")
    lost = serializers.IntegerField(help_text="Pairs of the latest round no longer proposed")
    unchanged = serializers.IntegerField()
    mentees = serializers.IntegerField(help_text="Mentees still free to match")
    mentors = serializers.IntegerField(help_text="Mentors with a free place")
    seconds = serializers.FloatField(help_text="Server time of the preview")


def what_if_body(summary: Any) -> dict[str, Any]:
    return {
        "after": summary.after,
        "base_round": summary.base.pk if summary.base is not None else None,
        "before": summary.before,
        "gained": summary.gained,
        "lost": summary.lost,
        "unchanged": summary.unchanged,
        "mentees": summary.mentees,
        "mentors": summary.mentors,
        "seconds": summary.seconds,
    }


# --- Endpoints ------------------------------------------------------------------------------------


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # the permission class answered 404 otherwise
    return membership


class MatchingStaffOnly(IsOrganizationMember):
    """Members of the organisation (others: 404) whose role the rounds policy lets work on
    matching; members are refused before their request is read (403, the policy's reason)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        super().has_permission(request, view)
        membership = request_membership(request)
        if membership is None:
            raise NotFound()
        access.require_staff_role(membership)
        return True


class ProposalPagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("-score", "id")  # type: ignore[assignment]


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("program", int, description="Only this program")]
    )
)
class RoundViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[MatchingRound]
):
    """Matching rounds of the programs you run. Create a draft with weights, rules and mode;
    ``start`` runs it in the background (poll ``progress``); review ``proposals`` and ``unmatched``,
    ``swap`` two partners, ``compare`` with another round, then ``publish``. Before creating one,
    ``impact`` shows what each hard rule would remove."""

    serializer_class = RoundSerializer
    permission_classes = (MatchingStaffOnly,)
    lookup_value_regex = ID_REGEX
    # A what-if only computes: a read-only token may ask it (organizations.api.authentication).
    read_only_token_actions = ("what_if",)

    @property
    def ordering_fields(self) -> dict[str, str]:
        """``?ordering=`` of the rounds, and of a round's proposals and unmatched people."""
        if self.action == "proposals":
            return {"score": "score"}
        if self.action == "unmatched":
            return {"reason": "reason_code"}
        return {"number": "number", "status": "status", "created": "created_at"}

    def get_queryset(self) -> QuerySet[MatchingRound]:
        rounds = access.visible_rounds(_membership(self.request))
        program = id_param(self.request, "program") if self.action == "list" else None
        if program is not None:
            rounds = rounds.filter(program_id=program)
        return rounds

    def _round(self) -> MatchingRound:
        """The URL's round, resolved before the body is read (404 first)."""
        return use_cases.view_round(actor=_membership(self.request), round_id=self._round_id())

    def _round_id(self) -> int:
        return int(self.kwargs["pk"])

    @extend_schema(request=RoundCreateSerializer, responses={201: RoundSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RoundCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        matching_round = use_cases.create_round(
            actor=_membership(request),
            program_id=data["program"],
            weights=data["weights"],
            rules=data["rules"],
            mode=data["mode"],
        )
        return Response(RoundSerializer(matching_round).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ImpactRequestSerializer,
        responses={200: ImpactSerializer},
        description="What each hard rule would remove in the program's next round, before it "
        "runs (the figures of the round form's table); changes nothing. Same policy as "
        "viewing the program's matching.",
    )
    @action(detail=False, methods=["post"])
    def impact(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ImpactRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        impact = use_cases.check_rules(
            actor=_membership(request),
            program_id=data["program"],
            rules=data["rules"],
            program_in_body=True,
        )
        return Response(ImpactSerializer(impact_body(data["program"], data["rules"], impact)).data)

    @extend_schema(request=RoundCreateSerializer, responses=WhatIfSerializer)
    @action(detail=False, methods=["post"], url_path="what-if", url_name="what-if")
    def what_if(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """What a round with this config would propose (pairs gained and lost against the
        program's latest round, matched, total and lowest score), computed now and not stored."""
        payload = RoundCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        summary = use_cases.preview_round(
            actor=_membership(request),
            program_id=data["program"],
            weights=data["weights"],
            rules=data["rules"],
            mode=data["mode"],
        )
        return Response(WhatIfSerializer(what_if_body(summary)).data)

    @extend_schema(request=StartSerializer, responses={202: RoundSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = StartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        matching_round = use_cases.start_round(
            actor=_membership(request),
            round_id=self._round_id(),
            swaps=payload.validated_data["swaps"],
        )
        return Response(RoundSerializer(matching_round).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: RoundSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        published = use_cases.publish_round(actor=_membership(request), round_id=self._round_id())
        return Response(RoundSerializer(published.round).data)

    @extend_schema(
        parameters=[OpenApiParameter("with", int, required=True, description="The other round")],
        responses=ComparisonSerializer,
    )
    @action(detail=True, methods=["get"])
    def compare(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        matching_round = self._round()
        other_id = id_param(request, "with", message=use_cases.COMPARE_WITH)
        if other_id is None:
            raise ValidationError({"with": [use_cases.COMPARE_WITH]})
        compared = use_cases.compare_rounds(
            actor=_membership(request), round_id=matching_round.pk, other_id=other_id
        )
        comparison = compared.comparison
        body = {
            "before_round": compared.before.pk,
            "after_round": compared.after.pk,
            "before": comparison.before,
            "after": comparison.after,
            "unchanged": comparison.unchanged,
            "changes": comparison.changes,
        }
        return Response(ComparisonSerializer(body).data)

    @extend_schema(responses=ProposalSerializer(many=True))
    @action(detail=True, methods=["get"])
    def proposals(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        proposals = selectors.proposal_list(matching_round=self._round())
        paginator = ProposalPagination()
        page = paginator.paginate_queryset(proposals, request, view=self)
        return paginator.get_paginated_response(ProposalSerializer(page, many=True).data)

    @extend_schema(responses=UnmatchedSerializer(many=True))
    @action(detail=True, methods=["get"])
    def unmatched(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entries = selectors.unmatched_list(matching_round=self._round())
        paginator = DefaultCursorPagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(UnmatchedSerializer(page, many=True).data)

    @extend_schema(request=SwapSerializer, responses=SwapResultSerializer)
    @action(detail=True, methods=["post"])
    def swap(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        matching_round = self._round()
        payload = SwapSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        outcome = use_cases.swap_partners(
            actor=_membership(request),
            round_id=matching_round.pk,
            pair_a_id=data["pair_a"],
            pair_b_id=data["pair_b"],
            apply=not data["preview"],
        )
        return Response(
            SwapResultSerializer({"delta": outcome.delta, "applied": outcome.applied}).data
        )


class _ProgramPairRuleViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Any],
):
    permission_classes = (MatchingStaffOnly,)
    lookup_value_regex = ID_REGEX
    # The use case that adds one: ``use_cases.pin_pair`` or ``use_cases.block_pair``.
    add: Callable[..., Any]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        rule = type(self).add(
            actor=_membership(request),
            program_id=data["program_id"],
            mentor_id=data["mentor_id"],
            mentee_id=data["mentee_id"],
        )
        return Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)


class PinViewSet(_ProgramPairRuleViewSet):
    """Pairs forced into every round of a program (refused when one breaks a hard rule)."""

    ordering_fields = {"created": "created_at"}

    serializer_class = PinSerializer

    def get_queryset(self) -> QuerySet[MatchingPin]:
        return access.visible_pins(_membership(self.request))

    add = staticmethod(use_cases.pin_pair)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        use_cases.remove_pin(actor=_membership(request), pin_id=int(kwargs["pk"]))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockViewSet(_ProgramPairRuleViewSet):
    """Pairs that no round of a program may propose."""

    ordering_fields = {"created": "created_at"}

    serializer_class = BlockSerializer

    def get_queryset(self) -> QuerySet[MatchingBlock]:
        return access.visible_blocks(_membership(self.request))

    add = staticmethod(use_cases.block_pair)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        use_cases.remove_block(actor=_membership(request), block_id=int(kwargs["pk"]))
        return Response(status=status.HTTP_204_NO_CONTENT)
