"""A tiny OpenID Connect identity provider on 127.0.0.1 for the tests (no outside network).

It serves discovery, JWKS, an authorisation endpoint that approves at once (302 back to the
redirect URI with a code) and a token endpoint that checks the client's secret, the one-use code,
the redirect URI and the PKCE verifier, and answers an RS256 ID token signed with a key made here.
Knobs let a test make it misbehave: sign with another key, name another audience, expire the
token, change the claims, or stop answering.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeIdp:
    clients: dict[str, str] = field(default_factory=dict)  # client id → secret
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = "test-key-1"
    # The knobs.
    claims: dict[str, Any] = field(default_factory=dict)  # sent in the next ID tokens
    sign_with: rsa.RSAPrivateKey | None = None  # another key, same kid: a bad signature
    audience: str | None = None  # another audience than the client
    lifetime: int = 300  # negative: already expired
    issuer_override: str | None = None
    token_status: int = 200  # another status: the token endpoint fails
    raw_id_token: str | None = None  # sent as is instead of a signed token
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    @property
    def issuer(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer_override or self.issuer,
            "sub": "subject-1",
            "aud": self.audience or grant["client_id"],
            "iat": now,
            "exp": now + self.lifetime,
            "nonce": grant["nonce"],
            "email": "new.person@acme.test",
            "email_verified": True,
            "name": "Nia New",
            **self.claims,
        }
        return jwt.encode(
            claims, self.sign_with or self.key, algorithm="RS256", headers={"kid": self.kid}
        )


class _Handler(BaseHTTPRequestHandler):
    idp: FakeIdp

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/openid-configuration":
            return self._json(200, self.idp.discovery())
        if url.path == "/jwks":
            return self._json(200, self.idp.jwks())
        if url.path == "/authorize":
            if query.get("client_id") not in self.idp.clients:
                return self._json(400, {"error": "unauthorized_client"})
            if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
                return self._json(400, {"error": "invalid_request"})
            code = secrets.token_urlsafe(16)
            self.idp.codes[code] = query
            target = (
                query["redirect_uri"]
                + "?"
                + urllib.parse.urlencode({"code": code, "state": query["state"]})
            )
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        if self.path != "/token":
            return self._json(404, {"error": "not_found"})
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        basic = self.headers.get("Authorization", "").removeprefix("Basic ")
        client_id, _, secret = base64.b64decode(basic).decode().partition(":")
        client_id, secret = urllib.parse.unquote(client_id), urllib.parse.unquote(secret)
        if self.idp.clients.get(client_id) != secret:
            return self._json(401, {"error": "invalid_client"})
        grant = self.idp.codes.pop(form.get("code", ""), None)
        if grant is None or grant["client_id"] != client_id:
            return self._json(400, {"error": "invalid_grant"})
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(form["code_verifier"].encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if challenge != grant["code_challenge"] or form["redirect_uri"] != grant["redirect_uri"]:
            return self._json(400, {"error": "invalid_grant"})
        if self.idp.token_status != 200:
            return self._json(self.idp.token_status, {"error": "server_error"})
        if self.idp.raw_id_token is not None:
            return self._json(200, {"id_token": self.idp.raw_id_token})
        return self._json(
            200, {"access_token": "x", "token_type": "Bearer", "id_token": self.idp.id_token(grant)}
        )


@contextmanager
def running_idp(**clients: str) -> Iterator[FakeIdp]:
    idp = FakeIdp(clients=dict(clients))
    handler = type("Handler", (_Handler,), {"idp": idp})
    idp.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=idp.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        idp.server.shutdown()
        idp.server.server_close()
        thread.join(5)


def follow_to_idp(location: str) -> str:
    """GET the provider's authorisation URL; the callback path + query it redirects back to."""
    url = urllib.parse.urlsplit(location)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    try:
        connection.request("GET", f"{url.path}?{url.query}")
        response = connection.getresponse()
        assert response.status == 302, (response.status, response.read())
        back = urllib.parse.urlsplit(response.getheader("Location") or "")
    finally:
        connection.close()
    return f"{back.path}?{back.query}"


def sign_in(client: Client, slug: str, *, next_url: str = "") -> Any:
    """Start at the organisation's SSO address, let the provider approve, come back: the
    callback's response (and the callback URL, on ``response.callback``)."""
    start = client.get(f"/sso/{slug}/login/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.status_code
    callback = follow_to_idp(start.url)
    response = client.get(callback)
    response.callback = callback
    return response
