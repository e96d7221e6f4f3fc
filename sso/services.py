"""Writes of the SSO settings: keyword-only, atomic, audited, and asking the policy again."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from organizations.audit import log_action
from organizations.models import Membership
from sso import oidc, sealing
from sso.access import CONFIGURE, sso_access
from sso.models import OidcProvider, TokenAuthMethod

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
