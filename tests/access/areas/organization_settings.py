"""Role matrix rows of the organisation's settings (organizations/configuration/): admins only
(403 for every other member, with the reason); the brand stylesheet and the logo are for every
member, because every member's pages show them; the logo's URL is public (emails show it too)."""

from __future__ import annotations

from typing import Any

from organizations.configuration import services
from organizations.logo import logo_ref
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row
from tests.organizations.logos import png


def build(ctx: Context) -> dict[str, Any]:
    with ctx.org_a.scope():
        services.organization_logo_set(
            actor=ctx.admin, organization=ctx.org_a.organization, content=png()
        )
        ref = logo_ref(ctx.org_a.organization.pk)
    assert ref is not None
    return {"logo_digest": ref.digest, "logo_ext": ref.ext}


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("organization_settings", "GET"):                 row(200, 403, 403, 403, 403, 403, 302),
    # A bound form without its required fields: 400 with field messages.
    ("organization_settings", "POST"):                row(400, 403, 403, 403, 403, 403, 302),
    ("organization_brand_css", "GET"):                row(200, 200, 200, 200, 200, 200, 302),
    # The one logo URL, for pages and emails: public (mail clients fetch it signed out).
    ("organization_logo", "GET"):                     row(200, 200, 200, 200, 200, 200, 200),
    ("api-organization-settings", "GET"):             row(200, 403, 403, 403, 403, 403, 404),
    # An empty PATCH changes nothing.
    ("api-organization-settings", "PATCH"):           row(200, 403, 403, 403, 403, 403, 404),
    ("api-organization-logo", "PUT"):                 row(400, 403, 403, 403, 403, 403, 404),
    ("api-organization-logo", "DELETE"):              row(200, 403, 403, 403, 403, 403, 404),
}
# fmt: on
