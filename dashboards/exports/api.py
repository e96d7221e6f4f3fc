"""Exports in the API: ask for an export (202 with the job), follow it, download its file.

Adapters over ``dashboards.exports.use_cases``, exactly as the pages are: the same policy (a member
gets 403 before anything is read, a program one does not run 404, another person's file 403), the
same validation (400 with field messages: unknown filters, a reversed period). Poll the job until
its status is ``done``; its ``download_url`` is signed for the requester and expires (410 after).
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.access import Forbidden
from core.api.pagination import DefaultCursorPagination
from dashboards.exports import access, jobs, use_cases
from dashboards.exports.filters import FILTER_NAMES
from dashboards.exports.writers import CONTENT_TYPES
from dashboards.models import ExportDataset, ExportFormat, ExportJob
from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.models import Membership


class ExportJobSerializer(serializers.ModelSerializer[ExportJob]):
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True, default=None)
    progress_percent = serializers.IntegerField(read_only=True)
    format = serializers.CharField(read_only=True, help_text=", ".join(ExportFormat.values))
    download_url = serializers.SerializerMethodField(
        help_text="Signed link for the requester while the file lasts; empty otherwise."
    )

    class Meta:
        model = ExportJob
        fields: tuple[str, ...] = (
            "id",
            "program",
            "dataset",
            "format",
            "filters",
            "status",
            "total_rows",
            "processed_rows",
            "progress_percent",
            "error",
            "file_name",
            "requested_by",
            "created_at",
            "finished_at",
            "expires_at",
            "download_url",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_download_url(self, job: ExportJob) -> str:
        membership: Membership = self.context["membership"]
        if not job.file or job.is_expired() or not use_cases.may_download(membership, job):
            return ""
        return reverse(
            "api-program-export-download",
            kwargs={
                "org_slug": membership.organization.slug,
                "program_pk": job.program_id,
                "pk": job.pk,
                "token": jobs.make_token(job),
            },
        )


class ExportRequestSerializer(serializers.Serializer[ExportJob]):
    dataset = serializers.CharField(help_text=", ".join(ExportDataset.values))
    format = serializers.CharField(help_text=", ".join(ExportFormat.values))
    filters = serializers.JSONField(
        required=False, default=dict, help_text=f"Any of: {', '.join(FILTER_NAMES)}."
    )


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # IsOrganizationMember answered 404 otherwise
    return membership


class AsksExportPolicy(IsOrganizationMember):
    """Members only (404 otherwise); then staff only (403 with the reason) before the program is
    looked up or the body is read."""

    def has_permission(self, request: Request, view: Any) -> bool:
        super().has_permission(request, view)
        if not _membership(request).is_staff_role:
            raise Forbidden(access.STAFF_ONLY)
        return True


class _Exports(GenericAPIView[ExportJob]):
    permission_classes = (AsksExportPolicy,)
    serializer_class = ExportJobSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "membership": _membership(self.request)}

    def _body(self, job: ExportJob, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(job).data, status=code)


class ProgramExportListView(_Exports):
    """A program's exports, newest first; POST asks for a new one (202: poll it)."""

    ordering_fields = {
        "created": "created_at",
        "status": "status",
    }

    pagination_class = DefaultCursorPagination  # newest first (by id)

    @extend_schema(
        operation_id="program_exports_list", responses={200: ExportJobSerializer(many=True)}
    )
    def get(self, request: Request, org_slug: str, program_pk: int) -> Response:
        _program, exports = use_cases.program_exports(
            actor=_membership(request), program_id=program_pk
        )
        page = self.paginate_queryset(exports)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=ExportRequestSerializer,
        responses={202: ExportJobSerializer},
        operation_id="program_exports_create",
    )
    def post(self, request: Request, org_slug: str, program_pk: int) -> Response:
        membership = _membership(request)
        use_cases.program_exports(actor=membership, program_id=program_pk)  # 404 before the body
        payload = ExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = use_cases.request_export(
            actor=membership,
            program_id=program_pk,
            dataset=payload.validated_data["dataset"],
            fmt=payload.validated_data["format"],
            filters=payload.validated_data.get("filters"),
        )
        return self._body(job, status.HTTP_202_ACCEPTED)


class ProgramExportDetailView(_Exports):
    """One export with its status and progress."""

    @extend_schema(operation_id="program_export_retrieve")
    def get(self, request: Request, org_slug: str, program_pk: int, pk: int) -> Response:
        job = use_cases.show_export(actor=_membership(request), program_id=program_pk, job_id=pk)
        return self._body(job)


class ProgramExportDownloadView(_Exports):
    """The export's file (CSV or XLSX), for its requester through its signed link; 410 once
    expired."""

    @extend_schema(
        responses={(200, "application/octet-stream"): bytes, 410: None},
        operation_id="program_export_download",
    )
    def get(
        self, request: Request, org_slug: str, program_pk: int, pk: int, token: str
    ) -> Response | FileResponse:
        try:
            job, file = use_cases.download_export(
                actor=_membership(request), program_id=program_pk, job_id=pk, token=token
            )
        except jobs.ExportExpiredError:
            return Response(
                {
                    "detail": "This download link has expired. Ask for the export again.",
                    "fields": {},
                },
                status=status.HTTP_410_GONE,
            )
        return FileResponse(
            file, as_attachment=True, filename=job.file_name, content_type=CONTENT_TYPES[job.format]
        )
