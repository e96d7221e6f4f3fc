"""Engagement and mid-review API: nightly engagement snapshots (read-only) and review decisions
(list, read, record).

Both are staff-only by ``feedback.visibility``: admins see every program's, coordinators those of
the programs they run, plain members get 403 (even for their own pair), other organisations 404.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.pagination import DefaultCursorPagination
from core.api.params import choice_param, id_param, single_param
from feedback import review
from feedback.models import EngagementLevel, EngagementSnapshot, ReviewDecision, ReviewDecisionKind
from feedback.visibility import access_for
from organizations.api.permissions import HasOrganizationRole, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import STAFF_ROLES, Membership

# --- Serializers --------------------------------------------------------------------------------


class ReasonSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    text = serializers.CharField()
    points = serializers.IntegerField()


class EngagementSnapshotSerializer(serializers.ModelSerializer[EngagementSnapshot]):
    program = serializers.IntegerField(source="pair.program_id", read_only=True)
    reasons = ReasonSerializer(many=True, read_only=True)

    class Meta:
        model = EngagementSnapshot
        fields = (
            "id",
            "pair",
            "program",
            "computed_on",
            "score",
            "level",
            "reasons",
            "nudges_sent",
        )
        read_only_fields = fields


class ReviewDecisionSerializer(serializers.ModelSerializer[ReviewDecision]):
    program = serializers.IntegerField(source="pair.program_id", read_only=True)
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = ReviewDecision
        fields = ("id", "pair", "program", "decision", "note", "decided_by", "created_at")
        read_only_fields = fields

    def get_decided_by(self, decision: ReviewDecision) -> str | None:
        user = decision.decided_by
        return str(user) if user is not None else None


class ReviewDecisionCreateSerializer(serializers.Serializer[Any]):
    pair = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    decision = serializers.ChoiceField(choices=ReviewDecisionKind.choices)
    note = serializers.CharField(
        max_length=review.NOTE_MAX_LENGTH, allow_blank=True, required=False, default=""
    )


# --- Views --------------------------------------------------------------------------------------


class SnapshotPagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("-computed_on", "-id")  # type: ignore[assignment]


class DecisionPagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("-created_at", "-id")  # type: ignore[assignment]


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # the permission class answered 404 otherwise
    return membership


def _filter_by_pair_and_program(request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
    program = id_param(request, "program")
    if program is not None:
        queryset = queryset.filter(pair__program_id=program)
    pair = id_param(request, "pair")
    if pair is not None:
        queryset = queryset.filter(pair_id=pair)
    return queryset


_FILTERS = [
    OpenApiParameter("program", int, description="Only this program"),
    OpenApiParameter("pair", int, description="Only this pair"),
]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *_FILTERS,
            OpenApiParameter(
                "level", str, enum=EngagementLevel.values, description="Only this level"
            ),
            OpenApiParameter("computed_on", str, description="Only this day (YYYY-MM-DD)"),
        ]
    )
)
class EngagementSnapshotViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[EngagementSnapshot]
):
    """Engagement scores (one a day per pair, refreshed as things happen) of the pairs in the
    programs you run, with their reasons."""

    ordering_fields = {
        "computed_on": "computed_on",
        "score": "score",
        "level": "level",
    }

    serializer_class = EngagementSnapshotSerializer
    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    lookup_value_regex = ID_REGEX
    pagination_class = SnapshotPagination

    def get_queryset(self) -> QuerySet[EngagementSnapshot]:
        snapshots = review.staff_snapshots(_membership(self.request))
        if self.action != "list":
            return snapshots
        snapshots = _filter_by_pair_and_program(self.request, snapshots)
        level = choice_param(self.request, "level", EngagementLevel.values)
        if level:
            snapshots = snapshots.filter(level=level)
        day = single_param(self.request, "computed_on")
        if day:
            try:
                parsed = serializers.DateField().to_internal_value(day)
            except ValidationError:
                raise ValidationError({"computed_on": ["Give a date as YYYY-MM-DD."]}) from None
            snapshots = snapshots.filter(computed_on=parsed)
        return snapshots


@extend_schema_view(list=extend_schema(parameters=_FILTERS))
class ReviewDecisionViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ReviewDecision],
):
    """Mid-program review decisions on the pairs of the programs you run. Recording one is a
    record only: re-pair, extend and close are done with the pair lifecycle endpoints."""

    ordering_fields = {
        "created": "created_at",
        "decision": "decision",
    }

    serializer_class = ReviewDecisionSerializer
    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    lookup_value_regex = ID_REGEX
    pagination_class = DecisionPagination

    def get_queryset(self) -> QuerySet[ReviewDecision]:
        decisions = review.staff_decisions(_membership(self.request))
        if self.action != "list":
            return decisions
        return _filter_by_pair_and_program(self.request, decisions)

    @extend_schema(
        request=ReviewDecisionCreateSerializer, responses={201: ReviewDecisionSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ReviewDecisionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        membership = _membership(request)
        user = cast(User, request.user)
        pair = (
            review.staff_pairs(membership)
            .select_related("mentor__person", "mentee__person")
            .filter(pk=data["pair"])
            .first()
        )
        access = access_for(pair, membership=membership, user=user) if pair is not None else None
        if pair is None or access is None or not access.sees_review_decisions:
            raise ValidationError({"pair": ["Unknown pair in the programs you run."]})
        decision = review.decision_record(
            pair=pair, actor=user, decision=data["decision"], note=data["note"]
        )
        return Response(ReviewDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
