"""Sign-up by invitation: allauth's account adapter for Flipside (settings.ACCOUNT_ADAPTER)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug
from organizations.services import invitation_for_token

INVITATION_SESSION_KEY = "flipside_invitation"
_INVITATION_FIELDS = frozenset({"org", "token", "email"})


def pending_invitation(request: HttpRequest) -> dict[str, Any] | None:
    """The invitation whose link was opened in this session (put there by the accept view)."""
    value = getattr(request, "session", {}).get(INVITATION_SESSION_KEY)
    return value if isinstance(value, dict) and value.keys() >= _INVITATION_FIELDS else None


def _invitation_still_open(invitation: dict[str, Any]) -> bool:
    """Whether the remembered invitation can still be accepted (it may be revoked or expired since)."""
    organization = organization_by_slug(str(invitation["org"]))
    if organization is None:
        return False
    with tenant_scope(organization):
        found = invitation_for_token(str(invitation["token"]))
        return found is not None and found.status == "pending"


def _invitation_accept_url(request: HttpRequest) -> str | None:
    invitation = pending_invitation(request)
    if invitation is None:
        return None
    return reverse(
        "invitation_accept", kwargs={"org_slug": invitation["org"], "token": invitation["token"]}
    )


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is by invitation (unless FLIPSIDE_OPEN_SIGNUP); after sign-in, finish the invitation."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        if settings.FLIPSIDE_OPEN_SIGNUP:
            return True
        invitation = pending_invitation(request)
        return invitation is not None and _invitation_still_open(invitation)

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        request = getattr(self, "request", None)
        invitation = pending_invitation(request) if request is not None else None
        invited_email = str(invitation["email"]).lower() if invitation else None
        if not settings.FLIPSIDE_OPEN_SIGNUP and invited_email and email.lower() != invited_email:
            raise forms.ValidationError(
                f"Sign up with the address the invitation was sent to: {invited_email}."
            )
        return email

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return _invitation_accept_url(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # Sign-up stores this URL for the login that follows email confirmation; without the
        # override the invitee would land on the (empty) organisation picker instead.
        return _invitation_accept_url(request) or super().get_signup_redirect_url(request)
