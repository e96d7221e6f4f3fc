"""Writes of the SSO settings (OpenID Connect and SAML): keyword-only, atomic, audited, and asking
the policy again."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from organizations.audit import log_action
from organizations.models import Membership
from sso import oidc, saml, sealing
from sso.access import CONFIGURE, sso_access
from sso.models import OidcProvider, SamlProvider, TokenAuthMethod

# The fields an admin edits (the secret apart: it is never read back).
EDITABLE = ("issuer", "client_id", "email_claim", "name_claim", "is_enabled", "sso_required")


@dataclass(frozen=True)
class ProviderSettings:
    issuer: str
    client_id: str
    client_secret: str  # empty: keep the stored one
    email_claim: str
    name_claim: str
    is_enabled: bool
    sso_required: bool


def provider_of_organization() -> OidcProvider | None:
    """The provider of the organisation in scope (one at most)."""
    return OidcProvider.objects.first()


def provider_save(*, actor: Membership, values: ProviderSettings) -> OidcProvider:
    """Create or change the organisation's provider. Reads the issuer's discovery document first:
    an issuer that cannot be read is a field error, nothing is stored."""
    sso_access(actor).require(CONFIGURE)
    existing = provider_of_organization()
    if existing is None and not values.client_secret:
        raise ValidationError({"client_secret": ["Give the client secret."]})
    try:
        discovery = oidc.discover(values.issuer)
    except oidc.IdpUnreachableError as error:
        raise ValidationError({"issuer": [f"{error} Check the issuer URL."]}) from None
    except oidc.SignInRefusedError as error:
        raise ValidationError({"issuer": [error.message]}) from None
    auth_method = (
        TokenAuthMethod.POST
        if discovery.token_auth_methods
        and TokenAuthMethod.BASIC not in discovery.token_auth_methods
        and TokenAuthMethod.POST in discovery.token_auth_methods
        else TokenAuthMethod.BASIC
    )
    with transaction.atomic():
        provider = existing or OidcProvider(organization=actor.organization)
        before = {name: getattr(provider, name) for name in EDITABLE} if existing else {}
        for name in EDITABLE:
            setattr(provider, name, getattr(values, name))
        provider.issuer = discovery.issuer
        if values.client_secret:
            provider.client_secret_encrypted = sealing.seal(values.client_secret)
        provider.authorization_endpoint = discovery.authorization_endpoint
        provider.token_endpoint = discovery.token_endpoint
        provider.jwks_uri = discovery.jwks_uri
        provider.token_auth_method = auth_method
        provider.signing_algorithms = discovery.signing_algorithms
        provider.updated_at = timezone.now()
        provider.updated_by = actor.user
        provider.full_clean()
        provider.save()
        changed = [name for name in EDITABLE if before.get(name) != getattr(provider, name)]
        log_action(
            actor=actor.user,
            action="sso.provider_changed" if existing else "sso.provider_created",
            target=provider,
            data={
                "changed": changed,
                "client_secret_replaced": bool(values.client_secret and existing),
                "issuer": provider.issuer,
                "sso_required": provider.sso_required,
                "is_enabled": provider.is_enabled,
            },
        )
    return provider


# The SAML fields an admin edits (or that metadata fills).
SAML_EDITABLE = (
    "idp_entity_id",
    "sso_url",
    "idp_certificates",
    "metadata_url",
    "email_attribute",
    "name_attributes",
    "is_enabled",
    "sso_required",
)


@dataclass(frozen=True)
class SamlSettings:
    """What the admin gave: metadata XML, or a metadata URL (fetched here), or the fields by hand.
    Metadata, when given, fills the IdP's entity id, SSO URL and certificates."""

    metadata_xml: str = ""
    metadata_url: str = ""
    idp_entity_id: str = ""
    sso_url: str = ""
    idp_certificates: str = ""
    email_attribute: str = ""
    name_attributes: str = ""
    is_enabled: bool = True
    sso_required: bool = False


def saml_provider_of_organization() -> SamlProvider | None:
    """The SAML provider of the organisation in scope (one at most)."""
    return SamlProvider.objects.first()


def _saml_idp(values: SamlSettings) -> saml.Idp:
    """The IdP's entity id, SSO URL and certificates from whichever source the admin gave."""
    if values.metadata_xml.strip():
        try:
            return saml.parse_metadata(values.metadata_xml.strip().encode())
        except saml.MetadataError as error:
            raise ValidationError({"metadata_xml": [str(error)]}) from None
    if values.metadata_url:
        try:
            return saml.parse_metadata(saml.fetch_metadata(values.metadata_url))
        except saml.MetadataError as error:
            raise ValidationError({"metadata_url": [str(error)]}) from None
    errors: dict[str, list[str]] = {}
    if not values.idp_entity_id.strip():
        errors["idp_entity_id"] = ["Give the identity provider's entity ID (or its metadata)."]
    try:
        oidc.check_url(values.sso_url)
    except ValueError:
        errors["sso_url"] = ["Give the identity provider's https:// single sign-on address."]
    certificates: tuple[str, ...] = ()
    try:
        certificates = saml.certificate_bodies(values.idp_certificates)
    except saml.MetadataError as error:
        errors["idp_certificates"] = [str(error)]
    if errors:
        raise ValidationError(errors)
    return saml.Idp(values.idp_entity_id.strip(), values.sso_url, certificates)


def saml_provider_save(*, actor: Membership, values: SamlSettings) -> SamlProvider:
    """Create or change the organisation's SAML provider; nothing is stored when the metadata or
    the fields cannot be used (``ValidationError`` per field)."""
    sso_access(actor).require(CONFIGURE)
    idp = _saml_idp(values)
    with transaction.atomic():
        existing = SamlProvider.objects.select_for_update().first()
        provider = existing or SamlProvider(organization=actor.organization)
        before = {name: getattr(provider, name) for name in SAML_EDITABLE} if existing else {}
        provider.idp_entity_id = idp.entity_id
        provider.sso_url = idp.sso_url
        provider.idp_certificates = saml.as_pem(idp.certificates)
        provider.metadata_url = "" if values.metadata_xml.strip() else values.metadata_url
        provider.email_attribute = values.email_attribute.strip()
        provider.name_attributes = values.name_attributes.strip()
        provider.is_enabled = values.is_enabled
        provider.sso_required = values.sso_required
        provider.updated_at = timezone.now()
        provider.updated_by = actor.user
        try:
            provider.full_clean()
        except ValidationError as error:
            raise ValidationError(
                {f: m for f, m in error.message_dict.items() if f in SAML_EDITABLE}
                or error.messages
            ) from None
        provider.save()
        changed = [name for name in SAML_EDITABLE if before.get(name) != getattr(provider, name)]
        log_action(
            actor=actor.user,
            action="sso.saml_provider_changed" if existing else "sso.saml_provider_created",
            target=provider,
            data={
                "changed": changed,
                "source": "metadata_xml"
                if values.metadata_xml.strip()
                else "metadata_url"
                if values.metadata_url
                else "fields",
                "idp_entity_id": provider.idp_entity_id,
                "certificates": len(idp.certificates),
                "sso_required": provider.sso_required,
                "is_enabled": provider.is_enabled,
            },
        )
    return provider
