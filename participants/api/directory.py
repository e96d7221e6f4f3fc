"""People in the API: same services, permissions and validation as the pages.

Admins and coordinators. Demographics are never part of a response.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import DefaultCursorPagination
from core.api.params import choice_param, id_param
from organizations.api.permissions import HasOrganizationRole
from organizations.api.views import ID_REGEX
from organizations.models import STAFF_ROLES, Organization
from participants import directory
from participants.models import Person

PERSON_STATUSES = ["active", "inactive", "all"]

# --- Serializers -------------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer[Person]):
    manager_email = serializers.EmailField(
        source="manager.email", read_only=True, default=None, allow_null=True
    )
    level_label = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = (
            "id",
            "email",
            "employee_id",
            "full_name",
            "job_title",
            "department",
            "manager",
            "manager_email",
            "level",
            "level_label",
            "location",
            "time_zone",
            "languages",
            "start_date",
            "is_active",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_level_label(self, person: Person) -> str:
        organization: Organization = self.context["organization"]
        return directory.level_label(organization, person.level)


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": True})
class PersonReferenceField(serializers.Field):
    """A person given by id (a number) or by email or employee id (a string)."""

    def to_internal_value(self, data: Any) -> int | str:
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError("Give the person's id, email or employee id.")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": True})
class LevelField(serializers.Field):
    """A level as its number or, with named grades, its name."""

    def to_internal_value(self, data: Any) -> int | str:
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError("Give the level's number or name.")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class PersonWriteSerializer(serializers.Serializer[Person]):
    """Shapes the input; the directory services check it (uniqueness, manager, cycles, scale)."""

    email = serializers.CharField(max_length=254)
    full_name = serializers.CharField(max_length=200)
    employee_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    job_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    department = serializers.CharField(max_length=120, required=False, allow_blank=True)
    manager = PersonReferenceField(required=False, allow_null=True)
    level = LevelField(required=False, allow_null=True)
    location = serializers.CharField(max_length=120, required=False, allow_blank=True)
    time_zone = serializers.CharField(max_length=64, required=False)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=20
    )
    start_date = serializers.DateField(required=False, allow_null=True)

    def person_fields(self) -> directory.PersonFields:
        data = dict(self.validated_data)
        fields: dict[str, Any] = {key: value for key, value in data.items() if key != "manager"}
        if "manager" in data:
            reference = data["manager"]
            fields["manager"] = (
                directory.resolve_person(reference) if reference not in (None, "") else None
            )
        return directory.PersonFields(**fields)  # type: ignore[typeddict-item]


# --- Views -------------------------------------------------------------------------------------------


class PersonPagination(DefaultCursorPagination):
    ordering = ("full_name", "id")  # type: ignore[assignment]


def _organization(request: Request) -> Organization:
    return request._request.organization  # type: ignore[attr-defined]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Name, email or department words."),
            OpenApiParameter("department", str),
            OpenApiParameter(
                "level", str, description="A level of the organisation's scale: its number or name."
            ),
            OpenApiParameter("status", str, enum=PERSON_STATUSES, description="Default: active."),
            OpenApiParameter(
                "group", int, description="Members of this directory group (SCIM Groups) only."
            ),
        ]
    )
)
class PersonViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Person]
):
    """The organisation's directory of people."""

    ordering_fields = {
        "name": "full_name",
        "email": "email",
        "department": "department",
        "created": "created_at",
        "updated": "updated_at",
    }

    serializer_class = PersonSerializer
    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    lookup_value_regex = ID_REGEX
    pagination_class = PersonPagination

    def get_queryset(self) -> QuerySet[Person]:
        if self.action != "list":
            return directory.person_list(status="all")
        params = self.request.query_params
        try:
            level = directory.parse_level(_organization(self.request), params.get("level"))
        except DjangoValidationError as error:
            raise ValidationError({"level": error.messages}) from None
        return directory.person_list(
            search=params.get("search", "")[:100],
            department=params.get("department", ""),
            status=choice_param(self.request, "status", PERSON_STATUSES) or "active",
            level=level,
            group=id_param(self.request, "group"),
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "organization": _organization(self.request)}

    def _respond(self, person: Person, code: int = status.HTTP_200_OK) -> Response:
        person = directory.person_list(status="all").get(pk=person.pk)
        return Response(self.get_serializer(person).data, status=code)

    @extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PersonWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        person = directory.person_create(
            organization=_organization(request), actor=request.user, **payload.person_fields()
        )
        return self._respond(person, status.HTTP_201_CREATED)

    @extend_schema(request=PersonWriteSerializer, responses=PersonSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        payload = PersonWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        payload.is_valid(raise_exception=True)
        directory.person_update(
            organization=_organization(request),
            actor=request.user,
            person=person,
            **payload.person_fields(),
        )
        return self._respond(person)

    @extend_schema(request=PersonWriteSerializer, responses=PersonSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=None, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = directory.person_set_active(
            actor=request.user, person=self.get_object(), active=False
        )
        return self._respond(person)

    @extend_schema(request=None, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = directory.person_set_active(
            actor=request.user, person=self.get_object(), active=True
        )
        return self._respond(person)

    @extend_schema(responses=PersonSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="reporting-chain", pagination_class=None)
    def reporting_chain(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The person's manager, their manager, … up to the top (nearest first)."""
        chain = directory.reporting_chain(self.get_object())
        return Response(self.get_serializer(chain, many=True).data)
