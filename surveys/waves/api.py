"""Survey invitations API: one's own invitations (and answering them), and a program survey's
invitation statuses for the staff who run it.

Same policy as the pages (``surveys.access``): an invitation is visible to its own person and to
the staff of its program, who see statuses only (never answers; for an anonymous survey not even a
time). Only its own person answers it: staff who can see it get 403, before the body is read;
everyone else 404. The body is ``{"q<question id>": value}``, validated by the respondent's form:
a bad value is a 400 with the field's message, and nothing is stored.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.pagination import DefaultCursorPagination
from core.api.params import bool_param, choice_param, id_param
from organizations.api.permissions import HasOrganizationRole, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import Membership
from programs.access import managed_programs
from surveys.access import require_answer
from surveys.models import InvitationStatus, SurveyInvitation
from surveys.respond.use_cases import submit_answers


class SurveyInvitationSerializer(serializers.ModelSerializer[SurveyInvitation]):
    program = serializers.IntegerField(source="survey.program_id", read_only=True)
    wave = serializers.CharField(source="survey.wave", read_only=True)
    survey_title = serializers.CharField(source="survey.title", read_only=True)
    anonymous = serializers.BooleanField(source="survey.anonymous", read_only=True)
    person = serializers.CharField(source="enrollment.person.full_name", read_only=True)
    role = serializers.CharField(source="enrollment.role", read_only=True)

    class Meta:
        model = SurveyInvitation
        fields = (
            "id",
            "survey",
            "survey_title",
            "program",
            "wave",
            "anonymous",
            "enrollment",
            "person",
            "role",
            "opens_on",
            "closes_on",
            "status",
            "sent_at",
            "reminders_sent",
            "answered_at",
        )
        read_only_fields = fields


class InvitationPagination(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("-opens_on", "-id")  # type: ignore[assignment]


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # the permission class answered 404 otherwise
    return membership


def visible_invitations(*, membership: Membership, user: User) -> QuerySet[SurveyInvitation]:
    """One's own invitations that reached them, plus every invitation of the programs one runs."""
    visible = Q(enrollment__person__user=user) & ~Q(
        status__in=(InvitationStatus.PLANNED, InvitationStatus.CANCELLED)
    )
    if membership.is_staff_role:
        visible |= Q(survey__program__in=managed_programs(membership))
    return SurveyInvitation.objects.filter(visible).select_related(
        "survey__program", "enrollment__person", "enrollment__program"
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("survey", int, description="Only this program survey's invitations"),
            OpenApiParameter(
                "status", str, enum=InvitationStatus.values, description="Only this status"
            ),
            OpenApiParameter("mine", bool, description="Only my own invitations"),
        ]
    )
)
class SurveyInvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[SurveyInvitation]
):
    """Survey invitations: your own, and the statuses of those of the programs you run."""

    ordering_fields = {
        "opens_on": "opens_on",
        "closes_on": "closes_on",
        "status": "status",
        "created": "created_at",
    }

    serializer_class = SurveyInvitationSerializer
    permission_classes = (HasOrganizationRole,)
    pagination_class = InvitationPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[SurveyInvitation]:
        user = cast(User, self.request.user)
        queryset = visible_invitations(membership=_membership(self.request), user=user)
        if self.action != "list":
            return queryset
        survey = id_param(self.request, "survey")
        if survey is not None:
            queryset = queryset.filter(survey_id=survey)
        status = choice_param(self.request, "status", InvitationStatus.values)
        if status:
            queryset = queryset.filter(status=status)
        if bool_param(self.request, "mine"):
            queryset = queryset.filter(enrollment__person__user=user)
        return queryset

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: SurveyInvitationSerializer},
        description='Answer your own open invitation once. Body: {"q<question id>": value} '
        "(a number for scales and numbers, the option's text for one choice, a list of them for "
        "several choices, text for free text).",
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        invitation = self.get_object()
        user = cast(User, request.user)
        require_answer(user, invitation)  # staff who see it: 403 before the body is read
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": ["Send an object of answers."]})
        answered = submit_answers(invitation=invitation, actor=user, data=_form_data(request.data))
        return Response(SurveyInvitationSerializer(answered).data)


def _form_data(body: dict[str, Any]) -> dict[str, Any]:
    """JSON values as the form reads them: lists stay lists (several choices), the rest text."""
    data: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, list):
            data[key] = [str(item) for item in value]
        elif value is None or isinstance(value, dict):
            data[key] = ""
        elif isinstance(value, bool):
            data[key] = "true" if value else "false"
        else:
            data[key] = str(value)
    return data
