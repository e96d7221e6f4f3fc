"""People's data rights in the API: my exports, a person's exports (admins), one export and its
file, erasure (admins), the retention rules and their dry run (admins).

Adapters over ``privacy.use_cases``, exactly as the pages are: the same policy (403 by role before
an id is read, 404 for an id outside the organisation or an export that is not one's own), the
same validation (400 with field messages).
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

from core.api.pagination import DefaultCursorPagination
from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.models import Membership
from privacy import use_cases
from privacy.exports import jobs
from privacy.models import PersonExport, PersonExportStatus
from privacy.retention.services import KINDS, MAX_MONTHS, RULES


class PersonExportSerializer(serializers.ModelSerializer[PersonExport]):
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True, default=None)
    progress_percent = serializers.IntegerField(read_only=True)
    # The same four values as a program export's status: one enum name in the schema is theirs.
    status = serializers.CharField(read_only=True, help_text=", ".join(PersonExportStatus.values))
    download_url = serializers.SerializerMethodField(
        help_text="Signed link for the requester while the file lasts; empty otherwise."
    )

    class Meta:
        model = PersonExport
        fields: tuple[str, ...] = (
            "id",
            "person",
            "by_self",
            "status",
            "total_parts",
            "processed_parts",
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

    def get_download_url(self, export: PersonExport) -> str:
        membership: Membership = self.context["membership"]
        if not export.file or export.is_expired() or not use_cases.may_download(membership, export):
            return ""
        return reverse(
            "api-person-export-download",
            kwargs={
                "org_slug": membership.organization.slug,
                "pk": export.pk,
                "token": jobs.make_token(export),
            },
        )


class ErasureSerializer(serializers.Serializer[Any]):
    confirm_name = serializers.CharField(
        max_length=200, help_text="The person's full name, typed again to confirm."
    )


class ErasureResultSerializer(serializers.Serializer[Any]):
    tables = serializers.DictField(child=serializers.IntegerField(), help_text="Rows per table.")


def _months(label: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_MONTHS, help_text=label
    )


class RetentionSerializer(serializers.Serializer[Any]):
    """Months per kind (null keeps that data); the labels are ``RULES``."""

    pair_notes_months = _months(dict(RULES)["pair_notes_months"])
    survey_text_months = _months(dict(RULES)["survey_text_months"])
    check_in_text_months = _months(dict(RULES)["check_in_text_months"])
    audit_months = _months(dict(RULES)["audit_months"])


class RetentionBodySerializer(RetentionSerializer):
    preview = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=f"What the rules would delete now, per kind: {', '.join(KINDS)}.",
    )


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # IsOrganizationMember answered 404 otherwise
    return membership


class _Exports(GenericAPIView[PersonExport]):
    ordering_fields = {
        "created": "created_at",
        "status": "status",
    }
    permission_classes = (IsOrganizationMember,)
    serializer_class = PersonExportSerializer
    pagination_class = DefaultCursorPagination

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "membership": _membership(self.request)}

    def _body(self, export: PersonExport, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(export).data, status=code)

    def _list(self, exports: Any) -> Response:
        page = self.paginate_queryset(exports)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class MyDataView(_Exports):
    """The exports of my own data that I asked for; POST asks for a new one (202: poll it)."""

    @extend_schema(
        operation_id="my_data_exports_list", responses={200: PersonExportSerializer(many=True)}
    )
    def get(self, request: Request, org_slug: str) -> Response:
        _person, exports = use_cases.my_data(actor=_membership(request))
        return self._list(exports)

    @extend_schema(
        request=None, responses={202: PersonExportSerializer}, operation_id="my_data_export_create"
    )
    def post(self, request: Request, org_slug: str) -> Response:
        export = use_cases.request_my_export(actor=_membership(request))
        return self._body(export, status.HTTP_202_ACCEPTED)


class PersonDataView(_Exports):
    """A person's exports (admins); POST asks for a new one (202: poll it)."""

    @extend_schema(
        operation_id="person_data_exports_list",
        responses={200: PersonExportSerializer(many=True)},
    )
    def get(self, request: Request, org_slug: str, pk: int) -> Response:
        _person, exports = use_cases.person_data(actor=_membership(request), person_id=pk)
        return self._list(exports)

    @extend_schema(
        request=None,
        responses={202: PersonExportSerializer},
        operation_id="person_data_export_create",
    )
    def post(self, request: Request, org_slug: str, pk: int) -> Response:
        export = use_cases.request_person_export(actor=_membership(request), person_id=pk)
        return self._body(export, status.HTTP_202_ACCEPTED)


class PersonExportDetailView(_Exports):
    """One export with its status and progress (its requester, and admins)."""

    @extend_schema(operation_id="person_export_retrieve")
    def get(self, request: Request, org_slug: str, pk: int) -> Response:
        return self._body(use_cases.show_export(actor=_membership(request), export_id=pk))


class PersonExportDownloadView(_Exports):
    """The zip, for its requester through its signed link; 410 once expired."""

    @extend_schema(
        responses={(200, "application/zip"): bytes, 410: None},
        operation_id="person_export_download",
    )
    def get(self, request: Request, org_slug: str, pk: int, token: str) -> Response | FileResponse:
        try:
            export, file = use_cases.download_export(
                actor=_membership(request), export_id=pk, token=token
            )
        except jobs.ExportExpiredError:
            return Response(
                {"detail": "This download link has expired. Ask for a new export.", "fields": {}},
                status=status.HTTP_410_GONE,
            )
        return FileResponse(
            file, as_attachment=True, filename=export.file_name, content_type="application/zip"
        )


class PersonEraseView(GenericAPIView[Any]):
    """Erase a person (admins), confirmed by their name (``docs/privacy.md``)."""

    permission_classes = (IsOrganizationMember,)
    serializer_class = ErasureSerializer

    @extend_schema(
        request=ErasureSerializer,
        responses={200: ErasureResultSerializer},
        operation_id="person_erase",
    )
    def post(self, request: Request, org_slug: str, pk: int) -> Response:
        membership = _membership(request)
        use_cases.erasure_page(actor=membership, person_id=pk)  # 403/404 before the body
        payload = ErasureSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = use_cases.erase_person(
            actor=membership, person_id=pk, confirm_name=payload.validated_data["confirm_name"]
        )
        return Response({"tables": dict(sorted(report.counts.items()))})


class RetentionView(GenericAPIView[Any]):
    """The retention rules (months per kind; null keeps) and their dry run (admins)."""

    permission_classes = (IsOrganizationMember,)
    serializer_class = RetentionBodySerializer

    def _body(self, membership: Membership) -> Response:
        policy, preview = use_cases.retention_page(actor=membership)
        body: dict[str, Any] = {
            name: getattr(policy, name) if policy else None for name, _label in RULES
        }
        return Response({**body, "preview": preview})

    @extend_schema(operation_id="retention_retrieve")
    def get(self, request: Request, org_slug: str) -> Response:
        return self._body(_membership(request))

    @extend_schema(
        request=RetentionSerializer,
        responses={200: RetentionBodySerializer},
        operation_id="retention_update",
    )
    def put(self, request: Request, org_slug: str) -> Response:
        membership = _membership(request)
        use_cases.retention_page(actor=membership)  # 403 before the body
        payload = RetentionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        use_cases.update_retention(
            actor=membership,
            values={name: payload.validated_data.get(name) for name, _label in RULES},
        )
        return self._body(membership)
