""" "SSO required": a password sign-in of someone whose organisation signs in through its provider is
sent to the provider instead (registered on ``organizations.signup.password_sign_in_checks``).

Who is sent: an account whose every organisation is one that requires SSO with an enabled
provider (OpenID Connect or SAML: ``sso.selectors.required_sign_in_url``) (an account in several organisations keeps its password, as ``sso.signin`` will not open
it). The break-glass: the organisation's admins who have a second factor (allauth MFA) still sign in
with their password (and then their second factor), so a broken provider cannot lock everyone out.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest

from organizations.models import Role
from organizations.selectors import organizations_of_user
from sso.selectors import required_sign_in_url


def sso_instead_of_password(request: HttpRequest, user: Any) -> str | None:
    """The SSO start URL to send this password sign-in to, or None to let it through."""
    if user.is_staff or user.is_superuser:
        return None
    choices = organizations_of_user(user)
    if len(choices) != 1:
        return None
    choice = choices[0]
    start_url = required_sign_in_url(choice.organization)
    if start_url is None:
        return None
    if choice.role == Role.ADMIN and Authenticator.objects.filter(user=user).exists():
        return None
    messages.info(
        request, f"{choice.organization.name} signs in with single sign-on: continue there."
    )
    return start_url
