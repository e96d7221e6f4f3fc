"""Open an organisation for a new client: the organisation, and its first admin's invitation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organizations.audit import log_action
from organizations.models import Organization, Role
from organizations.platform.access import OPEN_ORGANIZATION, platform_access
from organizations.scope import tenant_scope
from organizations.services import invitation_create, invitation_url


@dataclass(frozen=True)
class Opened:
    organization: Organization
    admin_email: str
    invitation_link: str


def organization_open(*, actor: Any, name: str, slug: str, admin_email: str) -> Opened:
    """Create the organisation and invite its first admin by email (the link is also returned for
    the operator to pass on). ``actor=None`` is the system (``./flip manage open_organization``);
    a person must be a platform operator. All or nothing: a refused invitation creates nothing."""
    if actor is not None:
        platform_access(actor).require(OPEN_ORGANIZATION)
    organization = Organization(name=name.strip(), slug=slug.strip().lower())
    organization.full_clean()
    try:
        with transaction.atomic():
            organization.save()
            with tenant_scope(organization):
                invitation, token = invitation_create(
                    organization=organization, actor=actor, email=admin_email, role=Role.ADMIN
                )
                log_action(
                    actor=actor,
                    action="organization.opened",
                    target=organization,
                    data={
                        "name": organization.name,
                        "slug": organization.slug,
                        "admin_email": invitation.email,
                    },
                )
    except IntegrityError:
        # Two operators choosing the same address at once: the unique slug decides.
        raise ValidationError(
            {"slug": "An organisation with this address already exists."}
        ) from None
    return Opened(
        organization=organization,
        admin_email=invitation.email,
        invitation_link=invitation_url(organization=organization, token=token),
    )
