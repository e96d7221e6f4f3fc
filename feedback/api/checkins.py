"""Check-ins API: one's own check-ins (and answering them), and a program's check-ins for its staff.

Same policy as the pages (``feedback.visibility``): a check-in and its answers are visible to the
person it was sent to and to the staff who run the program; never to the partner, for whom it does
not exist (404). Only the person it was sent to answers it; staff who can see it get 403.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.pagination import DefaultCursorPagination
from core.api.params import bool_param, choice_param, id_param
from feedback import checkins
from feedback.models import CheckIn, CheckInStatus
from feedback.visibility import ANSWER_CHECK_IN, check_in_access
from organizations.api.permissions import HasOrganizationRole, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import Membership
from programs.access import managed_programs


class CheckInSerializer(serializers.ModelSerializer[CheckIn]):
    person = serializers.CharField(source="enrollment.person.full_name", read_only=True)
    program = serializers.IntegerField(source="pair.program_id", read_only=True)
    closes_on = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = (
            "id",
            "program",
            "pair",
            "enrollment",
            "person",
            "due_on",
            "closes_on",
            "status",
            "sent_at",
            "reminders_sent",
            "answered_at",
            "rating",
            "blockers",
            "wants_contact",
        )
        read_only_fields = fields

    def get_closes_on(self, check_in: CheckIn) -> str:
        return checkins.closes_on(check_in).isoformat()


class CheckInAnswerSerializer(serializers.Serializer[Any]):
    rating = serializers.IntegerField(
        min_value=1,
        max_value=5,
        error_messages={
            "required": "Choose how it is going, from 1 (not well) to 5 (very well).",
            "invalid": "Give a whole number from 1 to 5.",
            "min_value": "Give a whole number from 1 to 5.",
            "max_value": "Give a whole number from 1 to 5.",
        },
    )
    blockers = serializers.CharField(
        required=False, allow_blank=True, max_length=checkins.BLOCKERS_MAX_LENGTH, default=""
    )
    wants_contact = serializers.BooleanField(required=False, default=False)


class CheckInPagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("-due_on", "-id")  # type: ignore[assignment]


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # the permission class answered 404 otherwise
    return membership


def visible_check_ins(*, membership: Membership, user: User) -> QuerySet[CheckIn]:
    """One's own check-ins that went out, plus every check-in of the programs one runs."""
    own = Q(enrollment__person__user=user) & ~Q(
        status__in=(CheckInStatus.PLANNED, CheckInStatus.CANCELLED)
    )
    visible = own
    if membership.is_staff_role:
        visible |= Q(pair__program__in=managed_programs(membership))
    return CheckIn.objects.filter(visible).select_related("pair", "enrollment__person")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("program", int, description="Only this program's check-ins"),
            OpenApiParameter("pair", int, description="Only this pair's check-ins"),
            OpenApiParameter(
                "status", str, enum=CheckInStatus.values, description="Only this status"
            ),
            OpenApiParameter("mine", bool, description="Only my own check-ins"),
        ]
    )
)
class CheckInViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[CheckIn]
):
    """Check-ins with their answers: your own, and those of the programs you run."""

    ordering_fields = {"due_on": "due_on", "status": "status"}

    serializer_class = CheckInSerializer
    permission_classes = (HasOrganizationRole,)
    pagination_class = CheckInPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[CheckIn]:
        user = cast(User, self.request.user)
        queryset = visible_check_ins(membership=_membership(self.request), user=user)
        if self.action != "list":
            return queryset
        program = id_param(self.request, "program")
        if program is not None:
            queryset = queryset.filter(pair__program_id=program)
        pair = id_param(self.request, "pair")
        if pair is not None:
            queryset = queryset.filter(pair_id=pair)
        status = choice_param(self.request, "status", CheckInStatus.values)
        if status:
            queryset = queryset.filter(status=status)
        if bool_param(self.request, "mine"):
            queryset = queryset.filter(enrollment__person__user=user)
        return queryset

    @extend_schema(request=CheckInAnswerSerializer, responses={200: CheckInSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Answer your own check-in once: rating 1 to 5, optional blockers, and whether you would
        like the program coordinator to contact you (your partner never sees any of it)."""
        check_in = self.get_object()
        access = check_in_access(
            check_in, membership=_membership(request), user=cast(User, request.user)
        )
        if access is None:  # visible_check_ins already limits get_object(); belt and braces
            raise NotFound()
        access.require(ANSWER_CHECK_IN)  # before the body is read
        payload = CheckInAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        answered = checkins.check_in_answer(
            check_in=check_in,
            answer=checkins.clean_answer(
                rating=data["rating"],
                blockers=data["blockers"],
                wants_contact=data["wants_contact"],
            ),
            actor=cast(User, request.user),
        )
        return Response(CheckInSerializer(answered).data)
