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
