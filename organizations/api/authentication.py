from __future__ import annotations

from typing import Any

from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from organizations.models import ApiToken, Membership, TokenScope, hash_secret
from organizations.scope import current_organization_id


def token_membership(key_hash: str) -> Membership | None:
    """The membership, in the organisation in scope, of the unrevoked token with this hash, its
    active user joined and the token's id, ``last_used_at``, ``scope`` and ``expires_at`` annotated
    (``token_id``, ``token_last_used_at``, ``token_scope``, ``token_expires_at``): one query, by the
    unique index on ``key_hash``.

    None when there is no such token here (another organisation's token is invisible in this
    scope), when it is revoked, its user inactive, or its user no longer a member. An expired token
    is returned: the caller says so (401 with its own message).
    """
    live = ApiToken.objects.filter(key_hash=key_hash, revoked_at__isnull=True).order_by()
    rows = (
        Membership.objects.select_related("user")
        .filter(user_id=Subquery(live.values("user_id")[:1]), user__is_active=True)
        .annotate(
            token_id=Subquery(live.values("id")[:1]),
            token_last_used_at=Subquery(live.values("last_used_at")[:1]),
            token_scope=Subquery(live.values("scope")[:1]),
            token_expires_at=Subquery(live.values("expires_at")[:1]),
        )
        .order_by()[:1]
    )
    return next(iter(rows), None)


KEYWORDS = (b"bearer", b"token")
REFUSED_KEY_MESSAGE = (
    "Invalid token: it is unknown here, revoked, or its person is no longer a member."
)
READ_ONLY_MESSAGE = (
    "This token is read-only: {method} needs a token with read and write scope "
    "(create one on the API tokens page)."
)


def bearer_parts(request: HttpRequest | Request) -> list[bytes] | None:
    """The ``Authorization`` header split in words when it names our scheme, else None."""
    header = request.META.get("HTTP_AUTHORIZATION", b"")
    parts = (header.encode("iso-8859-1", "replace") if isinstance(header, str) else header).split()
    if not parts or parts[0].lower() not in KEYWORDS:
        return None
    return parts


def invalid_token_response() -> HttpResponse:
    """The 401 for a token at an organisation slug that does not exist: the same answer as for an
    unknown token at one that does, so a token never tells which organisations exist."""
    response = JsonResponse({"detail": REFUSED_KEY_MESSAGE, "fields": {}}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _allows_read_only(request: Request) -> bool:
    """Safe methods, and the actions a view names in ``read_only_token_actions`` (a POST that only
    computes, e.g. a what-if preview)."""
    if request.method in SAFE_METHODS:
        return True
    view = (getattr(request, "parser_context", None) or {}).get("view")
    return getattr(view, "action", None) in getattr(view, "read_only_token_actions", ())


class OrganizationTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer fs_…``: a token works only under its own organisation's URLs.

    The token is looked up inside the organisation scope that the middleware entered, so another
    organisation's token simply does not exist here: 401, as for a revoked, expired or made-up one
    (and as at a slug that does not exist, ``invalid_token_response``). A read-only token on a
    write method is a 403. The token, its user and the user's membership are read in one query
    (``token_membership``); ``last_used_at`` is written at most once a minute.
    """

    keywords = KEYWORDS

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = bearer_parts(request)
        if parts is None:
            return None
        if current_organization_id() is None:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                "Invalid token header: send “Authorization: Bearer <token>”."
            )
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise AuthenticationFailed(REFUSED_KEY_MESSAGE) from None
        membership = token_membership(hash_secret(key))
        if membership is None:
            raise AuthenticationFailed(REFUSED_KEY_MESSAGE)
        expires_at = getattr(membership, "token_expires_at")  # noqa: B009  (annotations)
        now = timezone.now()
        if expires_at is not None and expires_at <= now:
            raise AuthenticationFailed(
                f"This token expired at {expires_at:%Y-%m-%d %H:%M} UTC; create a new one."
            )
        token = ApiToken.from_db(
            "default",
            ["id", "organization_id", "user_id", "last_used_at", "scope", "expires_at"],
            [
                getattr(membership, "token_id"),  # noqa: B009
                membership.organization_id,
                membership.user_id,
                getattr(membership, "token_last_used_at"),  # noqa: B009
                getattr(membership, "token_scope"),  # noqa: B009
                expires_at,
            ],
        )
        token.user = membership.user
        # The permission classes read the membership from the request (request_membership):
        # it was just read with the token, so they ask no query.
        request._request.membership = membership  # type: ignore[attr-defined]
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        if token.scope == TokenScope.READ and not _allows_read_only(request):
            raise PermissionDenied(READ_ONLY_MESSAGE.format(method=request.method))
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
