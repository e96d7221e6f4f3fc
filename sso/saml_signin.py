"""Signing in through the organisation's SAML identity provider (SP-initiated only).

``start`` makes an AuthnRequest, keeps its id (with the organisation and the page to land on) in the
person's session, at most a few at once for 10 minutes, and sends them to the IdP.

The IdP posts the ``SAMLResponse`` back to ``/sso/<slug>/saml/acs/`` from its own site, and a
cross-site POST carries no session cookie (SameSite=Lax). So the POST only parks the response in
the cache under a one-use key (``park``, 5 minutes) and redirects to the same address with the key:
that top-level GET carries the session (``finish``). ``finish`` takes the attempt the response
answers (its InResponseTo) out of the session before anything else, so an attempt works once and
only in the browser that started it — an attacker's own assertion posted into someone else's
browser finds no attempt there. An IdP-initiated response (no InResponseTo) is refused.

Then ``sso.saml.check_response`` (signature, audience, destination, times, InResponseTo…), the
replay check (the assertion ID is recorded, ``SamlAssertionUse``; a second use is refused), and the
account is found or made as for OpenID Connect (``sso.signin.account_for``: JIT membership, the
directory person linked, "a provider only signs in accounts whose every organisation is its own").
Every refusal is a ``SignInRefusedError`` and an ``sso.saml_refused`` audit entry.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from core.text import one_line
from organizations.audit import log_action
from organizations.models import Organization
from sso import saml
from sso.errors import SignInRefusedError
from sso.models import (
    DEFAULT_EMAIL_ATTRIBUTES,
    DEFAULT_NAME_ATTRIBUTES,
    SamlAssertionUse,
    SamlIdentity,
    SamlProvider,
)
from sso.signin import ATTEMPT_SECONDS, MAX_PENDING, SignedIn, account_for, complete, lands_in

SESSION_KEY = "flipside_saml_attempts"
PARK_SECONDS = 5 * 60
PARK_PREFIX = "sso:saml:parked:"
UNKNOWN_ATTEMPT = (
    "This answer of the identity provider does not belong to a sign-in started in this browser, "
    "was already used or has expired. Start again from Flipside."
)
REPLAYED = "This assertion was already used to sign in. Start again from Flipside."
_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def sp_of(request: HttpRequest, organization: Organization) -> saml.Sp:
    """Our entity id (the metadata URL) and ACS URL for this organisation."""
    slug = organization.slug
    return saml.Sp(
        entity_id=request.build_absolute_uri(
            reverse("sso_saml_metadata", kwargs={"org_slug": slug})
        ),
        acs_url=request.build_absolute_uri(reverse("sso_saml_acs", kwargs={"org_slug": slug})),
    )


def idp_of(provider: SamlProvider) -> saml.Idp:
    return saml.Idp(
        entity_id=provider.idp_entity_id,
        sso_url=provider.sso_url,
        certificates=saml.certificate_bodies(provider.idp_certificates),
    )


def start(
    request: HttpRequest, *, organization: Organization, provider: SamlProvider, next_url: str
) -> str:
    """Remember a new AuthnRequest in the session; the IdP's URL to send the person to."""
    url, request_id = saml.authn_request_url(
        idp_of(provider), sp_of(request, organization), relay_state=organization.slug
    )
    now = time.time()
    pending: dict[str, Any] = {
        key: value
        for key, value in dict(request.session.get(SESSION_KEY) or {}).items()
        if isinstance(value, dict) and now - value.get("at", 0) < ATTEMPT_SECONDS
    }
    while len(pending) >= MAX_PENDING:
        pending.pop(min(pending, key=lambda key: pending[key]["at"]))
    pending[request_id] = {
        "org": organization.pk,
        "next": next_url if lands_in(next_url, organization) else "",
        "at": now,
    }
    request.session[SESSION_KEY] = pending
    return url


def park(*, organization: Organization, provider: SamlProvider, saml_response: str) -> str:
    """Keep a posted response for the GET that follows (module docstring); its one-use key.
    Missing, too large, unreadable or IdP-initiated: refused at once, nothing parked."""
    with _audited(provider):
        if not saml_response or len(saml_response) > saml.MAX_RESPONSE_CHARS:
            raise SignInRefusedError("The identity provider's answer is missing or too large.", 400)
        _answered_request_id(saml_response)
    key = secrets.token_urlsafe(32)
    cache.set(PARK_PREFIX + key, {"org": organization.pk, "response": saml_response}, PARK_SECONDS)
    return key


def _unpark(key: str, organization: Organization) -> str:
    parked = cache.get(PARK_PREFIX + key) if _KEY.match(key or "") else None
    if not isinstance(parked, dict) or parked.get("org") != organization.pk:
        raise SignInRefusedError(UNKNOWN_ATTEMPT, 400)
    if not cache.delete(PARK_PREFIX + key):  # another request took it first
        raise SignInRefusedError(UNKNOWN_ATTEMPT, 400)
    return str(parked["response"])


def _answered_request_id(saml_response: str) -> str:
    request_id = saml.claimed_in_response_to(saml_response)
    if not request_id:
        raise SignInRefusedError(
            "Sign-ins started at the identity provider are not accepted: start from Flipside "
            "(your organisation's sign-in address).",
            400,
        )
    return request_id


def _take_attempt(
    request: HttpRequest, request_id: str, organization: Organization
) -> dict[str, Any]:
    pending: dict[str, Any] = dict(request.session.get(SESSION_KEY) or {})
    attempt = pending.pop(request_id, None)
    request.session[SESSION_KEY] = pending
    if (
        not isinstance(attempt, dict)
        or attempt.get("org") != organization.pk
        or time.time() - attempt.get("at", 0) >= ATTEMPT_SECONDS
    ):
        raise SignInRefusedError(UNKNOWN_ATTEMPT, 400)
    return attempt


def finish(
    request: HttpRequest, *, organization: Organization, provider: SamlProvider, key: str
) -> SignedIn:
    """The browser came back with a parked response's key: check everything, sign in."""
    with _audited(provider):
        return _finish(request, organization=organization, provider=provider, key=key)


@contextmanager
def _audited(provider: SamlProvider) -> Iterator[None]:
    """A refusal leaves an ``sso.saml_refused`` audit entry (the log has python3-saml's detail)."""
    try:
        yield
    except SignInRefusedError as refusal:
        log_action(
            actor=None, action="sso.saml_refused", target=provider, data={"reason": refusal.message}
        )
        raise


def _finish(
    request: HttpRequest, *, organization: Organization, provider: SamlProvider, key: str
) -> SignedIn:
    saml_response = _unpark(key, organization)
    request_id = _answered_request_id(saml_response)
    attempt = _take_attempt(request, request_id, organization)
    assertion = saml.check_response(
        saml_response,
        idp=idp_of(provider),
        sp=sp_of(request, organization),
        request_id=request_id,
    )
    _use_once(organization, assertion)
    email, name = _address_and_name(assertion, provider)
    subject = None if assertion.name_id_format == saml.TRANSIENT else assertion.name_id[:500]
    try:
        user, created = account_for(
            organization=organization,
            identities=SamlIdentity,
            subject=subject,
            email=email,
            name=name,
        )
    except IntegrityError:
        raise SignInRefusedError("This sign-in raced another one. Start again.", 400) from None
    return complete(
        request,
        organization=organization,
        user=user,
        next_url=attempt.get("next") or "",
        created=created,
    )


def _use_once(organization: Organization, assertion: saml.Assertion) -> None:
    """Record the assertion's ID; a second use of it is a replay."""
    try:
        with transaction.atomic():
            SamlAssertionUse.objects.filter(expires_at__lt=timezone.now()).delete()
            SamlAssertionUse.objects.create(
                organization=organization,
                assertion_id=assertion.assertion_id[:255],
                expires_at=assertion.expires_at,
            )
    except IntegrityError:
        raise saml.refused(REPLAYED, assertion.assertion_id) from None


def _first(attributes: dict[str, list[str]], names: tuple[str, ...] | list[str]) -> str:
    for attribute in names:
        values = [v for v in attributes.get(attribute, []) if v.strip()]
        if values:
            return values[0].strip()
    return ""


def _is_address(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _address_and_name(assertion: saml.Assertion, provider: SamlProvider) -> tuple[str, str]:
    """The address (the mapped attribute; else an address NameID; else the usual attributes) and
    the name (the mapped attribute(s) joined, else the usual ones)."""
    if provider.email_attribute:
        email = _first(assertion.attributes, [provider.email_attribute])
        where = f"the “{provider.email_attribute}” attribute"
    else:
        email = ""
        if assertion.name_id_format == saml.EMAIL_ADDRESS:
            email = assertion.name_id.strip()
        email = email or _first(assertion.attributes, DEFAULT_EMAIL_ATTRIBUTES)
        if not email and _is_address(assertion.name_id.strip()):
            email = assertion.name_id.strip()
        where = "the NameID or the usual address attributes"
    email = email.lower()
    if not email:
        raise SignInRefusedError(
            f"The identity provider sent no address in {where}. "
            "Ask your administrator to check the attribute mapping."
        )
    if not _is_address(email):
        raise SignInRefusedError("The identity provider sent an address that is not valid.")
    mapped = [a.strip() for a in provider.name_attributes.split(",") if a.strip()]
    if mapped:
        name = " ".join(part for a in mapped if (part := _first(assertion.attributes, [a])))
    else:
        name = _first(assertion.attributes, DEFAULT_NAME_ATTRIBUTES)
    return email, one_line(name).strip()[:200]
