"""SAML 2.0, the service provider's side, on python3-saml (xmlsec checks the XML signatures; we never
do). No Django models here: ``sso.saml_signin`` drives it.

- ``parse_metadata`` reads an IdP's metadata XML (python3-saml's parser, no network of its own);
  ``fetch_metadata`` is our own GET of a metadata URL (https, or http to loopback; timeout, size cap).
- ``authn_request_url`` is the HTTP-Redirect binding's URL of a new, unsigned AuthnRequest and its id.
- ``check_response`` validates a posted ``SAMLResponse`` and returns what the verified part says.
  python3-saml (strict) checks: the schema, exactly one assertion (a second, unsigned one beside the
  signed one — signature wrapping — is refused), a signature by one of the IdP's certificates on the
  response or the assertion (and reads the assertion only through what was signed), no SHA-1,
  issuer, audience, Destination and Recipient against our ACS URL, NotBefore/NotOnOrAfter with its
  clock drift (``ALLOWED_CLOCK_DRIFT``, 300 s), a bearer SubjectConfirmation. On top of it we
  require what it lets pass when absent: an InResponseTo equal to our request's id (no IdP-initiated
  sign-in), an audience restriction, and an assertion ID (for the replay check).

Every failure is ``SignInRefusedError`` (400) or, for metadata, ``MetadataError`` (a field message).
"""

from __future__ import annotations

import http.client
import logging
import re
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from core import outbound
from sso.errors import SignInRefusedError
from sso.oidc import check_url, read_url

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
MAX_METADATA_BYTES = 1_000_000
# The base64 SAMLResponse as posted (large group lists stay well under it; it is parked in Redis).
MAX_RESPONSE_CHARS = 512_000
MAX_CERTIFICATES = 5
# An assertion that says nothing of its expiry is remembered this long against a replay.
DEFAULT_ASSERTION_LIFETIME = timedelta(hours=1)
TRANSIENT = OneLogin_Saml2_Constants.NAMEID_TRANSIENT
EMAIL_ADDRESS = OneLogin_Saml2_Constants.NAMEID_EMAIL_ADDRESS
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)


class MetadataError(Exception):
    """The IdP's metadata (or a certificate) cannot be used; ``str()`` is the field message."""


@dataclass(frozen=True)
class Idp:
    entity_id: str
    sso_url: str
    certificates: tuple[str, ...]  # base64 DER bodies, no PEM armour


@dataclass(frozen=True)
class Sp:
    entity_id: str
    acs_url: str


@dataclass(frozen=True)
class Assertion:
    name_id: str
    name_id_format: str
    attributes: dict[str, list[str]]
    assertion_id: str
    expires_at: datetime


def certificate_bodies(text: str) -> tuple[str, ...]:
    """The certificates in ``text`` (PEM blocks, or one bare base64 body), each checked to be an
    X.509 certificate. Raises ``MetadataError``."""
    blocks = _PEM.findall(text) or ([text] if text.strip() else [])
    bodies = tuple("".join(block.split()) for block in blocks)
    if not bodies:
        raise MetadataError("Give the identity provider's signing certificate (PEM).")
    if len(bodies) > MAX_CERTIFICATES:
        raise MetadataError(f"Give at most {MAX_CERTIFICATES} certificates.")
    for body in bodies:
        pem = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
        try:
            x509.load_pem_x509_certificate(pem.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise MetadataError("This is not a PEM certificate.") from None
    return bodies


def as_pem(bodies: tuple[str, ...] | list[str]) -> str:
    lines = []
    for body in bodies:
        wrapped = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        lines.append(f"-----BEGIN CERTIFICATE-----\n{wrapped}\n-----END CERTIFICATE-----")
    return "\n".join(lines) + "\n"


def parse_metadata(xml: str | bytes) -> Idp:
    """The IdP's entity id, HTTP-Redirect SSO URL and signing certificates from its metadata."""
    try:
        data = OneLogin_Saml2_IdPMetadataParser.parse(
            xml, required_sso_binding=OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT
        )
    except Exception:  # lxml, defusedxml and the parser raise many kinds
        raise MetadataError("This is not SAML metadata XML.") from None
    idp = data.get("idp") or {}
    entity_id = idp.get("entityId")
    sso_url = (idp.get("singleSignOnService") or {}).get("url")
    if not entity_id:
        raise MetadataError("The metadata describes no identity provider (IDPSSODescriptor).")
    if not sso_url:
        raise MetadataError(
            "The metadata has no single sign-on address with the HTTP-Redirect binding."
        )
    if "x509certMulti" in idp:
        certificates = list(idp["x509certMulti"].get("signing") or [])
    else:
        certificates = [idp["x509cert"]] if idp.get("x509cert") else []
    if not certificates:
        raise MetadataError("The metadata has no signing certificate.")
    try:
        check_url(sso_url)
    except ValueError:
        raise MetadataError("The metadata's single sign-on address is not https.") from None
    return Idp(
        entity_id=entity_id,
        sso_url=sso_url,
        certificates=certificate_bodies(as_pem(certificates)),
    )


def fetch_metadata(url: str) -> bytes:
    """GET the metadata URL (https, to a public address: ``sso.oidc.read_url``; 10 s; 1 MB)."""
    try:
        status, body = read_url(
            url,
            headers={"Accept": "application/samlmetadata+xml, application/xml, text/xml"},
            max_bytes=MAX_METADATA_BYTES,
        )
    except outbound.OutboundRefusedError as error:
        raise MetadataError(f"This metadata address may not be used: {error}") from None
    except ValueError:
        raise MetadataError("Use an https:// address for the metadata.") from None
    except (http.client.HTTPException, OSError):
        raise MetadataError("The metadata address could not be reached.") from None
    if not 200 <= status < 300:
        raise MetadataError(f"The metadata address answered with an error ({status}).")
    if len(body) > MAX_METADATA_BYTES:
        raise MetadataError("The metadata is too large (over 1 MB).")
    return body


def _settings(idp: Idp, sp: Sp) -> OneLogin_Saml2_Settings:
    return OneLogin_Saml2_Settings(
        {
            "strict": True,
            "debug": False,
            "sp": {
                "entityId": sp.entity_id,
                "assertionConsumerService": {
                    "url": sp.acs_url,
                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST,
                },
                "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_UNSPECIFIED,
                "x509cert": "",
                "privateKey": "",
            },
            "idp": {
                "entityId": idp.entity_id,
                "singleSignOnService": {
                    "url": idp.sso_url,
                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
                },
                "x509certMulti": {"signing": list(idp.certificates)},
            },
            "security": {
                "authnRequestsSigned": False,
                "wantAssertionsSigned": False,  # the response's or the assertion's: one is required
                "wantMessagesSigned": False,
                "wantNameId": True,
                "wantAttributeStatement": False,
                "rejectDeprecatedAlgorithm": True,
                "requestedAuthnContext": False,
                "allowSingleLabelDomains": True,
            },
        },
        sp_validation_only=True,
    )


def sp_metadata(sp: Sp) -> str:
    """Our metadata XML (entity id, ACS with the HTTP-POST binding); nothing signed, no key."""
    settings = OneLogin_Saml2_Settings(
        {
            "strict": True,
            "sp": {
                "entityId": sp.entity_id,
                "assertionConsumerService": {
                    "url": sp.acs_url,
                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST,
                },
                "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_UNSPECIFIED,
            },
            "security": {"wantAssertionsSigned": True, "allowSingleLabelDomains": True},
        },
        sp_validation_only=True,
    )
    metadata: Any = settings.get_sp_metadata()
    return metadata.decode() if isinstance(metadata, bytes) else str(metadata)


def authn_request_url(idp: Idp, sp: Sp, *, relay_state: str) -> tuple[str, str]:
    """The IdP's URL with a new AuthnRequest (HTTP-Redirect binding), and the request's id."""
    request = OneLogin_Saml2_Authn_Request(_settings(idp, sp))
    url: str = OneLogin_Saml2_Utils.redirect(
        idp.sso_url, {"SAMLRequest": request.get_request(), "RelayState": relay_state}, True
    )
    return url, request.get_id()


def _request_data(acs_url: str) -> dict[str, Any]:
    """python3-saml's view of "the URL this arrived at": always our ACS URL, so its Destination and
    Recipient checks compare with exactly that."""
    parts = urllib.parse.urlsplit(acs_url)
    return {
        "https": "on" if parts.scheme == "https" else "off",
        "http_host": parts.netloc,
        "script_name": parts.path,
        "get_data": {},
        "post_data": {},
    }


def claimed_in_response_to(saml_response: str) -> str | None:
    """The InResponseTo a response *claims*, before any check: only to find the attempt it
    answers, which ``check_response`` then holds it to. Parsed with python3-saml's hardened parser
    (no DTD, no entities)."""
    try:
        document = OneLogin_Saml2_XML.to_etree(OneLogin_Saml2_Utils.b64decode(saml_response))
    except Exception:  # base64, XML
        raise refused("The identity provider's answer could not be read.") from None
    value = document.get("InResponseTo")
    return str(value) if value else None


def refused(reason: str, detail: str = "") -> SignInRefusedError:
    logger.warning("SAML response refused: %s %s", reason, detail[:500])
    return SignInRefusedError(reason, 400)


def check_response(saml_response: str, *, idp: Idp, sp: Sp, request_id: str) -> Assertion:
    """The assertion of a posted ``SAMLResponse`` once every check passed (module docstring)."""
    if not saml_response or len(saml_response) > MAX_RESPONSE_CHARS:
        raise refused("The identity provider's answer is missing or too large.")
    try:
        response = OneLogin_Saml2_Response(_settings(idp, sp), saml_response)
    except Exception as error:  # base64, XML, schema: the library raises many kinds
        raise refused("The identity provider's answer could not be read.", repr(error)) from None
    try:
        response.is_valid(_request_data(sp.acs_url), request_id, raise_exceptions=True)
    except Exception as error:
        raise refused(_reason(str(error)), str(error)) from None
    in_response_to = response.get_in_response_to()
    if in_response_to != request_id:
        raise refused(
            "This answer of the identity provider does not belong to a sign-in started here "
            "(InResponseTo). Start again from Flipside."
        )
    if sp.entity_id not in (response.get_audiences() or []):
        raise refused("The assertion was issued for another application (audience).")
    assertion_id = response.get_assertion_id()
    if not assertion_id:
        raise refused("The assertion has no ID.")
    try:
        name_id = response.get_nameid() or ""
        name_id_format = response.get_nameid_format() or ""
        attributes = response.get_attributes()
    except Exception as error:
        raise refused("The assertion names nobody (NameID).", str(error)) from None
    not_on_or_after = response.get_assertion_not_on_or_after()
    now = datetime.now(tz=UTC)
    expires_at = (
        datetime.fromtimestamp(not_on_or_after, tz=UTC)
        if not_on_or_after
        else now + DEFAULT_ASSERTION_LIFETIME
    ) + timedelta(seconds=OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT)
    return Assertion(
        name_id=name_id,
        name_id_format=name_id_format,
        attributes={str(k): [str(v) for v in values] for k, values in attributes.items()},
        assertion_id=assertion_id,
        expires_at=expires_at,
    )


# python3-saml's messages, shortened into a sentence for the person (the full one is logged).
_REASONS = (
    ("Signature validation failed", "The assertion's signature does not verify."),
    ("No Signature found", "The identity provider's answer is not signed."),
    ("must contain 1 assertion", "The identity provider's answer must hold exactly one assertion."),
    ("not a valid audience", "The assertion was issued for another application (audience)."),
    ("InResponseTo", "This answer does not belong to a sign-in started here (InResponseTo)."),
    ("Could not validate timestamp: expired", "The assertion has expired. Sign in again."),
    ("Could not validate timestamp: not yet valid", "The assertion is not valid yet (clock)."),
    ("was received at", "The answer was meant for another address (Destination)."),
    ("SubjectConfirmation", "The assertion was not meant for this address or has expired."),
    ("Invalid issuer", "The assertion was issued by another identity provider."),
    ("Deprecated signature algorithm", "The assertion is signed with SHA-1, which we refuse."),
    ("Deprecated digest algorithm", "The assertion is signed with SHA-1, which we refuse."),
    ("status", "The identity provider did not sign you in."),
)


def _reason(message: str) -> str:
    for needle, reason in _REASONS:
        if needle.lower() in message.lower():
            return reason
    return "The identity provider's answer is not valid."
