"""Matching API: rounds (create, start, status/progress, proposals, swap, unmatched, compare,
publish), pins and blocks, and pairs.

Rounds, pins and blocks are for admins and the coordinators of the program (members get 403,
another organisation's ids 404). Pairs are visible to those who run the program and to the two
people of each pair (with the rationale: "why we were paired").
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.pagination import DefaultCursorPagination
from core.api.params import id_param
from matching import access as pair_policy
from matching import pairs, selectors, services
from matching.api.serializers import (
    BlockSerializer,
    ComparisonSerializer,
    PairEndResultSerializer,
    PairEndSerializer,
    PairSerializer,
    PinSerializer,
    ProposalSerializer,
    RematchSerializer,
    RoundCreateSerializer,
    RoundSerializer,
    SwapResultSerializer,
    SwapSerializer,
    UnmatchedSerializer,
)
from matching.models import MatchingBlock, MatchingPin, MatchingRound, Pair, ProposedPair
from organizations.api.permissions import HasOrganizationRole, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import STAFF_ROLES, Membership
from participants.models import Enrollment
from programs.access import managed_programs
from programs.models import Program


class ProposalPagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("-score", "id")  # type: ignore[assignment]


def _user(request: Request) -> User:
    return cast(User, request.user)


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # the permission class answered 404 otherwise
    return membership


def _managed_program(request: Request, program_id: int) -> Program:
    program = managed_programs(_membership(request)).filter(pk=program_id).first()
    if program is None:
        raise ValidationError({"program": ["Unknown program."]})
    return program


def _enrollment(program: Program, field: str, enrollment_id: int) -> Enrollment:
    enrollment = Enrollment.objects.filter(program=program, pk=enrollment_id).first()
    if enrollment is None:
        raise ValidationError({field: ["Unknown enrolment in this program."]})
    return enrollment


@extend_schema(parameters=[OpenApiParameter("program", int, description="Only this program")])
class RoundViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[MatchingRound]
):
    """Matching rounds of the programs you run. Create a draft with weights, rules and mode;
    ``start`` runs it in the background (poll ``progress``); review ``proposals`` and ``unmatched``,
    ``swap`` two partners, ``compare`` with another round, then ``publish``."""

    serializer_class = RoundSerializer
    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[MatchingRound]:
        rounds = selectors.round_list(membership=_membership(self.request))
        program = id_param(self.request, "program")
        if program is not None:
            rounds = rounds.filter(program_id=program)
        return rounds

    @extend_schema(request=RoundCreateSerializer, responses={201: RoundSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RoundCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        matching_round = services.round_create(
            program=_managed_program(request, data["program"]),
            actor=_user(request),
            weights=data["weights"],
            rules=data["rules"],
            mode=data["mode"],
        )
        return Response(RoundSerializer(matching_round).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: RoundSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        matching_round = services.round_start(
            matching_round=self.get_object(), actor=_user(request)
        )
        return Response(RoundSerializer(matching_round).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: RoundSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        matching_round = self.get_object()
        services.round_publish(matching_round=matching_round, actor=_user(request))
        return Response(RoundSerializer(matching_round).data)

    @extend_schema(
        parameters=[OpenApiParameter("with", int, required=True, description="The other round")],
        responses=ComparisonSerializer,
    )
    @action(detail=True, methods=["get"])
    def compare(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        matching_round = self.get_object()
        message = "Give the id of the round to compare with."
        other_id = id_param(request, "with", message=message)
        if other_id is None:
            raise ValidationError({"with": [message]})
        other = self.get_queryset().filter(pk=other_id).first()
        if other is None:
            raise ValidationError({"with": ["Unknown round."]})
        comparison = services.round_compare(round_a=matching_round, round_b=other)
        body = {
            "before": comparison.before,
            "after": comparison.after,
            "unchanged": comparison.unchanged,
            "changes": comparison.changes,
        }
        return Response(ComparisonSerializer(body).data)

    @extend_schema(responses=ProposalSerializer(many=True))
    @action(detail=True, methods=["get"])
    def proposals(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        proposals = selectors.proposal_list(matching_round=self.get_object())
        paginator = ProposalPagination()
        page = paginator.paginate_queryset(proposals, request, view=self)
        return paginator.get_paginated_response(ProposalSerializer(page, many=True).data)

    @extend_schema(responses=UnmatchedSerializer(many=True))
    @action(detail=True, methods=["get"])
    def unmatched(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entries = selectors.unmatched_list(matching_round=self.get_object())
        paginator = DefaultCursorPagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(UnmatchedSerializer(page, many=True).data)

    @extend_schema(request=SwapSerializer, responses=SwapResultSerializer)
    @action(detail=True, methods=["post"])
    def swap(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        matching_round = self.get_object()
        payload = SwapSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        pairs = ProposedPair.objects.filter(round=matching_round)
        found = []
        for field in ("pair_a", "pair_b"):
            pair = pairs.filter(pk=payload.validated_data[field]).first()
            if pair is None:
                raise ValidationError({field: ["Unknown pair of this round."]})
            found.append(pair)
        preview = payload.validated_data["preview"]
        delta = services.swap(
            matching_round=matching_round,
            pair_a=found[0],
            pair_b=found[1],
            actor=_user(request),
            apply=not preview,
        )
        return Response(SwapResultSerializer({"delta": delta, "applied": not preview}).data)


class _ProgramPairRuleViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Any],
):
    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    lookup_value_regex = ID_REGEX

    def _program_and_pair(self, request: Request) -> tuple[Program, Enrollment, Enrollment]:
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        program = _managed_program(request, data["program_id"])
        return (
            program,
            _enrollment(program, "mentor", data["mentor_id"]),
            _enrollment(program, "mentee", data["mentee_id"]),
        )


class PinViewSet(_ProgramPairRuleViewSet):
    """Pairs forced into every round of a program (refused when one breaks a hard rule)."""

    serializer_class = PinSerializer

    def get_queryset(self) -> QuerySet[MatchingPin]:
        return selectors.pin_list(membership=_membership(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        program, mentor, mentee = self._program_and_pair(request)
        pin = services.pin_create(
            program=program, actor=_user(request), mentor=mentor, mentee=mentee
        )
        return Response(PinSerializer(pin).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.pin_delete(pin=self.get_object(), actor=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockViewSet(_ProgramPairRuleViewSet):
    """Pairs that no round of a program may propose."""

    serializer_class = BlockSerializer

    def get_queryset(self) -> QuerySet[MatchingBlock]:
        return selectors.block_list(membership=_membership(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        program, mentor, mentee = self._program_and_pair(request)
        block = services.block_create(
            program=program, actor=_user(request), mentor=mentor, mentee=mentee
        )
        return Response(BlockSerializer(block).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.block_delete(block=self.get_object(), actor=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PairViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Pair]):
    """Published pairs: those of the programs you run, and your own with why you were paired."""

    serializer_class = PairSerializer
    permission_classes = (HasOrganizationRole,)
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Pair]:
        return selectors.pair_list(membership=_membership(self.request), user=_user(self.request))

    @extend_schema(request=PairEndSerializer, responses={200: PairEndResultSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """End the pair (staff of its program; its two people get 403), then start the
        re-matches asked for. A refused re-match does not undo the end: it is reported in
        ``rematch_errors``."""
        roles = pair_policy.pair_roles(
            int(self.kwargs["pk"]), membership=_membership(request), user=_user(request)
        )
        roles.access.require(pair_policy.END)
        payload = PairEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        outcome = pairs.pair_end_and_rematch(
            pair=roles.pair, actor=_user(request), reason=data["reason"], rematch=data["rematch"]
        )
        pair = outcome.pair
        started = [matching_round.pk for matching_round in outcome.rounds.values()]
        errors = outcome.refusals
        body = {**PairSerializer(pair).data, "rematch_rounds": started, "rematch_errors": errors}
        return Response(body)


class RematchViewSet(viewsets.GenericViewSet[MatchingRound]):
    """Re-match one person: a small round over them and the other side's free places, with the
    config of the program's latest round. Review and publish it like any round."""

    serializer_class = RematchSerializer
    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES

    def get_queryset(self) -> QuerySet[MatchingRound]:
        return selectors.round_list(membership=_membership(self.request))

    @extend_schema(request=RematchSerializer, responses={201: RoundSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RematchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        enrollment = (
            Enrollment.objects.filter(
                program__in=managed_programs(_membership(request)),
                pk=payload.validated_data["enrollment"],
            )
            .select_related("program", "person")
            .first()
        )
        if enrollment is None:
            raise ValidationError({"enrollment": ["Unknown enrolment in the programs you run."]})
        matching_round = pairs.rematch_start(enrollment=enrollment, actor=_user(request))
        return Response(RoundSerializer(matching_round).data, status=status.HTTP_201_CREATED)
