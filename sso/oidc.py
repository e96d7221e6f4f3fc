"""OpenID Connect, the parts we need: discovery, the authorisation URL (state, nonce, PKCE), the
code exchange and the ID token's checks. No Django models here; ``sso.signin`` drives it.

Every failure is one of two exceptions, so no IdP answer can become a 500:
- ``IdpUnreachableError`` (502): the provider cannot be reached or answers with something unreadable;
- ``SignInRefusedError`` (400 or 403): the answer arrived and is not acceptable (bad signature, another
  client's token, expired, a nonce that is not ours…), with a sentence for the person.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import ipaddress
import json
import secrets
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import jwt
from django.conf import settings

from core import outbound
from sso.errors import IdpUnreachableError as IdpUnreachableError
from sso.errors import SignInRefusedError as SignInRefusedError

TIMEOUT_SECONDS = 10
MAX_BODY_BYTES = 1_000_000
CLOCK_LEEWAY_SECONDS = 60
# Asymmetric algorithms only: "none" and the HMAC family (keyed with the client secret) are refused.
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
SCOPES = "openid email profile"


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_methods: list[str] = field(default_factory=list)
    signing_algorithms: list[str] = field(default_factory=list)


def check_url(url: str) -> str:
    """HTTPS, or plain HTTP to this machine where private addresses are allowed (a provider under
    test, ``FLIPSIDE_SSO_ALLOW_PRIVATE``). Raises ValueError. Every request checks the addresses
    the name resolves to as well (``core.outbound``)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if (
        parts.scheme == "http"
        and parts.hostname
        and settings.FLIPSIDE_SSO_ALLOW_PRIVATE
        and _is_loopback(parts.hostname)
    ):
        return url
    raise ValueError("Use an https:// address.")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_url(
    url: str, *, headers: dict[str, str], data: bytes | None = None, max_bytes: int
) -> tuple[int, bytes]:
    """(status, body) of one request to an identity provider's address: checked (``check_url``),
    to a public address unless private ones are allowed, no redirect followed (``core.outbound``).
    ``OutboundRefusedError`` when it may not be made, ``OSError``/``HTTPException`` when the
    provider cannot be reached."""
    check_url(url)
    reply = outbound.fetch(
        url,
        allow_private=settings.FLIPSIDE_SSO_ALLOW_PRIVATE,
        method="POST" if data is not None else "GET",
        body=data,
        headers=headers,
        timeout=TIMEOUT_SECONDS,
        max_bytes=max_bytes,
    )
    return reply.status, reply.body


def _read(
    url: str, what: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> Any:
    """GET (or POST ``data`` to) an https URL of the provider; its JSON object."""
    try:
        status, body = read_url(
            url,
            headers={"Accept": "application/json", **(headers or {})},
            data=data,
            max_bytes=MAX_BODY_BYTES,
        )
    except outbound.OutboundRefusedError as error:
        raise IdpUnreachableError(
            f"The identity provider's {what} address may not be used: {error}"
        ) from None
    except ValueError:
        raise IdpUnreachableError(f"The identity provider's {what} address is not https.") from None
    except (http.client.HTTPException, OSError) as error:
        raise IdpUnreachableError(
            f"The identity provider could not be reached ({what})."
        ) from error
    if 400 <= status < 500:
        raise SignInRefusedError(
            f"The identity provider refused the request for its {what} ({status}).", 403
        )
    if not 200 <= status < 300:
        raise IdpUnreachableError(
            f"The identity provider answered with an error for its {what} ({status})."
        )
    if len(body) > MAX_BODY_BYTES:
        raise IdpUnreachableError(f"The identity provider's {what} is too large.")
    try:
        parsed = json.loads(body)
    except ValueError:
        raise IdpUnreachableError(f"The identity provider's {what} is not JSON.") from None
    if not isinstance(parsed, dict):
        raise IdpUnreachableError(f"The identity provider's {what} is not a JSON object.")
    return parsed


def discover(issuer: str) -> Discovery:
    """Read ``<issuer>/.well-known/openid-configuration`` and check it names the same issuer."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = _read(url, "discovery document")
    found_issuer = document.get("issuer")
    if not isinstance(found_issuer, str) or found_issuer.rstrip("/") != issuer.rstrip("/"):
        raise SignInRefusedError("The discovery document names another issuer.", 400)
    endpoints = {}
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(key)
        try:
            endpoints[key] = check_url(value if isinstance(value, str) else "")
        except ValueError:
            raise SignInRefusedError(f"The discovery document has no usable {key}.", 400) from None
    methods = document.get("token_endpoint_auth_methods_supported") or []
    algorithms = document.get("id_token_signing_alg_values_supported") or []
    return Discovery(
        issuer=found_issuer,
        token_auth_methods=[m for m in methods if isinstance(m, str)],
        signing_algorithms=[a for a in algorithms if isinstance(a, str)],
        **endpoints,
    )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class Attempt:
    """One sign-in's secrets: kept in the session until the provider sends the person back."""

    state: str
    nonce: str
    code_verifier: str

    @classmethod
    def new(cls) -> Attempt:
        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48))

    @property
    def code_challenge(self) -> str:
        return _b64url(hashlib.sha256(self.code_verifier.encode()).digest())


def authorization_url(
    *, authorization_endpoint: str, client_id: str, redirect_uri: str, attempt: Attempt
) -> str:
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": attempt.state,
            "nonce": attempt.nonce,
            "code_challenge": attempt.code_challenge,
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in authorization_endpoint else "?"
    return f"{authorization_endpoint}{separator}{query}"


def exchange_code(
    *,
    token_endpoint: str,
    client_id: str,
    client_secret: str,
    auth_method: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> str:
    """The ID token for ``code`` (the raw JWT, not yet checked)."""
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth_method == "client_secret_post":
        fields |= {"client_id": client_id, "client_secret": client_secret}
    else:
        pair = (
            f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(client_secret, safe='')}"
        )
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    answer = _read(
        token_endpoint,
        "token endpoint",
        data=urllib.parse.urlencode(fields).encode(),
        headers=headers,
    )
    id_token = answer.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise SignInRefusedError("The identity provider sent no ID token.", 403)
    return id_token


def verify_id_token(
    id_token: str,
    *,
    issuer: str,
    client_id: str,
    jwks_uri: str,
    nonce: str,
    algorithms: list[str] | None = None,
) -> dict[str, Any]:
    """The token's claims once its signature (JWKS), issuer, audience, expiry and nonce check out."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.InvalidTokenError:
        raise SignInRefusedError(
            "The identity provider's ID token could not be read.", 403
        ) from None
    allowed = [a for a in ALLOWED_ALGORITHMS if not algorithms or a in algorithms]
    algorithm = header.get("alg")
    if algorithm not in allowed:
        raise SignInRefusedError(
            f"The ID token is signed with an algorithm we refuse ({algorithm})."
        )
    key = _signing_key(jwks_uri, header.get("kid"), algorithm)
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=issuer,
            leeway=CLOCK_LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise SignInRefusedError(
            "The identity provider's ID token has expired. Sign in again."
        ) from None
    except jwt.InvalidAudienceError:
        raise SignInRefusedError("The ID token was issued for another application.") from None
    except jwt.InvalidIssuerError:
        raise SignInRefusedError("The ID token was issued by another identity provider.") from None
    except jwt.InvalidSignatureError:
        raise SignInRefusedError("The ID token's signature does not verify.") from None
    except jwt.InvalidTokenError as error:
        raise SignInRefusedError(f"The ID token is not valid ({error}).") from None
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise SignInRefusedError("The ID token was issued for another application.")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(
        claims["nonce"], nonce
    ):
        raise SignInRefusedError("The ID token does not belong to this sign-in (nonce).")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise SignInRefusedError("The ID token names no subject.")
    return claims


def _signing_key(jwks_uri: str, kid: Any, algorithm: str) -> Any:
    document = _read(jwks_uri, "keys (JWKS)")
    try:
        key_set = jwt.PyJWKSet.from_dict(document)
    except (jwt.PyJWKSetError, jwt.InvalidKeyError, ValueError, TypeError):
        raise IdpUnreachableError("The identity provider publishes no usable keys.") from None
    candidates = [
        key
        for key in key_set.keys
        if (kid is None or key.key_id == kid)
        and getattr(key, "public_key_use", None) in (None, "sig")
    ]
    if len(candidates) != 1:
        raise SignInRefusedError(
            "The ID token is signed with a key the identity provider does not publish."
        )
    return candidates[0].key
