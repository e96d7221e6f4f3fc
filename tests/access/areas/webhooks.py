"""Role matrix rows of webhooks (``webhooks/access.py``): the organisation's admins alone, 403 for
every other role before any id is read. The world's endpoint has one failed delivery; an empty
create is 400 (no URL, no event), an empty PATCH changes nothing (200), redelivering the failed
delivery and a test event are queued (202 in the API, 302 back to the log on the pages)."""

from __future__ import annotations

from typing import Any

from tests.access.areas.context import Context
from tests.access.rows import Statuses, row
from tests.webhooks.builders import endpoint_with_failed_delivery


def build(ctx: Context) -> dict[str, Any]:
    with ctx.org_a.scope():
        endpoint, delivery = endpoint_with_failed_delivery(ctx.org_a.organization.pk)
    return {"webhook": endpoint.pk, "webhook_delivery": delivery.pk}


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("webhook_list", "GET"):                          row(200, 403, 403, 403, 403, 403, 302),
    ("webhook_list", "POST"):                         row(400, 403, 403, 403, 403, 403, 302),
    ("webhook_edit", "GET"):                          row(200, 403, 403, 403, 403, 403, 302),
    ("webhook_edit", "POST"):                         row(400, 403, 403, 403, 403, 403, 302),
    ("webhook_delete", "POST"):                       row(302, 403, 403, 403, 403, 403, 302),
    ("webhook_rotate", "POST"):                       row(200, 403, 403, 403, 403, 403, 302),
    ("webhook_test", "POST"):                         row(302, 403, 403, 403, 403, 403, 302),
    ("webhook_deliveries", "GET"):                    row(200, 403, 403, 403, 403, 403, 302),
    ("webhook_redeliver", "POST"):                    row(302, 403, 403, 403, 403, 403, 302),
    ("api-webhook-list", "GET"):                      row(200, 403, 403, 403, 403, 403, 404),
    ("api-webhook-list", "POST"):                     row(400, 403, 403, 403, 403, 403, 404),
    ("api-webhook-detail", "GET"):                    row(200, 403, 403, 403, 403, 403, 404),
    ("api-webhook-detail", "PATCH"):                  row(200, 403, 403, 403, 403, 403, 404),
    ("api-webhook-detail", "DELETE"):                 row(204, 403, 403, 403, 403, 403, 404),
    ("api-webhook-rotate-secret", "POST"):            row(200, 403, 403, 403, 403, 403, 404),
    ("api-webhook-test", "POST"):                     row(202, 403, 403, 403, 403, 403, 404),
    ("api-webhook-deliveries", "GET"):                row(200, 403, 403, 403, 403, 403, 404),
    ("api-webhook-redeliver", "POST"):                row(202, 403, 403, 403, 403, 403, 404),
}
# fmt: on
