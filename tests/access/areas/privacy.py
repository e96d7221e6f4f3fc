"""Role matrix rows and world objects of people's data rights (``privacy/access.py``).

Everyone exports their own data from ``me/data/`` (the admin, the coordinators and the other
coordinator have no directory entry in the world: 400 on asking); a person's data page, erasure
and the retention rules are the admins' (403 for every other role, before any id is read). The
world's export is the mentee's own, its link expired: the mentee's download is 410, the admin
(who sees that it exists) 403, everyone else cannot tell it exists (404). Erasure with an empty
body is 400 (the name was not typed); the retention form with no rule set saves "keep all".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from privacy.exports import jobs
from privacy.models import PersonExport, PersonExportStatus
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    now = timezone.now()
    with ctx.org_a.scope():
        export = PersonExport.objects.create(
            organization=ctx.org_a.organization,
            person_id=ctx.mentee.person_id,
            requested_by=ctx.mentee_user,
            by_self=True,
            status=PersonExportStatus.DONE,
            file_name="mentee.zip",
            finished_at=now - timedelta(days=2),
            expires_at=now - timedelta(days=1),
        )
    return {
        "rights_person": ctx.mentee.person_id,
        "rights_export": export.pk,
        "rights_token": jobs.make_token(export),
    }


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("my_data", "GET"):                               row(200, 200, 200, 200, 200, 200, 302),
    ("my_data", "POST"):                              row(400, 400, 400, 302, 302, 302, 302),
    ("person_data", "GET"):                           row(200, 403, 403, 403, 403, 403, 302),
    ("person_data", "POST"):                          row(302, 403, 403, 403, 403, 403, 302),
    ("person_erase", "GET"):                          row(200, 403, 403, 403, 403, 403, 302),
    ("person_erase", "POST"):                         row(400, 403, 403, 403, 403, 403, 302),
    ("person_export_detail", "GET"):                  row(200, 404, 404, 404, 200, 404, 302),
    ("person_export_download", "GET"):                row(403, 404, 404, 404, 410, 404, 302),
    ("retention_settings", "GET"):                    row(200, 403, 403, 403, 403, 403, 302),
    ("retention_settings", "POST"):                   row(302, 403, 403, 403, 403, 403, 302),
    ("api-my-data", "GET"):                           row(200, 200, 200, 200, 200, 200, 404),
    ("api-my-data", "POST"):                          row(400, 400, 400, 202, 202, 202, 404),
    ("api-person-data", "GET"):                       row(200, 403, 403, 403, 403, 403, 404),
    ("api-person-data", "POST"):                      row(202, 403, 403, 403, 403, 403, 404),
    ("api-person-erase", "POST"):                     row(400, 403, 403, 403, 403, 403, 404),
    ("api-person-export-detail", "GET"):              row(200, 404, 404, 404, 200, 404, 404),
    ("api-person-export-download", "GET"):            row(403, 404, 404, 404, 410, 404, 404),
    ("api-retention", "GET"):                         row(200, 403, 403, 403, 403, 403, 404),
    ("api-retention", "PUT"):                         row(200, 403, 403, 403, 403, 403, 404),
}
# fmt: on
