from __future__ import annotations

import functools
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from accounts.models import User
from organizations.api import token_memory
from organizations.models import ApiToken, Membership, TokenScope, hash_secret
from organizations.scope import current_organization_id, require_organization_id

# What a request needs of the user: no password hash, no dates (a field left out is read on use).
# Model.from_db takes a subset of fields in the model's own order: kept in that order here.
USER_COLUMNS = tuple(
    str(f.attname)
    for f in User._meta.concrete_fields
    if f.attname in {"id", "email", "full_name", "is_active", "is_staff", "is_superuser"}
)
TOKEN_COLUMNS = ("id", "last_used_at", "scope", "expires_at")


@functools.cache
def _membership_columns() -> tuple[str, ...]:
    return tuple(str(f.attname) for f in Membership._meta.concrete_fields)


@functools.cache
def _token_sql() -> str:
    """The token lookup, written once per process from the models' own columns.

    Django's ORM spent about 2 ms per request compiling the former one-query form (five
    subqueries, each cloned while resolving): most of an API request. This is the same one query,
    by the unique index on ``key_hash``, as SQL the ORM would write: a token, its membership in
    the same organisation and its active user (only ``USER_COLUMNS``). The organisation is a
    parameter (the scope the middleware entered) and row-level security holds on all three tables
    as on any query.
    """
    quote = connection.ops.quote_name

    def columns(alias: str, names: tuple[str, ...]) -> str:
        return ", ".join(f"{alias}.{quote(name)}" for name in names)

    membership = tuple(str(f.column) for f in Membership._meta.concrete_fields)
    return (
        f"SELECT {columns('m', membership)}, {columns('u', USER_COLUMNS)}, "  # noqa: S608 (model names; values bound)
        f"{columns('t', TOKEN_COLUMNS)} "
        f"FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(Membership._meta.db_table)} m ON m.{quote('user_id')} = t.{quote('user_id')} "
        f"AND m.{quote('organization_id')} = t.{quote('organization_id')} "
        f"JOIN {quote(User._meta.db_table)} u ON u.{quote('id')} = t.{quote('user_id')} "
        f"WHERE t.{quote('key_hash')} = %s AND t.{quote('organization_id')} = %s "
        f"AND t.{quote('revoked_at')} IS NULL AND u.{quote('is_active')} LIMIT 1"
    )


def _token_row(key_hash: str, organization_id: int) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [key_hash, organization_id])
        row: tuple[Any, ...] | None = cursor.fetchone()
    return row


def _instances(row: tuple[Any, ...], organization_id: int) -> tuple[Membership, ApiToken]:
    """New model instances from a row of ``_token_sql`` (each request gets its own)."""
    membership_columns = _membership_columns()
    split = len(membership_columns)
    user_end = split + len(USER_COLUMNS)
    membership = Membership.from_db(connection.alias, list(membership_columns), row[:split])
    user = User.from_db(connection.alias, list(USER_COLUMNS), row[split:user_end])
    membership.user = user
    token_id, last_used_at, scope, expires_at = row[user_end:]
    token = ApiToken.from_db(
        connection.alias,
        ["id", "organization_id", "user_id", "last_used_at", "scope", "expires_at"],
        [token_id, organization_id, user.pk, last_used_at, scope, expires_at],
    )
    token.user = user
    return membership, token


def token_membership(key_hash: str) -> tuple[Membership, ApiToken] | None:
    """The membership, in the organisation in scope, of the unrevoked token with this hash, with
    its active user, and the token (id, ``last_used_at``, ``scope``, ``expires_at``): one query
    (``_token_sql``).

    None when there is no such token here (another organisation's token is invisible in this
    scope), when it is revoked, its user inactive, or its user no longer a member. An expired token
    is returned: the caller says so (401 with its own message). Outside a scope it raises, as a
    tenant manager does.
    """
    organization_id = require_organization_id()
    row = _token_row(key_hash, organization_id)
    return None if row is None else _instances(row, organization_id)


def remembered_token_membership(
    request: HttpRequest, key_hash: str
) -> tuple[Membership, ApiToken] | None:
    """``token_membership``, answered from this process's memory when the generations read in
    the throttle's round trip say nothing changed since (``token_memory``), else by the query,
    whose answer is then remembered. A refusal (None) is never remembered."""
    organization_id = require_organization_id()
    row, generations = token_memory.recall(
        request, organization_id=organization_id, key_hash=key_hash
    )
    if row is None:
        row = _token_row(key_hash, organization_id)
        if row is None:
            return None
        if generations is not None:
            user_id = row[len(_membership_columns()) + USER_COLUMNS.index("id")]
            token_memory.remember(
                organization_id=organization_id,
                key_hash=key_hash,
                user_id=user_id,
                row=row,
                generations=generations,
            )
    return _instances(row, organization_id)


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
    (``token_membership``), remembered by the process while nothing about them changes
    (``token_memory``); ``last_used_at`` is written at most once a minute.
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
        key_hash = hash_secret(key)
        found = remembered_token_membership(request._request, key_hash)
        if found is None:
            raise AuthenticationFailed(REFUSED_KEY_MESSAGE)
        membership, token = found
        now = timezone.now()
        if token.expires_at is not None and token.expires_at <= now:
            raise AuthenticationFailed(
                f"This token expired at {token.expires_at:%Y-%m-%d %H:%M} UTC; create a new one."
            )
        # The permission classes read the membership from the request (request_membership):
        # it was just read with the token, so they ask no query.
        request._request.membership = membership  # type: ignore[attr-defined]
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            with token_memory.quiet_touch():
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            # What this process remembers holds the former time: read it again next time.
            token_memory.forget(organization_id=membership.organization_id, key_hash=key_hash)
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
