"""Role matrix rows of SCIM provisioning (see tests/access/areas/__init__.py).

The token page follows ``participants/scim/access.py``: admins only, everyone else 403 before
anything is read. The SCIM endpoint takes no session at all: 401 for every actor (a provisioning
token is the only way in; tests/participants/scim/).
"""

from __future__ import annotations

from typing import Any

from participants import groups
from participants.scim import tokens
from tests.access.areas.context import Context
from tests.access.rows import Statuses, row


def build(ctx: Context) -> dict[str, Any]:
    with ctx.org_a.scope():
        token, _key = tokens.create_token(actor=ctx.org_a.admin, name="Okta")
        group = groups.group_create(actor=ctx.org_a.admin.user, display_name="Executives")
    return {"scim_token": token.pk, "scim_person": ctx.mentee.person_id, "scim_group": group.pk}


_NO_SESSION = row(401, 401, 401, 401, 401, 401, 401)

# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon
    ("scim_settings", "GET"):                         row(200, 403, 403, 403, 403, 403, 302),
    ("scim_settings", "POST"):                        row(400, 403, 403, 403, 403, 403, 302),
    ("scim_token_revoke", "POST"):                    row(302, 403, 403, 403, 403, 403, 302),
    ("scim-users", "GET"):                            _NO_SESSION,
    ("scim-users", "POST"):                           _NO_SESSION,
    ("scim-user", "GET"):                             _NO_SESSION,
    ("scim-user", "POST"):                            _NO_SESSION,
    ("scim-user", "PUT"):                             _NO_SESSION,
    ("scim-user", "PATCH"):                           _NO_SESSION,
    ("scim-user", "DELETE"):                          _NO_SESSION,
    ("scim-groups", "GET"):                           _NO_SESSION,
    ("scim-groups", "POST"):                          _NO_SESSION,
    ("scim-group", "GET"):                            _NO_SESSION,
    ("scim-group", "POST"):                           _NO_SESSION,
    ("scim-group", "PUT"):                            _NO_SESSION,
    ("scim-group", "PATCH"):                          _NO_SESSION,
    ("scim-group", "DELETE"):                         _NO_SESSION,
    ("scim-service-provider-config", "GET"):          _NO_SESSION,
    ("scim-service-provider-config", "POST"):         _NO_SESSION,
    ("scim-resource-types", "GET"):                   _NO_SESSION,
    ("scim-resource-types", "POST"):                  _NO_SESSION,
    ("scim-schemas", "GET"):                          _NO_SESSION,
    ("scim-schemas", "POST"):                         _NO_SESSION,
}
# fmt: on
