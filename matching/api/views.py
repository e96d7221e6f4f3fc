"""Matching API: published pairs (ending one) and re-matches. The rounds, pins and blocks are in
``matching.rounds.api``.

Pairs are visible to those who run the program and to the two people of each pair (with the
rationale: "why we were paired").
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from matching import access as pair_policy
from matching import pairs, selectors
from matching.api.serializers import (
    PairEndResultSerializer,
    PairEndSerializer,
    PairSerializer,
    RematchSerializer,
)
from matching.models import MatchingRound, Pair
from matching.rounds.api import RoundSerializer
from organizations.api.permissions import HasOrganizationRole, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import STAFF_ROLES, Membership
from participants.models import Enrollment
from programs.access import managed_programs


def _user(request: Request) -> User:
    return cast(User, request.user)


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # the permission class answered 404 otherwise
    return membership


class PairViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Pair]):
    """Published pairs: those of the programs you run, and your own with why you were paired."""

    ordering_fields = {
        "created": "created_at",
        "status": "status",
    }

    serializer_class = PairSerializer
    permission_classes = (HasOrganizationRole,)
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Pair]:
        return selectors.pair_list(membership=_membership(self.request), user=_user(self.request))

    def get_serializer_context(self) -> dict[str, Any]:
        """The reader, so each pair is serialised as they may see it (``pair.see_figures``)."""
        context = dict(super().get_serializer_context())
        membership = request_membership(self.request)
        if membership is not None:  # None only while the schema is generated
            context["pair_viewer"] = pair_policy.PairViewer(
                membership=membership, user=_user(self.request)
            )
        return context

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
        shown = PairSerializer(pair, context=self.get_serializer_context()).data
        body = {**shown, "rematch_rounds": started, "rematch_errors": errors}
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
