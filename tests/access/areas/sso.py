"""Role matrix rows of single sign-on (``sso/access.py``): the settings are the admins' (403 for
every other role, before anything is read; the bound form with no fields is 400). Starting a
sign-in is open to anyone (302 to the provider), and a callback without a state or an ACS without a
response is refused (400) whoever calls it; the SAML SP metadata is public. The API: admins only
(an empty PUT is 400 with field messages, an empty PATCH changes nothing)."""

from __future__ import annotations

from typing import Any

from tests.access.areas.context import Context
from tests.access.rows import Statuses, row
from tests.sso.world import add_provider, add_saml_provider


def build(ctx: Context) -> dict[str, Any]:
    add_provider(ctx.org_a.organization, signed_in=ctx.mentee_user)
    add_saml_provider(ctx.org_a.organization)
    return {}


# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("sso_settings", "GET"):                          row(200, 403, 403, 403, 403, 403, 302),
    ("sso_settings", "POST"):                         row(400, 403, 403, 403, 403, 403, 302),
    ("sso_login", "GET"):                             row(302, 302, 302, 302, 302, 302, 302),
    ("sso_callback", "GET"):                          row(400, 400, 400, 400, 400, 400, 400),
    ("sso_saml_login", "GET"):                        row(302, 302, 302, 302, 302, 302, 302),
    ("sso_saml_acs", "GET"):                          row(400, 400, 400, 400, 400, 400, 400),
    ("sso_saml_acs", "POST"):                         row(400, 400, 400, 400, 400, 400, 400),
    ("sso_saml_metadata", "GET"):                     row(200, 200, 200, 200, 200, 200, 200),
    ("api-sso-oidc", "GET"):                          row(200, 403, 403, 403, 403, 403, 404),
    ("api-sso-oidc", "PUT"):                          row(400, 403, 403, 403, 403, 403, 404),
    ("api-sso-oidc", "PATCH"):                        row(200, 403, 403, 403, 403, 403, 404),
    ("api-sso-saml", "GET"):                          row(200, 403, 403, 403, 403, 403, 404),
    ("api-sso-saml", "PUT"):                          row(400, 403, 403, 403, 403, 403, 404),
    ("api-sso-saml", "PATCH"):                        row(200, 403, 403, 403, 403, 403, 404),
}
# fmt: on
