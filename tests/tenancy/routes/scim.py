"""SCIM provisioning: the token page and revocation (pages), and the SCIM endpoint, which answers
401 to every session (it takes a provisioning token only; tokens across tenants are tested in
tests/participants/scim/test_scim.py)."""

from __future__ import annotations

from typing import Any

from participants import directory, groups
from participants.scim import tokens
from tests.conftest import Tenant
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    with tenant.scope():
        token, _key = tokens.create_token(actor=tenant.admin, name="Okta")
        person = directory.person_create(
            organization=tenant.organization,
            actor=tenant.admin.user,
            email="scim.person@acme.test",
            full_name="Scim Person",
        )
        group = groups.group_create(
            actor=tenant.admin.user, display_name="Executives", member_ids=[person.pk]
        )
    return {"scim_token": token.pk, "scim_person": person.pk, "scim_group": group.pk}


_TOKEN_ONLY = {"foreign_status": 401, "owner_get_status": 401}

ROUTES: dict[str, Route] = {
    "scim_settings": Route(("GET", "POST")),
    "scim_token_revoke": Route(("POST",), ids_of("scim_token")),
    "scim-users": Route(("GET", "POST"), **_TOKEN_ONLY),
    "scim-user": Route(("GET", "PUT", "PATCH", "DELETE"), ids_of("scim_person"), **_TOKEN_ONLY),
    "scim-groups": Route(("GET", "POST"), **_TOKEN_ONLY),
    "scim-group": Route(("GET", "PUT", "PATCH", "DELETE"), ids_of("scim_group"), **_TOKEN_ONLY),
    "scim-service-provider-config": Route(("GET",), **_TOKEN_ONLY),
    "scim-resource-types": Route(("GET",), **_TOKEN_ONLY),
    "scim-schemas": Route(("GET",), **_TOKEN_ONLY),
}
