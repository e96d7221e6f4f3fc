"""Import people in the API: upload (multipart), map columns, dry run, commit (all rows or none).

Adapters over ``participants.importing.use_cases``, exactly as the pages are: the same policy (a
coordinator or member gets 403 with the same reason), the same validation (400 with field messages).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.parsers import SafeFormParser, SafeJSONParser, SafeMultiPartParser
from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import Membership, Organization
from participants.importing import access, use_cases
from participants.importing.parsing import Target, import_targets
from participants.models import ImportJob

# --- Serializers -------------------------------------------------------------------------------------


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


class ImportTargetSerializer(serializers.Serializer[Target]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class ImportJobDetailSerializer(ImportJobSerializer):
    problems = ImportProblemSerializer(many=True, read_only=True)
    targets = serializers.SerializerMethodField()
    created_people = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Ids of the people an applied import added, in file order",
    )
    updated_people = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Ids of the people an applied import changed, in file order",
    )

    class Meta(ImportJobSerializer.Meta):
        fields = (
            *ImportJobSerializer.Meta.fields,
            "problems",
            "targets",
            "created_people",
            "updated_people",
        )
        read_only_fields = fields

    @extend_schema_field(ImportTargetSerializer(many=True))
    def get_targets(self, job: ImportJob) -> list[dict[str, str]]:
        """The directory fields a column can fill (the keys of ``mapping``)."""
        organization: Organization = self.context["organization"]
        return [
            {"key": target.key, "label": target.label} for target in import_targets(organization)
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


def _organization(request: Request) -> Organization:
    return request._request.organization  # type: ignore[attr-defined]


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # IsOrganizationMember answered 404 otherwise
    return membership


class AsksImportPolicy(IsOrganizationMember):
    """Members only (404 otherwise), then the import policy for the action (403 with its reason)
    before the body is read: a refused caller learns nothing from validation messages."""

    PERMISSIONS = {
        "list": access.VIEW,
        "retrieve": access.VIEW,
        "create": access.UPLOAD,
        "mapping": access.MAP,
        "validate": access.CHECK,
        "commit": access.COMMIT,
        "template": access.UPLOAD,
        "problems": access.VIEW,
    }

    def has_permission(self, request: Request, view: Any) -> bool:
        super().has_permission(request, view)
        permission = self.PERMISSIONS.get(getattr(view, "action", None) or "", access.VIEW)
        access.import_access(request_membership(request)).require(permission)
        return True


class ImportJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ImportJob]
):
    """Directory imports (admins): upload (multipart), map columns, dry run, commit (all rows or
    none)."""

    ordering_fields = {
        "created": "created_at",
        "status": "status",
        "file_name": "file_name",
    }

    permission_classes = (AsksImportPolicy,)
    lookup_value_regex = ID_REGEX
    parser_classes = (SafeJSONParser, SafeMultiPartParser, SafeFormParser)

    def get_queryset(self) -> QuerySet[ImportJob]:
        return use_cases.list_imports(actor=_membership(self.request))

    def get_serializer_class(self) -> type[serializers.BaseSerializer[ImportJob]]:
        return ImportJobSerializer if self.action == "list" else ImportJobDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "organization": _organization(self.request)}

    def _respond(self, job: ImportJob, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            ImportJobDetailSerializer(job, context=self.get_serializer_context()).data, status=code
        )

    def _job_id(self) -> int:
        """The job's id, once known to be this organisation's (404 before the body is read)."""
        job_id = int(self.kwargs["pk"])
        use_cases.show_import(actor=_membership(self.request), job_id=job_id)
        return job_id

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One import with its progress and every problem; poll it while a step runs."""
        job = use_cases.show_import(actor=_membership(request), job_id=int(self.kwargs["pk"]))
        return self._respond(job)

    @extend_schema(request=ImportUploadSerializer, responses={201: ImportJobDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ImportUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = use_cases.upload_import(
            actor=_membership(request), upload=payload.validated_data["file"]
        )
        return self._respond(job, status.HTTP_201_CREATED)

    @extend_schema(request=ImportMappingSerializer, responses=ImportJobDetailSerializer)
    @action(detail=True, methods=["post"])
    def mapping(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        job_id = self._job_id()
        payload = ImportMappingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = use_cases.map_import_columns(
            actor=_membership(request),
            job_id=job_id,
            mapping=payload.validated_data["mapping"],
        )
        return self._respond(job)

    @extend_schema(request=ImportValidateSerializer, responses={202: ImportJobDetailSerializer})
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start the dry run; poll the import until its status is ``validated``."""
        job_id = self._job_id()
        payload = ImportValidateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = use_cases.start_dry_run(
            actor=_membership(request),
            job_id=job_id,
            mapping=payload.validated_data.get("mapping"),
        )
        return self._respond(job, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: ImportJobDetailSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Import every row or none; poll the import until its status is ``committed``."""
        job = use_cases.start_commit(actor=_membership(request), job_id=int(self.kwargs["pk"]))
        return self._respond(job, status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "text/csv"): bytes})
    @action(detail=False, methods=["get"])
    def template(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """A CSV template: the columns an import reads, with one example person."""
        content = use_cases.import_template(actor=_membership(request))
        return _csv_attachment(content, "people-import-template.csv")

    @extend_schema(responses={(200, "text/csv"): bytes, 400: None})
    @action(detail=True, methods=["get"])
    def problems(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """The dry run's rows with problems as CSV, each with its problems in a last column; 400
        when the import has none."""
        name, content = use_cases.import_problems_file(
            actor=_membership(request), job_id=int(self.kwargs["pk"])
        )
        return _csv_attachment(content, name)


def _csv_attachment(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
