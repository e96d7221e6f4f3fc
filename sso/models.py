"""An organisation's OpenID Connect identity provider, and the people it has signed in.

The client secret is stored encrypted (``sso.secrets``) and never shown again after saving. The
endpoints are read from the issuer's discovery document when the admin saves, so a sign-in
costs the token request and the JWKS only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.fields import OneLineCharField
from organizations.tenancy import TenantModel


class TokenAuthMethod(models.TextChoices):
    BASIC = "client_secret_basic", "HTTP Basic"
    POST = "client_secret_post", "Form fields"


class OidcProvider(TenantModel):
    """One per organisation: where its people sign in, and whether they must."""

    issuer = models.URLField(max_length=500)
    client_id = OneLineCharField(max_length=255)
    client_secret_encrypted = models.TextField()
    email_claim = OneLineCharField(max_length=100, default="email")
    name_claim = OneLineCharField(max_length=100, default="name")
    is_enabled = models.BooleanField(default=True)
    # Members sign in through the provider only; admins with a second factor keep their password
    # as the break-glass way in (``sso.password``).
    sso_required = models.BooleanField(default=False)
    # From the discovery document (``/.well-known/openid-configuration``), read on save.
    authorization_endpoint = models.URLField(max_length=500)
    token_endpoint = models.URLField(max_length=500)
    jwks_uri = models.URLField(max_length=500)
    token_auth_method = models.CharField(
        max_length=32, choices=TokenAuthMethod.choices, default=TokenAuthMethod.BASIC
    )
    signing_algorithms = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("organization",), name="oidc_provider_unique_org")
        ]

    def __str__(self) -> str:
        return f"OIDC {self.issuer} for {self.organization_id}"


class OidcIdentity(TenantModel):
    """The provider's subject (``sub``) of an account: later sign-ins find the account by it, even
    when the person's address at the provider changes."""

    subject = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "subject"), name="oidc_identity_unique_subject"
            ),
            models.UniqueConstraint(
                fields=("organization", "user"), name="oidc_identity_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.user_id}"


# The attribute that usually carries the address, in the order the common identity providers send
# it (Okta, Google: ``email``; Azure AD / ADFS: the claims URI; LDAP-shaped ones: ``mail``). Empty
# mapping: the NameID when it is an address, else the first of these.
DEFAULT_EMAIL_ATTRIBUTES = (
    "email",
    "mail",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
)
DEFAULT_NAME_ATTRIBUTES = (
    "name",
    "displayName",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
    "http://schemas.microsoft.com/identity/claims/displayname",
)


class SamlProvider(TenantModel):
    """One per organisation: its SAML 2.0 identity provider (HTTP-Redirect in, HTTP-POST back).

    The IdP's signing certificates are public (several, for a rollover); nothing here is secret.
    """

    idp_entity_id = OneLineCharField(max_length=500)
    sso_url = models.URLField(max_length=500)
    # PEM certificates, one after the other; any of them may sign.
    idp_certificates = models.TextField()
    metadata_url = models.URLField(max_length=500, blank=True)
    # Empty: the NameID when it looks like an address, else ``DEFAULT_EMAIL_ATTRIBUTES``.
    email_attribute = OneLineCharField(max_length=200, blank=True)
    # Empty: ``DEFAULT_NAME_ATTRIBUTES``; else one attribute, or a given and a family name
    # separated by a comma ("givenName,sn").
    name_attributes = OneLineCharField(max_length=400, blank=True)
    is_enabled = models.BooleanField(default=True)
    sso_required = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("organization",), name="saml_provider_unique_org")
        ]

    def __str__(self) -> str:
        return f"SAML {self.idp_entity_id} for {self.organization_id}"


class SamlIdentity(TenantModel):
    """The IdP's NameID of an account (``subject``; transient NameIDs are not kept)."""

    subject = models.CharField(max_length=500)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "subject"), name="saml_identity_unique_subject"
            ),
            models.UniqueConstraint(
                fields=("organization", "user"), name="saml_identity_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.user_id}"


class SamlAssertionUse(TenantModel):
    """An assertion ID already used to sign in: a second use is a replay. Kept until the
    assertion's own expiry (rows past it are swept when the next one is written)."""

    assertion_id = models.CharField(max_length=255)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "assertion_id"), name="saml_assertion_used_once"
            )
        ]

    def __str__(self) -> str:
        return self.assertion_id
