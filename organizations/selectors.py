"""Reads of organisation data. Everything here runs inside a scope, except where a name says so."""

from __future__ import annotations

import copy
import datetime
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

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


# The organisation of a request's URL, remembered per process for a few seconds: the middleware
# resolves it on every organisation request (page and API), and it changes rarely. Any save or
# delete of an organisation in this process forgets them all at once (``forget_organizations``,
# connected in ``OrganizationsConfig.ready``); another process's change (a rename, a new slug, a
# deactivation) is seen within ``ORGANIZATION_CACHE_SECONDS``. Only active organisations are
# remembered (an unknown slug is always asked again, so nobody fills the memory with made-up
# slugs), at most ``_MAX_REMEMBERED`` of them. Each call gets its own instance: a view that changes
# ``request.organization`` cannot change another request's.
ORGANIZATION_CACHE_SECONDS = 5.0
_MAX_REMEMBERED = 1024
# slug → (when, field names, values, positions of the values that are not immutable scalars)
_remembered: dict[str, tuple[float, list[str], list[Any], list[int]]] = {}
_remembered_lock = threading.Lock()
_IMMUTABLE = (str, int, float, bool, type(None), datetime.datetime, datetime.date, Decimal, UUID)


def organization_for_request(slug: str) -> Organization | None:
    """``organization_by_slug`` for the tenancy middleware: the same answer, at most a few
    seconds old, usually without a query."""
    now = time.monotonic()
    entry = _remembered.get(slug)
    if entry is not None and now - entry[0] < ORGANIZATION_CACHE_SECONDS:
        _stamp, names, values, mutable = entry
        if mutable:  # a list or dict (labels, settings): each request its own copy
            values = values.copy()
            for position in mutable:
                values[position] = copy.deepcopy(values[position])
        return Organization.from_db("default", names, values)
    organization = organization_by_slug(slug)
    if organization is None:
        _remembered.pop(slug, None)
        return None
    names = [f.attname for f in Organization._meta.concrete_fields]
    values = copy.deepcopy([getattr(organization, name) for name in names])
    mutable = [i for i, value in enumerate(values) if not isinstance(value, _IMMUTABLE)]
    with _remembered_lock:
        if len(_remembered) >= _MAX_REMEMBERED:
            _remembered.clear()
        _remembered[slug] = (now, names, values, mutable)
    return organization


def forget_organizations(**kwargs: object) -> None:
    """Signal receiver (post_save, post_delete of Organization): drop every remembered one."""
    with _remembered_lock:
        _remembered.clear()


def membership_of(user: User | AnonymousUser) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user).first()


def has_second_factor(user: User | AnonymousUser) -> bool:
    """Whether ``user`` set up a second factor (allauth MFA: an authenticator app)."""
    from allauth.mfa.models import Authenticator  # allauth's models load after the app registry

    return bool(user.is_authenticated) and Authenticator.objects.filter(user_id=user.pk).exists()


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
