"""Role matrix rows and world objects of this area (see tests/access/areas/__init__.py).

Exports follow the export policy (``dashboards/exports/access.py``): the staff who run program P
see its exports and ask for new ones; a coordinator of another program cannot tell P exists (404);
members (the pair's people and the outsider) are refused by role (403). The world's export was
asked for by P's coordinator and its link has expired: the coordinator's download is 410, every
other staff member's 403 (the file is its requester's alone). POSTs carry an empty body: 400.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dashboards.exports import jobs
from dashboards.models import ExportJob, ExportStatus
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    now = timezone.now()
    with ctx.org_a.scope():
        job = ExportJob.objects.create(
            organization=ctx.org_a.organization,
            program=ctx.program,
            requested_by=ctx.coordinator,
            dataset="pairs",
            format="xlsx",
            status=ExportStatus.DONE,
            file_name="pairs.xlsx",
            finished_at=now - timedelta(days=2),
            expires_at=now - timedelta(days=1),
        )
    return {
        "export_program": ctx.program.pk,
        "export_job": job.pk,
        "export_token": jobs.make_token(job),
    }


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("program_exports", "GET"):                       row(200, 200, 404, 403, 403, 403, 302),
    ("program_exports", "POST"):                      row(400, 400, 404, 403, 403, 403, 302),
    ("program_export_detail", "GET"):                 row(200, 200, 404, 403, 403, 403, 302),
    # Only its requester downloads a file (the coordinator's, expired: 410); staff who did not
    # ask for it, the org-wide coordinator included, are refused.
    ("program_export_download", "GET"):              row(403, 410, 404, 403, 403, 403, 302,
                                                         org_coordinator=403),
    ("api-program-export-list", "GET"):               row(200, 200, 404, 403, 403, 403, 404),
    ("api-program-export-list", "POST"):              row(400, 400, 404, 403, 403, 403, 404),
    ("api-program-export-detail", "GET"):             row(200, 200, 404, 403, 403, 403, 404),
    ("api-program-export-download", "GET"):          row(403, 410, 404, 403, 403, 403, 404,
                                                         org_coordinator=403),
}
# fmt: on
