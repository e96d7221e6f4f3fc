from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from organizations.models import ApiToken, hash_secret
from organizations.scope import current_organization_id


class OrganizationTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer fs_…``: a token works only under its own organisation's URLs.

    The token is looked up inside the organisation scope that the middleware entered, so another
    organisation's token simply does not exist here and the request ends as a 404, like any other
    non-member's.
    """

    keywords = (b"bearer", b"token")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() not in self.keywords:
            return None
        if current_organization_id() is None:
            return None
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            return None
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_secret(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        if token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request: HttpRequest) -> str:
        return 'Bearer realm="api"'


class OrganizationTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token in the OpenAPI schema as an HTTP bearer scheme."""

    target_class = "organizations.api.authentication.OrganizationTokenAuthentication"
    name = "organizationToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token created under /o/<slug>/api-tokens/; valid for that organisation only.",
        }
