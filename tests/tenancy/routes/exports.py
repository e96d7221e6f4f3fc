"""Exports of a program: the page with its jobs, one job, its download (pages and API).

Org A's export is done and its link has expired (the file was swept), so org A's admin, who asked
for it, gets 410 from the download: the URL resolves; only tenancy makes org B's answer a 404.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dashboards.exports import jobs
from dashboards.models import ExportJob, ExportStatus
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import make_program
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    program = make_program(tenant)
    now = timezone.now()
    with tenant.scope():
        job = ExportJob.objects.create(
            organization=tenant.organization,
            program=program,
            requested_by=tenant.admin.user,
            dataset="sessions",
            format="csv",
            status=ExportStatus.DONE,
            file_name="sessions.csv",
            finished_at=now - timedelta(days=2),
            expires_at=now - timedelta(days=1),
        )
    return {
        "export_program": program.pk,
        "export_job": job.pk,
        "export_token": jobs.make_token(job),
    }


def _job(ids: dict[str, Any]) -> dict[str, Any]:
    return {"program_pk": ids["export_program"], "pk": ids["export_job"]}


def _download(ids: dict[str, Any]) -> dict[str, Any]:
    return {**_job(ids), "token": ids["export_token"]}


ROUTES: dict[str, Route] = {
    "program_exports": Route(("GET", "POST"), ids_of("export_program", "program_pk")),
    "program_export_detail": Route(("GET",), _job),
    "program_export_download": Route(("GET",), _download, owner_get_status=410),
    "api-program-export-list": Route(("GET", "POST"), ids_of("export_program", "program_pk")),
    "api-program-export-detail": Route(("GET",), _job),
    "api-program-export-download": Route(("GET",), _download, owner_get_status=410),
}
