"""Organisation core: members, invitations, audit log, API tokens."""

from __future__ import annotations

from typing import Any

from organizations import services
from organizations.models import AuditEntry
from tests.conftest import Tenant
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    with tenant.scope():
        invitation, token = services.invitation_create(
            organization=tenant.organization,
            actor=tenant.admin.user,
            email="newcomer@acme.test",
            role="member",
        )
        api_token, _key = services.api_token_create(
            organization=tenant.organization, user=tenant.admin.user, name="HRIS"
        )
        audit_id = AuditEntry.objects.values_list("pk", flat=True).first()
    return {
        "member": tenant.member.pk,
        "invitation": invitation.pk,
        "invitation_token": token,
        "api_token": api_token.pk,
        "audit": audit_id,
    }


ROUTES: dict[str, Route] = {
    # Pages
    "member_list": Route(("GET",)),
    "member_role": Route(("POST",), ids_of("member")),
    "member_programs": Route(("POST",), ids_of("member")),
    "member_remove": Route(("POST",), ids_of("member")),
    "invitation_list": Route(("GET", "POST")),
    "invitation_revoke": Route(("POST",), ids_of("invitation")),
    "invitation_resend": Route(("POST",), ids_of("invitation")),
    "audit_log": Route(("GET",)),
    "api_tokens": Route(("GET", "POST")),
    "api_token_revoke": Route(("POST",), ids_of("api_token")),
    # The invitation link answers 403 to a signed-in person it was not sent to (the admin here).
    "invitation_accept": Route(
        ("GET", "POST"),
        ids_of("invitation_token", "token"),
        member_gated=False,
        owner_get_status=403,
    ),
    # API
    "api-organization": Route(("GET",)),
    "api-member-list": Route(("GET",)),
    "api-member-detail": Route(("GET", "PATCH", "DELETE"), ids_of("member")),
    "api-invitation-list": Route(("GET", "POST")),
    "api-invitation-detail": Route(("GET",), ids_of("invitation")),
    "api-invitation-revoke": Route(("POST",), ids_of("invitation")),
    "api-invitation-resend": Route(("POST",), ids_of("invitation")),
    "api-audit-list": Route(("GET",)),
    "api-audit-detail": Route(("GET",), ids_of("audit")),
}
