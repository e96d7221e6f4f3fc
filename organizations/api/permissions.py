from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from organizations.models import Membership, Role
from organizations.selectors import has_second_factor, membership_of

MFA_REQUIRED = (
    "This organisation requires two-factor authentication: set it up in your account "
    "(/accounts/2fa/) before using it."
)


def request_membership(request: Request) -> Membership | None:
    """The requester's membership in the scoped organisation (cached on the request)."""
    django_request = request._request
    cached = getattr(django_request, "membership", None)
    if cached is not None and cached.user_id == getattr(request.user, "pk", None):
        return cached
    if getattr(django_request, "organization", None) is None:
        return None
    membership = membership_of(request.user)
    django_request.membership = membership  # type: ignore[attr-defined]
    return membership


class IsOrganizationMember(BasePermission):
    """Members of the URL's organisation only; everyone else gets 404 (as for an unknown slug)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(request._request, "organization", None) is None:
            # Views outside /api/v1/o/<slug>/ must declare their own permissions.
            return bool(request.user and request.user.is_authenticated)
        if request_membership(request) is None:
            raise NotFound()
        organization = request._request.organization  # type: ignore[attr-defined]
        if organization.require_mfa and not has_second_factor(request.user):
            raise PermissionDenied(MFA_REQUIRED)
        return True


class HasOrganizationRole(IsOrganizationMember):
    """Members with one of ``view.required_roles`` (per action via ``view.required_roles_by_action``)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        super().has_permission(request, view)
        by_action = getattr(view, "required_roles_by_action", {})
        roles = by_action.get(getattr(view, "action", None), getattr(view, "required_roles", None))
        if roles is None:
            return True
        membership = request_membership(request)
        if membership is None or membership.role not in roles:
            raise PermissionDenied("Your role in this organisation does not allow this.")
        return True


ADMIN_ONLY = (Role.ADMIN,)
