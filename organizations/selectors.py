"""Reads of organisation data. Everything here runs inside a scope, except where a name says so."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accounts.models import User
from organizations.models import ApiToken, AuditEntry, Invitation, Membership, Organization
from organizations.scope import dangerously_unscoped


@dataclass(frozen=True)
class OrganizationChoice:
    organization: Organization
    role: str


def organizations_of_user(user: User) -> list[OrganizationChoice]:
    """The organisations a person belongs to, for the organisation picker.

    Sanctioned use of the escape hatch: it reads the signed-in person's own memberships across
    tenants and nothing else.
    """
    with dangerously_unscoped():
        memberships = list(
            Membership.dangerously_unscoped_objects.filter(user=user, organization__is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )
    return [OrganizationChoice(m.organization, m.role) for m in memberships]


def organization_by_slug(slug: str) -> Organization | None:
    return Organization.objects.filter(slug=slug, is_active=True).first()


def membership_of(user: User | AnonymousUser) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user).first()


def membership_list() -> QuerySet[Membership]:
    return Membership.objects.select_related("user").order_by("user__email")


def invitation_list() -> QuerySet[Invitation]:
    return Invitation.objects.select_related("invited_by")


def audit_entry_list(*, viewer: User | AnonymousUser) -> QuerySet[AuditEntry]:
    """The log as ``viewer`` may read it: a private entry only when they are its actor."""
    visible = Q(private=False)
    if viewer.is_authenticated:
        visible |= Q(actor=viewer)
    return AuditEntry.objects.filter(visible).select_related("actor")


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)
