"""People and imports in the API: same services, permissions and validation as the pages.

People: admins and coordinators. Imports: admins. Demographics are never part of a response.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import DefaultCursorPagination
from organizations.api.permissions import ADMIN_ONLY, HasOrganizationRole
from organizations.api.views import ID_REGEX
from organizations.models import STAFF_ROLES, Organization
from participants import directory, importing
from participants.models import ImportJob, Person

# --- Serializers -------------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer[Person]):
    manager_email = serializers.EmailField(source="manager.email", read_only=True, default=None)
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


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)
    progress_percent = serializers.IntegerField(read_only=True)
    problem_count = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields: tuple[str, ...] = (
            "id",
            "file_name",
            "file_format",
            "status",
            "headers",
            "mapping",
            "total_rows",
            "processed_rows",
            "progress_percent",
            "problem_count",
            "summary",
            "created_by",
            "created_at",
            "finished_at",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_problem_count(self, job: ImportJob) -> int:
        return len(job.problems)


class ImportProblemSerializer(serializers.Serializer[dict[str, Any]]):
    row = serializers.IntegerField(allow_null=True, help_text="Spreadsheet row (header = row 1).")
    field = serializers.CharField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportTargetSerializer(serializers.Serializer[importing.Target]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class ImportJobDetailSerializer(ImportJobSerializer):
    problems = ImportProblemSerializer(many=True, read_only=True)
    targets = serializers.SerializerMethodField()

    class Meta(ImportJobSerializer.Meta):
        fields = (*ImportJobSerializer.Meta.fields, "problems", "targets")
        read_only_fields = fields

    @extend_schema_field(ImportTargetSerializer(many=True))
    def get_targets(self, job: ImportJob) -> list[dict[str, str]]:
        """The directory fields a column can fill (the keys of ``mapping``)."""
        organization: Organization = self.context["organization"]
        return [
            {"key": target.key, "label": target.label}
            for target in importing.import_targets(organization)
        ]


class ImportUploadSerializer(serializers.Serializer[ImportJob]):
    file = serializers.FileField()


class ImportMappingSerializer(serializers.Serializer[ImportJob]):
    mapping = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Directory field → column (its header name or its index from 0).",
    )


class ImportValidateSerializer(serializers.Serializer[ImportJob]):
    mapping = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Optional: set the mapping first (as for the mapping action).",
    )


# --- Views -------------------------------------------------------------------------------------------


class PersonPagination(DefaultCursorPagination):
    ordering = ("full_name", "id")  # type: ignore[assignment]


def _organization(request: Request) -> Organization:
    return request._request.organization  # type: ignore[attr-defined]


@extend_schema(
    parameters=[
        OpenApiParameter("search", str, description="Name, email or department words."),
        OpenApiParameter("department", str),
        OpenApiParameter("level", int),
        OpenApiParameter("status", str, enum=["active", "inactive", "all"]),
    ]
)
class PersonViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Person]
):
    """The organisation's directory of people."""

    serializer_class = PersonSerializer
    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    lookup_value_regex = ID_REGEX
    pagination_class = PersonPagination

    def get_queryset(self) -> QuerySet[Person]:
        if self.action != "list":
            return directory.person_list(status="all")
        params = self.request.query_params
        level = params.get("level", "")
        return directory.person_list(
            search=params.get("search", "")[:100],
            department=params.get("department", ""),
            status=params.get("status", "active"),
            level=int(level) if level.isascii() and level.isdigit() and len(level) < 3 else None,
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


class ImportJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ImportJob]
):
    """Directory imports: upload (multipart), map columns, dry run, commit (all rows or none)."""

    permission_classes = (HasOrganizationRole,)
    required_roles = ADMIN_ONLY
    lookup_value_regex = ID_REGEX
    parser_classes = (JSONParser, MultiPartParser, FormParser)

    def get_queryset(self) -> QuerySet[ImportJob]:
        return ImportJob.objects.select_related("created_by").defer("content")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[ImportJob]]:
        return ImportJobSerializer if self.action == "list" else ImportJobDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "organization": _organization(self.request)}

    def _respond(self, job: ImportJob, code: int = status.HTTP_200_OK) -> Response:
        job = self.get_queryset().get(pk=job.pk)
        return Response(
            ImportJobDetailSerializer(job, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=ImportUploadSerializer, responses={201: ImportJobDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ImportUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        if upload.size > importing.MAX_UPLOAD_BYTES:
            raise ValidationError(
                {"file": f"The file is larger than {importing.MAX_UPLOAD_BYTES // 2**20} MB."}
            )
        job = importing.import_upload(
            organization=_organization(request),
            actor=request.user,
            file_name=upload.name,
            content=upload.read(),
        )
        return self._respond(job, status.HTTP_201_CREATED)

    @extend_schema(request=ImportMappingSerializer, responses=ImportJobDetailSerializer)
    @action(detail=True, methods=["post"])
    def mapping(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        job = self.get_object()
        payload = ImportMappingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = importing.import_set_mapping(
            organization=_organization(request),
            actor=request.user,
            job=job,
            mapping=payload.validated_data["mapping"],
        )
        return self._respond(job)

    @extend_schema(request=ImportValidateSerializer, responses={202: ImportJobDetailSerializer})
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start the dry run; poll the import until its status is ``validated``."""
        job = self.get_object()
        payload = ImportValidateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = importing.import_request_validation(
            organization=_organization(request),
            actor=request.user,
            job=job,
            mapping=payload.validated_data.get("mapping"),
        )
        return self._respond(job, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: ImportJobDetailSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Import every row or none; poll the import until its status is ``committed``."""
        job = importing.import_request_commit(
            organization=_organization(request), actor=request.user, job=self.get_object()
        )
        return self._respond(job, status.HTTP_202_ACCEPTED)
