"""People's data rights: my data, a person's data and erasure, one export and its download, the
retention rules. Org A's admin asked for the export of a person; its link has expired (410)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from participants import directory
from privacy.exports import jobs
from privacy.models import PersonExport, PersonExportStatus
from tests.conftest import Tenant
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    now = timezone.now()
    with tenant.scope():
        person = directory.person_create(
            organization=tenant.organization,
            actor=tenant.admin.user,
            email="rights@acme.test",
            full_name="Rita Rights",
        )
        export = PersonExport.objects.create(
            organization=tenant.organization,
            person=person,
            requested_by=tenant.admin.user,
            status=PersonExportStatus.DONE,
            file_name="rita.zip",
            finished_at=now - timedelta(days=2),
            expires_at=now - timedelta(days=1),
        )
    return {
        "rights_person": person.pk,
        "rights_export": export.pk,
        "rights_token": jobs.make_token(export),
    }


def _download(ids: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ids["rights_export"], "token": ids["rights_token"]}


ROUTES: dict[str, Route] = {
    "my_data": Route(("GET", "POST")),
    "person_data": Route(("GET", "POST"), ids_of("rights_person")),
    "person_erase": Route(("GET", "POST"), ids_of("rights_person")),
    "person_export_detail": Route(("GET",), ids_of("rights_export")),
    "person_export_download": Route(("GET",), _download, owner_get_status=410),
    "retention_settings": Route(("GET", "POST")),
    "api-my-data": Route(("GET", "POST")),
    "api-person-data": Route(("GET", "POST"), ids_of("rights_person")),
    "api-person-erase": Route(("POST",), ids_of("rights_person")),
    "api-person-export-detail": Route(("GET",), ids_of("rights_export")),
    "api-person-export-download": Route(("GET",), _download, owner_get_status=410),
    "api-retention": Route(("GET", "PUT")),
}
