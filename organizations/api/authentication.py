from __future__ import annotations

from typing import Any

from django.db.models import Subquery
from django.http import HttpRequest
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from organizations.models import ApiToken, Membership, hash_secret
from organizations.scope import current_organization_id


def token_membership(key_hash: str) -> Membership | None:
    """The membership, in the organisation in scope, of the live token with this hash, its active
    user joined and the token's id and ``last_used_at`` annotated (``token_id``,
    ``token_last_used_at``): one query, by the unique index on ``key_hash``.

    None when there is no such token here (another organisation's token is invisible in this
    scope), when it is revoked, its user inactive, or its user no longer a member.
    """
    live = ApiToken.objects.filter(key_hash=key_hash, revoked_at__isnull=True).order_by()
    rows = (
        Membership.objects.select_related("user")
        .filter(user_id=Subquery(live.values("user_id")[:1]), user__is_active=True)
        .annotate(
            token_id=Subquery(live.values("id")[:1]),
            token_last_used_at=Subquery(live.values("last_used_at")[:1]),
        )
        .order_by()[:1]
    )
    return next(iter(rows), None)


class OrganizationTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer fs_…``: a token works only under its own organisation's URLs.

    The token is looked up inside the organisation scope that the middleware entered, so another
    organisation's token simply does not exist here and the request ends as a 404, like any other
    non-member's. The token, its user and the user's membership are read in one query
    (``token_membership``); ``last_used_at`` is written at most once a minute.
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
        membership = token_membership(hash_secret(key))
        if membership is None:
            return None
        token = ApiToken.from_db(
            "default",
            ["id", "organization_id", "user_id", "last_used_at"],
            [
                getattr(membership, "token_id"),  # noqa: B009  (annotations)
                membership.organization_id,
                membership.user_id,
                getattr(membership, "token_last_used_at"),  # noqa: B009
            ],
        )
        token.user = membership.user
        # The permission classes read the membership from the request (request_membership):
        # it was just read with the token, so they ask no query.
        request._request.membership = membership  # type: ignore[attr-defined]
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
