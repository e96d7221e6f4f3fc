"""Writes of the organisation's own settings and logo: validated, atomic, audited (before/after).

The actor must hold ``organization.settings`` (``organizations.access``): the services ask the
policy themselves, so a shell or a task is refused like a page or the API.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.text import check_single_line
from core.timezones import time_zone_names
from organizations.access import SETTINGS, organization_access
from organizations.audit import log_action
from organizations.configuration.validation import check_brand_colour, inspect_logo
from organizations.models import Organization, OrganizationLogo
from organizations.selectors import membership_of

# The settings an admin changes here, in the order the page shows them.
EDITABLE = ("name", "slug", "time_zone", "brand_colour", "min_aggregate_size", "require_mfa")
SLUG_TAKEN = "Another organisation already uses this address; choose another."


def _require_admin(actor: User) -> None:
    organization_access(membership_of(actor)).require(SETTINGS)


def _clean(organization: Organization, values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, value in values.items():
        if field not in EDITABLE:
            continue
        try:
            if field == "name":
                value = (value or "").strip()
                check_single_line("name", value)
            elif field == "slug":
                value = (value or "").strip().lower()
            elif field == "time_zone":
                if value not in time_zone_names():
                    raise ValidationError(
                        {"time_zone": "Choose a time zone from the list (e.g. Europe/London)."}
                    )
            elif field == "brand_colour":
                value = check_brand_colour(value)
            cleaned[field] = value
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def organization_settings_update(
    *, actor: User, organization: Organization, values: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Change the given settings; returns ``{field: {"from", "to"}}`` of what really changed.

    A changed ``slug`` changes every address of the organisation (/o/<slug>/…): old links stop
    working, which the page says before and after. Bad values: ``ValidationError`` per field."""
    _require_admin(actor)
    cleaned = _clean(organization, values)
    changes = {
        field: {"from": getattr(organization, field), "to": value}
        for field, value in cleaned.items()
        if getattr(organization, field) != value
    }
    if not changes:
        return {}
    if (
        "slug" in changes
        and Organization.objects.filter(slug=cleaned["slug"]).exclude(pk=organization.pk).exists()
    ):
        raise ValidationError({"slug": SLUG_TAKEN})
    updated = Organization.objects.get(pk=organization.pk)
    for field, change in changes.items():
        setattr(updated, field, change["to"])
    try:
        updated.full_clean(validate_unique=False)
    except ValidationError as error:
        raise ValidationError(
            {f: m for f, m in error.message_dict.items() if f in EDITABLE} or error.messages
        ) from None
    try:
        with transaction.atomic():
            updated.save(update_fields=list(changes))
            log_action(
                actor=actor,
                action="organization.settings_changed",
                target=updated,
                data={"changes": changes},
            )
    except IntegrityError:
        raise ValidationError({"slug": SLUG_TAKEN}) from None
    for field, change in changes.items():
        setattr(organization, field, change["to"])
    return changes


def _describe(logo: OrganizationLogo | None) -> dict[str, Any] | None:
    if logo is None:
        return None
    content = bytes(logo.content)
    return {
        "content_type": logo.content_type,
        "bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest()[:16],
    }


def organization_logo_set(
    *, actor: User, organization: Organization, content: bytes
) -> OrganizationLogo:
    """Store (or replace) the logo: a PNG or JPEG within the size bounds, never SVG."""
    _require_admin(actor)
    image = inspect_logo(content)
    with transaction.atomic():
        logo = OrganizationLogo.objects.select_for_update().first()
        before = _describe(logo)
        if logo is None:
            logo = OrganizationLogo(organization=organization)
        logo.content = content
        logo.content_type = image.content_type
        logo.updated_at = timezone.now()
        logo.save()
        after = _describe(logo) or {}
        log_action(
            actor=actor,
            action="organization.logo_changed",
            target=organization,
            data={"from": before, "to": {**after, "width": image.width, "height": image.height}},
        )
    return logo


def organization_logo_remove(*, actor: User, organization: Organization) -> bool:
    """Remove the logo (the product's name shows instead). False when there was none."""
    _require_admin(actor)
    with transaction.atomic():
        logo = OrganizationLogo.objects.select_for_update().first()
        if logo is None:
            return False
        log_action(
            actor=actor,
            action="organization.logo_changed",
            target=organization,
            data={"from": _describe(logo), "to": None},
        )
        logo.delete()
    return True
