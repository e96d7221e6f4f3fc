"""Signing in through the organisation's identity provider (authorisation code flow with PKCE).

``start`` keeps the attempt's state, nonce and PKCE verifier in the person's session (at most a few
at once) and sends them to the provider. ``finish`` takes the attempt out of the session *before*
anything else, so a state works once: replayed, unknown, or begun for another organisation (the
callback's slug must be the attempt's), it is a 400. Then the code is exchanged and the ID token
checked (``sso.oidc``), and the account is found or made just in time:

1. the provider's subject already linked to an account here (``OidcIdentity``) → that account;
2. else the token's address: an existing account with it, or a new one (address verified — the
   organisation's own provider vouches for it; a token that says ``email_verified: false`` is
   refused);
3. the account joins as a member unless it is one already (its role kept), and the directory person
   with that address (not linked yet) is linked to it.

Cross-tenant rule: a provider can only sign in an account whose every organisation is its own (an
account that belongs to another organisation too, or a platform operator, signs in with its
password). Otherwise one organisation's admin could point their provider at any address and walk
into another organisation's account.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User
from core.text import one_line
from organizations.audit import log_action
from organizations.models import Organization
from organizations.selectors import organizations_of_user
from organizations.services import membership_join
from participants.models import Person
from participants.onboarding import joining
from sso import oidc, sealing
from sso.models import OidcIdentity, OidcProvider, SamlIdentity

SESSION_KEY = "flipside_sso_attempts"
MAX_PENDING = 5
ATTEMPT_SECONDS = 10 * 60
UNKNOWN_STATE = "This sign-in was already used, has expired or did not start here. Start again."
OTHER_ORGANISATIONS = (
    "This account belongs to another organisation too, so single sign-on cannot open it. "
    "Sign in with your password."
)


@dataclass(frozen=True)
class SignedIn:
    user: User
    landing_url: str
    created: bool


def redirect_uri(request: HttpRequest, organization: Organization) -> str:
    return request.build_absolute_uri(
        reverse("sso_callback", kwargs={"org_slug": organization.slug})
    )


def start(
    request: HttpRequest, *, organization: Organization, provider: OidcProvider, next_url: str
) -> str:
    """Remember a new attempt in the session; the provider's authorisation URL to send them to."""
    attempt = oidc.Attempt.new()
    pending: dict[str, Any] = dict(request.session.get(SESSION_KEY) or {})
    now = time.time()
    pending = {
        state: value
        for state, value in pending.items()
        if isinstance(value, dict) and now - value.get("at", 0) < ATTEMPT_SECONDS
    }
    while len(pending) >= MAX_PENDING:
        pending.pop(min(pending, key=lambda state: pending[state]["at"]))
    pending[attempt.state] = {
        "org": organization.pk,
        "nonce": attempt.nonce,
        "verifier": attempt.code_verifier,
        "next": next_url if lands_in(next_url, organization) else "",
        "at": now,
    }
    request.session[SESSION_KEY] = pending
    return oidc.authorization_url(
        authorization_endpoint=provider.authorization_endpoint,
        client_id=provider.client_id,
        redirect_uri=redirect_uri(request, organization),
        attempt=attempt,
    )


def lands_in(next_url: str, organization: Organization) -> bool:
    return next_url.startswith(f"/o/{organization.slug}/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts=None
    )


def _take_attempt(request: HttpRequest, state: str, organization: Organization) -> dict[str, Any]:
    pending: dict[str, Any] = dict(request.session.get(SESSION_KEY) or {})
    attempt = pending.pop(state, None) if state else None
    request.session[SESSION_KEY] = pending
    if (
        not isinstance(attempt, dict)
        or attempt.get("org") != organization.pk
        or time.time() - attempt.get("at", 0) >= ATTEMPT_SECONDS
    ):
        raise oidc.SignInRefusedError(UNKNOWN_STATE, 400)
    return attempt


def finish(
    request: HttpRequest, *, organization: Organization, provider: OidcProvider, params: Any
) -> SignedIn:
    """The provider sent the person back: check everything, find or make the account, sign in."""
    attempt = _take_attempt(request, str(params.get("state") or ""), organization)
    if params.get("error"):
        detail = one_line(str(params.get("error_description") or params.get("error")))[:200]
        raise oidc.SignInRefusedError(f"The identity provider did not sign you in: {detail}", 403)
    code = str(params.get("code") or "")
    if not code:
        raise oidc.SignInRefusedError("The identity provider sent no sign-in code.", 400)
    secret = sealing.reveal(provider.client_secret_encrypted)
    if secret is None:
        raise oidc.SignInRefusedError(
            "Single sign-on needs its client secret entered again by an administrator.", 403
        )
    id_token = oidc.exchange_code(
        token_endpoint=provider.token_endpoint,
        client_id=provider.client_id,
        client_secret=secret,
        auth_method=provider.token_auth_method,
        code=code,
        redirect_uri=redirect_uri(request, organization),
        code_verifier=attempt["verifier"],
    )
    claims = oidc.verify_id_token(
        id_token,
        issuer=provider.issuer,
        client_id=provider.client_id,
        jwks_uri=provider.jwks_uri,
        nonce=attempt["nonce"],
        algorithms=provider.signing_algorithms or None,
    )
    email, name = _address_and_name(claims, provider)
    try:
        user, created = account_for(
            organization=organization,
            identities=OidcIdentity,
            subject=claims["sub"],
            email=email,
            name=name,
        )
    except IntegrityError:  # the same first sign-in twice at once: the other one won
        raise oidc.SignInRefusedError("This sign-in raced another one. Start again.", 400) from None
    return complete(
        request,
        organization=organization,
        user=user,
        next_url=attempt.get("next") or "",
        created=created,
    )


def _address_and_name(claims: dict[str, Any], provider: OidcProvider) -> tuple[str, str]:
    email = claims.get(provider.email_claim)
    if not isinstance(email, str) or not email.strip():
        raise oidc.SignInRefusedError(
            f"The identity provider sent no address in the “{provider.email_claim}” claim. "
            "Ask your administrator to check the attribute mapping."
        )
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise oidc.SignInRefusedError(
            "The identity provider sent an address that is not valid."
        ) from None
    if claims.get("email_verified") is False or claims.get("email_verified") == "false":
        raise oidc.SignInRefusedError("The identity provider says this address is not verified.")
    name = claims.get(provider.name_claim)
    name = one_line(name).strip()[:200] if isinstance(name, str) else ""
    return email, name


def account_for(
    *,
    organization: Organization,
    identities: type[OidcIdentity] | type[SamlIdentity],
    subject: str | None,
    email: str,
    name: str,
) -> tuple[User, bool]:
    """Inside the organisation's scope: the account the provider vouches for, joined and linked.

    ``identities`` is the provider kind's table of subjects (``sub``, SAML's persistent NameID);
    ``subject`` None (a transient NameID) finds and links by address only."""
    with transaction.atomic():
        identity = (
            identities.objects.select_for_update()
            .select_related("user")
            .filter(subject=subject)
            .first()
            if subject
            else None
        )
        user = identity.user if identity is not None else joining.account_for(email)
        created = user is None
        if user is None:
            user = User.objects.create_user(email=email, password=None, full_name=name)
            joining.mark_verified(user, email)
            log_action(actor=user, action="account.created_by_sso", data={"subject": subject})
        else:
            _check_may_sign_in(user, organization)
        if identity is None and subject:
            identities.objects.filter(user=user).delete()  # the provider re-issued the subject
            identity = identities.objects.create(
                organization=organization, subject=subject, user=user
            )
            log_action(
                actor=user, action="sso.identity_linked", target=identity, data={"subject": subject}
            )
        elif identity is not None:
            identity.last_sign_in_at = timezone.now()
            identity.save(update_fields=["last_sign_in_at"])
        membership_join(organization=organization, user=user, via="sso")
        if not Person.objects.filter(user=user).exists():
            person = Person.objects.filter(
                email__iexact=email, is_active=True, user__isnull=True
            ).first()
            if person is not None:
                joining.link_person(person, user)
    return user, created


def complete(
    request: HttpRequest, *, organization: Organization, user: User, next_url: str, created: bool
) -> SignedIn:
    """Open the session; where the person lands (their page of the organisation, or its home)."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    landing = next_url or reverse("organization_home", kwargs={"org_slug": organization.slug})
    return SignedIn(user, landing, created)


def _check_may_sign_in(user: User, organization: Organization) -> None:
    if not user.is_active:
        raise oidc.SignInRefusedError("This account is disabled.")
    if user.is_staff or user.is_superuser:
        raise oidc.SignInRefusedError(
            "Platform operators sign in with their password and second factor."
        )
    if any(choice.organization.pk != organization.pk for choice in organizations_of_user(user)):
        raise oidc.SignInRefusedError(OTHER_ORGANISATIONS)


def forget_account(user_id: int) -> tuple[str, int]:
    """Erasure (``privacy.erasure.account_leaves``): the provider's subject of the account goes with
    its membership. Signing in through the provider again would start afresh."""
    return "sso.oidcidentity", OidcIdentity.objects.filter(user_id=user_id).delete()[0]


def forget_saml_account(user_id: int) -> tuple[str, int]:
    """Erasure, as ``forget_account``: the IdP's NameID of the account goes too."""
    return "sso.samlidentity", SamlIdentity.objects.filter(user_id=user_id).delete()[0]
