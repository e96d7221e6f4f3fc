"""Single sign-on: the admins' settings (member-gated), and the sign-in start and callback, which
live outside /o/ (the person is not signed in yet): org B's slug has no provider, so both are 404
there; org A's own start redirects to its provider and its callback without a state is a 400."""

from __future__ import annotations

from typing import Any

from tests.conftest import Tenant
from tests.sso.world import add_provider
from tests.tenancy.routes import Route


def build(tenant: Tenant) -> dict[str, Any]:
    add_provider(tenant.organization)
    return {}


ROUTES: dict[str, Route] = {
    "sso_settings": Route(("GET", "POST")),
    "sso_login": Route(("GET",), member_gated=False, owner_get_status=302),
    "sso_callback": Route(("GET",), member_gated=False, owner_get_status=400),
}
