"""A local SAML 2.0 identity provider for the tests (no outside network).

It makes an RSA key and a self-signed certificate (cryptography), describes itself in metadata
(served over HTTP on 127.0.0.1 by ``serving`` for the metadata-URL tests) and builds responses
signed with python3-saml's ``add_sign`` (xmlsec) that a test posts to the ACS. Knobs make it
misbehave: no signature, another key, a tampered assertion, another audience, expired, another
InResponseTo or none, a second unsigned assertion beside the signed one (signature wrapping).
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import threading
import urllib.parse
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils

EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
ENTITY_ID = "https://idp.acme.test/saml"
SSO_URL = "https://idp.acme.test/saml/sso"


def _time(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_identity(common_name: str = "Test IdP") -> tuple[str, str]:
    """A private key and its self-signed certificate, both PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(tz=dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class SamlIdp:
    entity_id: str = ENTITY_ID
    sso_url: str = SSO_URL
    identity: tuple[str, str] = field(default_factory=new_identity)
    # What the running IdP (``running_saml_idp``) answers: ``response`` keyword arguments.
    answer: dict[str, Any] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    @property
    def metadata_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/metadata"

    @property
    def key(self) -> str:
        return self.identity[0]

    @property
    def certificate(self) -> str:
        return self.identity[1]

    @property
    def certificate_body(self) -> str:
        return "".join(
            line for line in self.certificate.splitlines() if not line.startswith("-----")
        )

    def metadata(self, *, certificates: list[str] | None = None) -> str:
        keys = "".join(
            '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
            f"<ds:X509Certificate>{body}</ds:X509Certificate>"
            "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            for body in (certificates or [self.certificate_body])
        )
        return (
            '<?xml version="1.0"?>'
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID={quoteattr(self.entity_id)}>'
            '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            f"{keys}"
            f"<md:NameIDFormat>{EMAIL_FORMAT}</md:NameIDFormat>"
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
            f'Location="{self.sso_url}/post"/>'
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            f"Location={quoteattr(self.sso_url)}/>"
            "</md:IDPSSODescriptor></md:EntityDescriptor>"
        )

    def response(
        self,
        *,
        request_id: str | None,
        acs_url: str,
        audience: str,
        name_id: str = "new.person@acme.test",
        name_id_format: str = EMAIL_FORMAT,
        attributes: dict[str, str] | None = None,
        lifetime: int = 300,
        sign_assertion: bool = True,
        sign_response: bool = False,
        signing_identity: tuple[str, str] | None = None,
        assertion_id: str | None = None,
        tamper: dict[str, str] | None = None,
        wrapped: str | None = None,
        destination: str | None = None,
    ) -> str:
        """The base64 ``SAMLResponse`` a browser would post to the ACS."""
        key, certificate = signing_identity or self.identity
        attributes = {"email": name_id, "name": "Nia New"} if attributes is None else attributes
        assertion = self._assertion_xml(
            request_id=request_id,
            acs_url=acs_url,
            audience=audience,
            name_id=name_id,
            name_id_format=name_id_format,
            attributes=attributes,
            lifetime=lifetime,
            assertion_id=assertion_id,
        )
        if sign_assertion:
            assertion = _strip_declaration(
                OneLogin_Saml2_Utils.add_sign(assertion, key, certificate)
            )
        for before, after in (tamper or {}).items():  # after signing: the digest no longer matches
            assertion = assertion.replace(before, after)
        now = dt.datetime.now(tz=dt.UTC)
        in_response_to = f" InResponseTo={quoteattr(request_id)}" if request_id else ""
        response = (
            '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            f'ID="_r{secrets.token_hex(16)}" Version="2.0" IssueInstant="{_time(now)}" '
            f"Destination={quoteattr(destination or acs_url)}{in_response_to}>"
            f"<saml:Issuer>{escape(self.entity_id)}</saml:Issuer>"
            "<samlp:Status>"
            '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
            "</samlp:Status>"
            f"{assertion}{wrapped or ''}</samlp:Response>"
        )
        if sign_response:
            response = _strip_declaration(OneLogin_Saml2_Utils.add_sign(response, key, certificate))
        return base64.b64encode(response.encode()).decode()

    def _assertion_xml(self, **values: Any) -> str:
        attributes: dict[str, str] = values.pop("attributes")
        now = dt.datetime.now(tz=dt.UTC)
        until = _time(now + dt.timedelta(seconds=values["lifetime"]))
        request_id = values["request_id"]
        in_response_to = f" InResponseTo={quoteattr(request_id)}" if request_id else ""
        statement = (
            "<saml:AttributeStatement>"
            + "".join(
                f"<saml:Attribute Name={quoteattr(name)}>"
                f'<saml:AttributeValue xsi:type="xs:string">{escape(value)}'
                "</saml:AttributeValue></saml:Attribute>"
                for name, value in attributes.items()
            )
            + "</saml:AttributeStatement>"
            if attributes
            else ""
        )
        return (
            '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'ID="{values["assertion_id"] or "_a" + secrets.token_hex(16)}" Version="2.0" '
            f'IssueInstant="{_time(now)}">'
            f"<saml:Issuer>{escape(self.entity_id)}</saml:Issuer>"
            "<saml:Subject>"
            f"<saml:NameID Format={quoteattr(values['name_id_format'])}>"
            f"{escape(values['name_id'])}</saml:NameID>"
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{until}" '
            f"Recipient={quoteattr(values['acs_url'])}{in_response_to}/>"
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{_time(now - dt.timedelta(seconds=30))}" '
            f'NotOnOrAfter="{until}">'
            f"<saml:AudienceRestriction><saml:Audience>{escape(values['audience'])}"
            "</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{_time(now)}" SessionIndex="_s1">'
            "<saml:AuthnContext><saml:AuthnContextClassRef>"
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            f"{statement}</saml:Assertion>"
        )

    def unsigned_assertion(self, **values: Any) -> str:
        """An assertion as an attacker would add it beside the signed one (no signature)."""
        defaults: dict[str, Any] = {
            "name_id_format": EMAIL_FORMAT,
            "attributes": {"email": values.get("name_id", "evil@acme.test")},
            "lifetime": 300,
            "assertion_id": None,
        }
        return self._assertion_xml(**{**defaults, **values})


def _strip_declaration(signed: bytes | str) -> str:
    text = signed.decode() if isinstance(signed, bytes) else signed
    return etree.tostring(etree.fromstring(text.encode())).decode()


def request_id_of(location: str) -> str:
    """The ID of the AuthnRequest in an HTTP-Redirect URL."""
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"]), -15)
    return str(etree.fromstring(xml).get("ID"))


def sp_urls(slug: str) -> dict[str, str]:
    return {
        "acs_url": f"http://testserver/sso/{slug}/saml/acs/",
        "audience": f"http://testserver/sso/{slug}/saml/metadata/",
    }


def post_to_acs(client: Client, slug: str, saml_response: str) -> Any:
    """Post as the IdP's page would (a fresh browser context: no session needed), then follow the
    303 in ``client``; the final response."""
    posted = Client().post(f"/sso/{slug}/saml/acs/", {"SAMLResponse": saml_response})
    assert posted.status_code == 303, (posted.status_code, posted.content[:500])
    return client.get(posted.url)


def start(client: Client, slug: str, *, next_url: str = "") -> str:
    """Start a sign-in in ``client``; the AuthnRequest's id."""
    response = client.get(f"/sso/{slug}/saml/login/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.status_code
    return request_id_of(response.url)


def saml_sign_in(
    client: Client, slug: str, idp: SamlIdp, *, next_url: str = "", **knobs: Any
) -> Any:
    """Start, let the IdP answer (``knobs`` for ``SamlIdp.response``), post to the ACS, follow."""
    request_id = start(client, slug, next_url=next_url)
    body = idp.response(request_id=request_id, **{**sp_urls(slug), **knobs})
    response = post_to_acs(client, slug, body)
    response.saml_response = body
    response.request_id = request_id
    return response


class _MetadataHandler(BaseHTTPRequestHandler):
    body: bytes = b""
    status: int = 200

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Type", "application/samlmetadata+xml")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


@contextmanager
def serving(body: bytes, *, status: int = 200) -> Iterator[str]:
    """Serve ``body`` on 127.0.0.1; its URL."""
    handler = type("Handler", (_MetadataHandler,), {"body": body, "status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/metadata"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class _IdpHandler(BaseHTTPRequestHandler):
    """Serves the metadata, and at /sso answers an AuthnRequest with the page an IdP shows after
    the person authenticated: a form that posts the signed response to the request's ACS URL."""

    idp: SamlIdp

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: str, content_type: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/metadata":
            return self._send(200, self.idp.metadata(), "application/samlmetadata+xml")
        if url.path != "/sso" or "SAMLRequest" not in query:
            return self._send(404, "not found", "text/plain")
        request = etree.fromstring(zlib.decompress(base64.b64decode(query["SAMLRequest"]), -15))
        acs_url = str(request.get("AssertionConsumerServiceURL"))
        issuer = request.findtext("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer") or ""
        saml_response = self.idp.response(
            request_id=request.get("ID"), acs_url=acs_url, audience=issuer, **self.idp.answer
        )
        page = (
            '<!doctype html><html lang="en"><head><title>Test IdP</title></head><body><main>'
            "<h1>Test identity provider</h1>"
            f'<form method="post" action={quoteattr(acs_url)}>'
            f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
            f'<input type="hidden" name="RelayState" value={quoteattr(query.get("RelayState", ""))}>'
            '<button type="submit">Continue</button></form></main></body></html>'
        )
        return self._send(200, page, "text/html; charset=utf-8")


@contextmanager
def running_saml_idp() -> Iterator[SamlIdp]:
    """A SAML IdP on 127.0.0.1 (metadata at ``metadata_url``, SSO at ``sso_url``)."""
    idp = SamlIdp()
    handler = type("Handler", (_IdpHandler,), {"idp": idp})
    idp.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = idp.server.server_address[1]
    idp.entity_id = f"http://127.0.0.1:{port}/saml"
    idp.sso_url = f"http://127.0.0.1:{port}/sso"
    thread = threading.Thread(target=idp.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        idp.server.shutdown()
        idp.server.server_close()
        thread.join(5)
