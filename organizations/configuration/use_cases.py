"""The organisation settings' use cases, shared by the page and the API (one function per action).

Each asks the policy (``organizations.access.organization_access``) first; the services ask it
again, so nothing reaches a write without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from organizations import logo
from organizations.access import SETTINGS, organization_access
from organizations.configuration import services
from organizations.models import Membership, Organization


@dataclass(frozen=True)
class Branding:
    """What pages need to show the organisation's brand (``brand.css``, the logo's URL)."""

    colour: str
    logo_url: str  # the content-addressed path (organizations.logo), "" without a logo

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_url)

    @property
    def version(self) -> str:
        return f"{self.colour.lstrip('#')}-{self.logo_url.rsplit('/', 1)[-1]}"


def branding(organization: Organization) -> Branding:
    """Any member's view of the brand (no policy: every member sees the pages it colours)."""
    url = logo.logo_path(organization, logo.logo_ref(organization.pk))
    return Branding(colour=organization.brand_colour, logo_url=url)


def read_settings(*, actor: Membership) -> tuple[Organization, Branding]:
    organization_access(actor).require(SETTINGS)
    organization = Organization.objects.get(pk=actor.organization_id)
    return organization, branding(organization)


def update_settings(
    *,
    actor: Membership,
    values: Mapping[str, Any],
    logo_content: bytes | None = None,
    remove_logo: bool = False,
) -> tuple[Organization, dict[str, Any]]:
    """Change settings and the logo together, all or nothing. Returns the organisation and what
    changed (``{field: {"from", "to"}}``, ``"logo"`` when it was replaced or removed)."""
    organization_access(actor).require(SETTINGS)
    organization = Organization.objects.get(pk=actor.organization_id)
    with transaction.atomic():
        changes: dict[str, Any] = dict(
            services.organization_settings_update(
                actor=actor.user, organization=organization, values=values
            )
        )
        if logo_content is not None:
            services.organization_logo_set(
                actor=actor.user, organization=organization, content=logo_content
            )
            changes["logo"] = "replaced"
        elif remove_logo and services.organization_logo_remove(
            actor=actor.user, organization=organization
        ):
            changes["logo"] = "removed"
    return organization, changes
