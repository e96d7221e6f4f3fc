"""Sign-up by invitation, and sign-in limits: allauth's account adapter (settings.ACCOUNT_ADAPTER).

Wrong passwords are limited by ``accounts.signin_limits`` (per account and client, with device
cookies, instead of allauth's per-address and per-account lock-out), and the client's address is
``core.client_ip`` for every limit allauth keeps (the same address the API throttles see).

allauth's own account mail (password reset, email confirmation, …) gets the HTML alternative of
``organizations.mail``: branded when the account belongs to exactly one organisation, the product's
neutral look otherwise (several, or none: we do not guess which one it is about). It is essential
mail, with no unsubscribe link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts import signin_limits
from accounts.models import User
from core.client_ip import client_ip
from core.hooks import Hook
from organizations import mail
from organizations.models import Organization
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug, organizations_of_user
from organizations.services import invitation_for_token

INVITATION_SESSION_KEY = "flipside_invitation"

# Before an account signs in with its password (or an emailed link): each function may return the
# URL to send the person to instead (``sso.password``: their organisation requires single sign-on).
password_sign_in_checks: Hook[Callable[[HttpRequest, Any], str | None]] = Hook(
    "organizations.signup.password_sign_in_checks"
)
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

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request) or "unknown"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        address = self.get_client_ip(request)
        reason = signin_limits.count_attempt(address) or signin_limits.refusal(
            request, _login_of(credentials), address
        )
        if reason:
            raise forms.ValidationError(reason, code="too_many_login_attempts")

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        user = super().authenticate(request, **credentials)
        if user is not None:
            signin_limits.record_success(
                request, _login_of(credentials), self.get_client_ip(request)
            )
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        signin_limits.record_failure(request, _login_of(credentials), self.get_client_ip(request))

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth calls this once a password was reset through the emailed link.
        super()._delete_login_attempts_cached_email(request, **credentials)
        signin_limits.forget_failures(request, _login_of(credentials), self.get_client_ip(request))

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        for check in password_sign_in_checks:
            url = check(request, user)
            if url:
                from allauth.account.internal.stagekit import clear_login

                clear_login(request)
                return HttpResponseRedirect(url)
        return None

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        if getattr(user, "email", ""):
            signin_limits.remember_device(response, user.email)
        return response

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        message = super().render_mail(template_prefix, email, context, headers)
        address = email if isinstance(email, str) else (email[0] if len(email) == 1 else "")
        return mail.with_html(message, _only_organization(context.get("user"), address))

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return _invitation_accept_url(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # Sign-up stores this URL for the login that follows email confirmation; without the
        # override the invitee would land on the (empty) organisation picker instead.
        return _invitation_accept_url(request) or super().get_signup_redirect_url(request)


def _only_organization(user: Any, address: str) -> Organization | None:
    """The one organisation the account (the mail's ``user``, else the address's) belongs to;
    None when it belongs to several or none."""
    if not isinstance(user, User):
        user = User.objects.filter(email__iexact=address).first() if address else None
    if user is None:
        return None
    choices = organizations_of_user(user)
    return choices[0].organization if len(choices) == 1 else None


def _login_of(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")
